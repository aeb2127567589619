import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The static web server that serves a Client ID Metadata Document (nginx in the seed setup), on
 * loopback: `Cache-Control: no-store` (or `cacheControl`), `application/json`. It serves either
 * documents handed to it (`document`, `publish`) or, like nginx from its web root, the bytes of a
 * file as they are on disk (`file`: the file keygate's host executor writes). Faults serve what goes
 * wrong on a real host: a stale copy, a document with a client secret, redirect URIs on an untrusted
 * host, a redirect, an oversized document.
 *
 * @example
 * const host = await start({ path: '/oauth/client-metadata.json', document });
 * host.setFaults({ clientSecret: true });
 * await host.close();
 */
export interface CimdHostOptions {
  /** Path the document is served at (the path of cimd.url). */
  path: string;
  document?: Record<string, unknown>;
  /** Serve this file's bytes as they are on disk (404 while it does not exist), instead of `document`. */
  file?: string;
  /** The Cache-Control header (default `no-store`, what the seed's nginx sends). */
  cacheControl?: string;
}

export interface CimdHostFaults {
  /** Serve the document published before the current one. */
  stale?: boolean;
  /** Add `client_secret` and a `client_secret_basic` auth method. */
  clientSecret?: boolean;
  /** Move every redirect URI to this host. */
  redirectHost?: string;
  /** Answer 302 to another path instead of the document. */
  redirect?: boolean;
  /** Pad the document beyond 5,000 bytes. */
  oversize?: boolean;
}

export interface CimdHost {
  url: string;
  /** Loopback URL of the document. */
  documentUrl: string;
  calls: Array<{ method: string; path: string; status: number }>;
  faults: CimdHostFaults;
  setFaults(faults: CimdHostFaults): void;
  /** Replace the served document (the previous one is kept for the `stale` fault). */
  publish(document: Record<string, unknown>): void;
  close(): Promise<void>;
}

export async function start(options: CimdHostOptions): Promise<CimdHost> {
  if (!options.document === !options.file) throw new TypeError('give the CIMD host either a document or a file');
  const versions: Array<Record<string, unknown>> = options.document ? [options.document] : [];
  const headers = { 'content-type': 'application/json', 'cache-control': options.cacheControl ?? 'no-store' };
  const calls: CimdHost['calls'] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    res.on('finish', () => calls.push({ method: req.method ?? 'GET', path, status: res.statusCode }));
    if (path !== options.path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>404 Not Found</body></html>');
      return;
    }
    const f = host.faults;
    if (f.redirect) {
      res.writeHead(302, { location: `${options.path}.moved` }).end();
      return;
    }
    if (options.file) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(options.file);
      } catch {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>404 Not Found</body></html>');
        return;
      }
      res.writeHead(200, headers).end(bytes);
      return;
    }
    const document = serve(f.stale ? (versions.at(-2) ?? versions.at(-1)!) : versions.at(-1)!, f);
    res.writeHead(200, headers).end(`${JSON.stringify(document, null, 2)}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const host: CimdHost = {
    url,
    documentUrl: `${url}${options.path}`,
    calls,
    faults: {},
    setFaults(faults) {
      host.faults = { ...faults };
    },
    publish(document) {
      versions.push(document);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return host;
}

function serve(base: Record<string, unknown>, f: CimdHostFaults): Record<string, unknown> {
  const doc: Record<string, unknown> = structuredClone(base);
  if (f.clientSecret) Object.assign(doc, { token_endpoint_auth_method: 'client_secret_basic', client_secret: 'cimd-host-emulator-leaked-secret' });
  if (f.redirectHost && Array.isArray(doc.redirect_uris)) {
    doc.redirect_uris = doc.redirect_uris.map((u: string) => {
      const moved = new URL(u);
      moved.hostname = f.redirectHost!;
      return moved.href;
    });
  }
  if (f.oversize) doc.software_version = 'x'.repeat(6000);
  return doc;
}
