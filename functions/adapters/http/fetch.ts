import type { HttpObservation } from '../../core/verify/observation';

/** The fetch every verification request goes through (jose, the MCP SDK client and the probes). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Bodies are read up to this many bytes: enough for any metadata document, bounded for a hostile peer. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * A fetch that gives up after `timeoutMs` and when `signal` aborts (the Lambda deadline), whichever
 * comes first.
 */
export function withDeadline(base: FetchLike, timeoutMs: number, signal?: AbortSignal): FetchLike {
  return (input, init = {}) => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : []), ...(init.signal ? [init.signal] : [])];
    return base(input, { ...init, signal: AbortSignal.any(signals) });
  };
}

/**
 * A fetch that sends requests for some hosts to other origins, as a TLS-terminating proxy would:
 * the path and query are kept, and `X-Forwarded-Host` / `X-Forwarded-Proto` carry the name the
 * caller used (Keycloak with `KC_PROXY_HEADERS=xforwarded` and oidc-provider with `proxy = true`
 * build their URLs from them). `keygate verify --resolve HOST=ORIGIN` uses it for rehearsals on
 * loopback and for port-forwarded sessions to a private load balancer.
 *
 * @example
 * const f = resolvingFetch({ 'auth.example.com': 'http://127.0.0.1:8080' });
 * await f('https://auth.example.com/realms/r/.well-known/openid-configuration'); // GET http://127.0.0.1:8080/realms/r/…
 */
export function resolvingFetch(routes: Record<string, string>, base: FetchLike = fetch): FetchLike {
  const table = new Map(Object.entries(routes).map(([host, origin]) => [host.toLowerCase(), new URL(origin)]));
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input.toString());
    const target = table.get(url.host.toLowerCase()) ?? table.get(url.hostname.toLowerCase());
    if (!target) return base(input, init);
    const routed = new URL(`${url.pathname}${url.search}`, target);
    const headers = new Headers(request?.headers);
    new Headers(init?.headers).forEach((v, k) => headers.set(k, v));
    headers.set('x-forwarded-host', url.host);
    headers.set('x-forwarded-proto', url.protocol.replace(':', ''));
    const body = init?.body ?? (request && request.method !== 'GET' && request.method !== 'HEAD' ? await request.arrayBuffer() : undefined);
    const response = await base(routed, { ...init, method: init?.method ?? request?.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}) });
    return rewriteLocation(response, target, url);
  };
}

/** A redirect from the routed origin names the public origin again, so the caller stays on its names. */
function rewriteLocation(response: Response, target: URL, original: URL): Response {
  const location = response.headers.get('location');
  if (!location) return response;
  const resolved = new URL(location, target);
  if (resolved.origin !== target.origin) return response;
  const headers = new Headers(response.headers);
  headers.set('location', new URL(`${resolved.pathname}${resolved.search}`, original.origin).href);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Parses `HOST=ORIGIN` pairs (the `--resolve` flag); throws a TypeError naming the bad entry. */
export function parseResolveRoutes(entries: readonly string[], label = '--resolve'): Record<string, string> {
  const routes: Record<string, string> = {};
  for (const entry of entries) {
    const i = entry.indexOf('=');
    const host = entry.slice(0, i).trim();
    const origin = entry.slice(i + 1).trim();
    let ok = i > 0 && /^[A-Za-z0-9.-]+(:\d+)?$/.test(host);
    try {
      ok &&= ['http:', 'https:'].includes(new URL(origin).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new TypeError(`${label} "${entry}" is not HOST=ORIGIN, for example auth.example.com=http://127.0.0.1:8080`);
    routes[host] = origin;
  }
  return routes;
}

/**
 * Sends one request and records what came back as plain data (status, a few headers, the body up
 * to {@link MAX_BODY_BYTES}); network failures become an `unreachable` observation, not a throw.
 * Redirects are never followed: verification judges them.
 */
export async function observe(fetchFn: FetchLike, url: string, init: RequestInit = {}, reportUrl = url): Promise<HttpObservation> {
  let response: Response;
  try {
    response = await fetchFn(url, { redirect: 'manual', ...init });
  } catch (error) {
    return { kind: 'unreachable', url: reportUrl, error: networkErrorText(error) };
  }
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'www-authenticate', 'location', 'cache-control', 'mcp-session-id']) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const { text, bytes } = await readBounded(response);
  return { kind: 'response', url: reportUrl, status: response.status, headers, text, bytes };
}

async function readBounded(response: Response): Promise<{ text: string; bytes: number }> {
  if (!response.body) return { text: '', bytes: 0 };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      bytes += r.value.byteLength;
      if (bytes <= MAX_BODY_BYTES) chunks.push(r.value);
      else {
        await reader.cancel();
        break;
      }
    }
  } catch {
    // A body cut short still tells what arrived.
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes };
}

/** The cause of a failed fetch in a few words (undici wraps it: `TypeError: fetch failed` + cause). */
export function networkErrorText(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const cause = e?.cause;
  if (cause?.code) return cause.code;
  return cause?.message ?? e?.message ?? String(error);
}
