import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/**
 * The access key id a request is signed with (SigV4 `Authorization: AWS4-HMAC-SHA256
 * Credential=<key>/<date>/<region>/<service>/aws4_request, …`): whose credentials made the call. In the
 * local world each function signs with its own (emulators/lambda accessKeyOf); '' when unsigned.
 */
export const callerOf = (req: IncomingMessage): string => /\bCredential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';

/** Listens on loopback on a free port and returns the base URL (`http://127.0.0.1:<port>`). */
export async function listenLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
