import { Agent, request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * The seed's internal load balancer on loopback: one TLS listener (a certificate for every public
 * name, from a local CA) that forwards each request by its Host to a plain-http backend, with
 * `X-Forwarded-Host`, `-Proto`, `-Port` and `-For`, as an ALB does (Keycloak runs with
 * `proxy-headers=xforwarded` behind it). Keycloak's login page, the CIMD document and the gateway are
 * reached by browsers, Keycloak and Node under their public names and this port.
 *
 * @example
 * const lb = await start({ certificate: { certPem: leaf.certPem + ca.certPem, keyPem: leaf.keyPem }, routes: { 'auth.example.com': kc.url } });
 * lb.origin('auth.example.com'); // https://auth.example.com:<port>
 */
export interface LoadBalancerOptions {
  certificate: { certPem: string; keyPem: string };
  /** Public host name (no port) → backend origin (http://127.0.0.1:port). */
  routes: Record<string, string>;
}

export interface LoadBalancerCall {
  host: string;
  method: string;
  path: string;
  status: number;
}

export interface LoadBalancer {
  port: number;
  /** `https://<host>:<port>`: the origin clients use for a routed name. */
  origin(host: string): string;
  /** Every request forwarded (or refused), in order of completion. */
  calls: LoadBalancerCall[];
  /** Adds or replaces a route; with `pathPrefix`, only for paths under it (the longest prefix wins). */
  route(host: string, origin: string, pathPrefix?: string): void;
  close(): Promise<void>;
}

export async function start(options: LoadBalancerOptions): Promise<LoadBalancer> {
  // `host` or `host/path-prefix` → backend.
  const routes = new Map(Object.entries(options.routes).map(([host, origin]) => [host.toLowerCase(), new URL(origin)]));
  const backendFor = (hostname: string, path: string): URL | undefined => {
    let best: [number, URL] | undefined;
    for (const [key, origin] of routes) {
      const slash = key.indexOf('/');
      const [h, prefix] = slash < 0 ? [key, ''] : [key.slice(0, slash), key.slice(slash)];
      if (h === hostname && path.startsWith(prefix) && (!best || prefix.length > best[0])) best = [prefix.length, origin];
    }
    return best?.[1];
  };
  const calls: LoadBalancerCall[] = [];
  // No pooled connections to the backends: each closes with its response, so closing a backend never waits on the balancer.
  const agent = new Agent({ keepAlive: false });
  const server: Server = createServer({ cert: options.certificate.certPem, key: options.certificate.keyPem }, (req, res) => {
    const host = req.headers.host ?? '';
    const hostname = host.replace(/:\d+$/, '').toLowerCase();
    const path = req.url ?? '/';
    const call: LoadBalancerCall = { host: hostname, method: req.method ?? 'GET', path: path.split('?')[0]!, status: 0 };
    res.on('finish', () => calls.push({ ...call, status: res.statusCode }));
    const backend = backendFor(hostname, path);
    if (!backend) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end(`no route for ${hostname}\n`);
      return;
    }
    const headers = { ...req.headers, host: backend.host, 'x-forwarded-host': host, 'x-forwarded-proto': 'https', 'x-forwarded-port': String(port), 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1' };
    const upstream = httpRequest({ agent, host: backend.hostname, port: backend.port, method: req.method, path, headers: { ...headers, connection: 'close' } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway\n');
      else res.destroy();
    });
    req.pipe(upstream);
  });
  // Browsers keep connections open; close() must not wait for them.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: (host) => `https://${host}:${port}`,
    calls,
    route: (host, origin, pathPrefix = '') => void routes.set(`${host.toLowerCase()}${pathPrefix}`, new URL(origin)),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
