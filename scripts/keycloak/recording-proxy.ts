import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { startSwitchableServer } from '../../emulators/http';

/** One request the proxy passed to Keycloak, and Keycloak's status (paths without the query string). */
export interface RecordedCall {
  method: string;
  path: string;
  /** The query string, when there was one (observe reads `?clientId=…`, never a whole client list). */
  query: string;
  status: number;
}

export interface RecordingProxy {
  /** Base URL to use instead of Keycloak's (keycloak.admin.url). */
  url: string;
  /** Every request Keycloak received through the proxy, in order. */
  callLog: RecordedCall[];
  /** Admin requests that change something (not GET, not the token endpoint): what Keycloak was asked to write. */
  writes(): RecordedCall[];
  /** Stops or restarts listening on the same port: while down, connections are refused (Keycloak down, as the host sees it). */
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * A transparent HTTP proxy on loopback in front of a real Keycloak that records what Keycloak
 * received: counts of writes come from the wire, not from keygate's own log. Bodies pass through
 * untouched and are never recorded (they carry passwords and client secrets). The `Host` header is
 * the proxy's, so Keycloak's Location headers and issuer name the proxy's origin.
 *
 * @example
 * const proxy = await startRecordingProxy(kc.url);
 * // keycloak.admin.url = proxy.url … run keygate …
 * expect(proxy.writes()).toEqual([]);
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const callLog: RecordedCall[] = [];
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const entry: RecordedCall = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), status: 0 };
    callLog.push(entry);
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', (error) => {
      entry.status = 502;
      // Keycloak down behind the proxy looks like Keycloak down: the connection is dropped, not answered.
      req.socket.destroy(error);
    });
    req.pipe(out);
  };
  const server = await startSwitchableServer(forward);
  return {
    url: server.url,
    callLog,
    writes: () => callLog.filter((c) => c.method !== 'GET' && c.path.startsWith('/admin/')),
    setDown: server.setDown,
    close: server.close,
  };
}
