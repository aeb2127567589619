import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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

/** A loopback server that can stop and listen again on the same port. */
export interface SwitchableServer {
  /** `http://127.0.0.1:<port>`, the same across setDown(true) and setDown(false). */
  url: string;
  /** Stops listening (open connections dropped, new ones refused: a server that is down, as a client sees it) or listens again. */
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens on loopback (a free port unless `port` is given) with a server that can go down and come
 * back on the same port: the Keycloak stand-in and the recording proxy in front of a real Keycloak.
 *
 * @example
 * const server = await startSwitchableServer((req, res) => res.end('ok'));
 * await server.setDown(true); // connections to server.url are refused
 */
export async function startSwitchableServer(handler: RequestListener, port = 0): Promise<SwitchableServer> {
  const sockets = new Set<Socket>();
  let server: Server;
  const listen = (on: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer(handler);
      server.once('error', reject);
      server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
      server.listen(on, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  const bound = await listen(port);
  let down = false;
  return {
    url: `http://127.0.0.1:${bound}`,
    setDown: async (value) => {
      if (value === down) return;
      down = value;
      if (value) await stop();
      else await listen(bound);
    },
    close: async () => {
      if (!down) await stop();
      down = true;
    },
  };
}
