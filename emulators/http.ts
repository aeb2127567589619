import type { IncomingMessage } from 'node:http';

/** The whole request body (the emulators' requests are small). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The request body as UTF-8 text. */
export const readText = async (req: IncomingMessage): Promise<string> => (await readBody(req)).toString('utf8');
