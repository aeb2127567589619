import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedOrigin } from '../../../support/ports';
import { MAX_BODY_BYTES, networkErrorText, observe, parseResolveRoutes, resolvingFetch, withDeadline } from '../../../../functions/adapters/http/fetch';

// A real loopback server that echoes what it received, so the routing is observed on the wire.
let origin: string;
let seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body });
    if (req.url === '/redirect') return void res.writeHead(302, { location: `${origin}/landing?x=1` }).end();
    if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(MAX_BODY_BYTES + 10));
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 500);
    res.writeHead(200, { 'content-type': 'application/json', 'www-authenticate': 'Bearer x="y"' }).end('{"ok":true}');
  });
});
// No idle timeout on the server's side: fetch reuses a kept-alive socket, and on a loaded machine the
// server's 5 s timeout closed one just as the next test sent on it (ECONNRESET, the request never seen).
// server.close() still closes idle sockets (Node >= 19).
server.keepAliveTimeout = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => (seen = []));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('resolvingFetch', () => {
  it('sends a routed host to its origin as a TLS-terminating proxy would, keeping path, query, method, headers and body', async () => {
    const f = resolvingFetch({ 'auth.example.com': origin });
    const res = await f('https://auth.example.com/realms/r/token?a=1', { method: 'POST', headers: { authorization: 'Basic abc' }, body: 'grant_type=client_credentials' });
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/realms/r/token?a=1', body: 'grant_type=client_credentials', headers: { authorization: 'Basic abc', 'x-forwarded-host': 'auth.example.com', 'x-forwarded-proto': 'https' } });
  });

  it('accepts Request objects and rewrites same-origin redirects back to the public name', async () => {
    const f = resolvingFetch({ 'gw.example.com': origin });
    const res = await f(new Request('https://gw.example.com/redirect', { method: 'GET' }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://gw.example.com/landing?x=1');
  });

  it('leaves other hosts to the base fetch', async () => {
    const calls: string[] = [];
    const f = resolvingFetch({ 'auth.example.com': origin }, async (input) => (calls.push(String(input)), new Response('base')));
    expect(await (await f('https://other.example.com/x')).text()).toBe('base');
    expect(calls).toEqual(['https://other.example.com/x']);
  });

  it('parses HOST=ORIGIN pairs and names a bad one', () => {
    expect(parseResolveRoutes(['auth.example.com=http://127.0.0.1:8080', 'gw.example.com:443=https://10.0.0.5'])).toEqual({ 'auth.example.com': 'http://127.0.0.1:8080', 'gw.example.com:443': 'https://10.0.0.5' });
    expect(() => parseResolveRoutes(['auth.example.com'])).toThrow(/--resolve "auth\.example\.com" is not HOST=ORIGIN/);
    expect(() => parseResolveRoutes(['a=ftp://x'], 'VERIFY_RESOLVE')).toThrow(/^VERIFY_RESOLVE "a=ftp:\/\/x"/);
  });
});

describe('observe', () => {
  it('records status, the headers verification reads, and the body as text, without following redirects', async () => {
    expect(await observe(fetch, `${origin}/x`)).toEqual({ kind: 'response', url: `${origin}/x`, status: 200, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer x="y"' }, text: '{"ok":true}', bytes: 11 });
    expect(await observe(fetch, `${origin}/redirect`)).toMatchObject({ status: 302, headers: { location: `${origin}/landing?x=1` } });
    expect(seen.map((s) => s.url)).toEqual(['/x', '/redirect']);
  });

  it('stops reading a body beyond the limit but reports its size', async () => {
    const obs = await observe(fetch, `${origin}/big`);
    if (obs.kind !== 'response') throw new Error('expected a response');
    expect(obs.text.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(obs.bytes).toBeGreaterThan(MAX_BODY_BYTES);
  });

  it('turns network failures and timeouts into unreachable observations', async () => {
    const closed = await closedOrigin();
    expect(await observe(fetch, `${closed}/x`)).toEqual({ kind: 'unreachable', url: `${closed}/x`, error: 'ECONNREFUSED' });
    expect(await observe(withDeadline(fetch, 50), `${origin}/slow`)).toEqual({ kind: 'unreachable', url: `${origin}/slow`, error: 'timed out' });
    expect(networkErrorText(new Error('plain'))).toBe('plain');
  });
});
