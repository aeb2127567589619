import { startChain, type Chain } from '../../../emulators/chain';
import type { FetchLike } from '../../../functions/adapters/http/fetch';
import { verifyChain, type CanarySecret } from '../../../functions/adapters/verify/verify-chain';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import type { DesiredState } from '../../../functions/core/desired/document';
import type { Check, VerificationReport } from '../../../functions/core/verify/report';
import { closedOrigin } from '../../support/ports';
import { seedWith } from '../../support/seed';

// End to end on loopback against real peers: oidc-provider as the realm, an MCP SDK server behind a
// jose bearer check as the gateway, a static host for the CIMD document. Each diagnosis is provoked
// by a real misbehaviour of a peer, never by a canned response.

const GATEWAY_URL = 'https://mcp-gateway-keycloak-demo-4xk2m9p7qz.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
const SECRET = 'canary-secret-4f1c9a2e7b3d';

// The seed, with the canary in allowedClients so that no check is skipped for being not applicable.
const desired: DesiredState = seedWith((r) => (r.gateway.authorizer.allowedClients = ['keygate-canary']));
let chain: Chain;

/** Every bearer token and token response the peers handed out, to prove none reaches the report. */
const seenTokens = new Set<string>();
const recordingFetch = (base: FetchLike): FetchLike => async (input, init) => {
  const auth = new Headers(init?.headers).get('authorization');
  if (auth?.startsWith('Bearer ')) seenTokens.add(auth.slice(7));
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const query = url.searchParams.get('access_token');
  if (query) seenTokens.add(query);
  const response = await base(input, init);
  if (url.pathname.endsWith('/token')) {
    const body = (await response.clone().json().catch(() => ({}))) as { access_token?: string };
    if (body.access_token) seenTokens.add(body.access_token);
  }
  return response;
};

async function verify(overrides: { desired?: DesiredState; secret?: CanarySecret; fetch?: FetchLike; gatewayUrl?: string } = {}): Promise<VerificationReport> {
  const report = await verifyChain(overrides.desired ?? desired, {
    gatewayUrl: overrides.gatewayUrl ?? GATEWAY_URL,
    canarySecret: overrides.secret ?? { value: SECRET },
    fetch: recordingFetch(overrides.fetch ?? chain.fetch),
    now: () => new Date(),
  });
  const text = JSON.stringify(report);
  for (const token of seenTokens) expect(text).not.toContain(token);
  expect(text).not.toContain(SECRET);
  return report;
}

const check = (report: VerificationReport, id: string): Check => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
};

beforeAll(async () => {
  chain = await startChain(desired, { gatewayUrl: GATEWAY_URL, canarySecret: SECRET });
});
afterEach(() => chain.heal());
afterAll(() => chain.close());

describe('a healthy chain', () => {
  it('passes every check', async () => {
    // Act
    const report = await verify();
    // Assess
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status} ${c.evidence}`)).toEqual([]);
    expect(report).toMatchObject({ outcome: 'pass', failed: false, gatewayUrl: GATEWAY_URL, issuer: 'https://auth.agentcore-keycloak-example.com/realms/mcp-demo' });
    expect(report.summary).toEqual({ pass: report.checks.length, fail: 0, warn: 0, skip: 0 });
  });

  it('walks the chain the way an MCP client does, and reports claims, never tokens', async () => {
    // Prepare
    chain.gateway.calls.length = 0;
    // Act
    const report = await verify();
    // Assess
    expect(report.checks.map((c) => c.id)).toEqual([
      'as.discovery', 'as.issuer', 'as.https', 'as.pkce', 'as.cimd', 'as.jwks',
      'rs.challenge', 'rs.metadata', 'rs.resource', 'rs.authorization-servers', 'rs.scopes',
      'token.obtain', 'token.algorithm', 'token.signature', 'token.issuer', 'token.audience', 'token.scope', 'token.lifetime', 'token.client',
      'mcp.tools-list', 'mcp.targets', 'mcp.expected-tools', 'mcp.call.my-mcp-server___add_numbers',
      'denied.no-token', 'denied.scope', 'denied.query-token',
      'cimd.fetch', 'cimd.client-id', 'cimd.secret', 'cimd.redirect-uris', 'cimd.current',
    ]);
    expect(check(report, 'token.signature').observed).toEqual({
      alg: 'RS256', kid: 'rs256-1', typ: 'at+jwt',
      iss: 'https://auth.agentcore-keycloak-example.com/realms/mcp-demo', aud: 'mcp-gateway-demo', scope: 'mcp:tools', client_id: 'keygate-canary',
      iat: expect.any(Number), exp: expect.any(Number),
    });
    expect(check(report, 'mcp.tools-list').observed).toEqual({ tools: ['my-mcp-server___add_numbers', 'my-mcp-server___multiply_numbers', 'my-mcp-server___greet_user'], protocolVersion: '2025-03-26' });
    expect(check(report, 'mcp.call.my-mcp-server___add_numbers').evidence).toContain('returned "5"');
    expect(check(report, 'denied.scope').evidence).toMatch(/scope "mcp:fail" \(scope claim null\) got 403 insufficient_scope/);
    // The gateway saw the token in the header for the allowed calls and never accepted one from the query.
    expect(chain.gateway.calls.filter((c) => c.token).every((c) => c.token === 'header')).toBe(true);
    expect(chain.gateway.calls.some((c) => c.status === 401)).toBe(true);
    expect(seenTokens.size).toBeGreaterThanOrEqual(3);
  });
});

/** One provoked breakage per row: the fault, then the check that must name it. */
const DIAGNOSES: Array<{ name: string; provoke: (c: Chain) => void; id: string; status?: 'fail' | 'warn'; diagnosis: string; fix: RegExp; also?: Array<[string, string]>; evidence?: RegExp }> = [
  { name: 'wrong audience', provoke: (c) => c.op.setFaults({ audience: 'billing-api' }), id: 'token.audience', diagnosis: 'wrong-audience', fix: /Included Custom Audience equal one of gateway\.authorizer\.allowedAudiences/, also: [['mcp.tools-list', 'token-rejected-by-gateway']] },
  { name: 'only aud: account', provoke: (c) => c.op.setFaults({ audience: 'account' }), id: 'token.audience', diagnosis: 'audience-mapper-missing', fix: /add an audience mapper \(Included Custom Audience "mcp-gateway-demo"\)/ },
  { name: 'missing scope claim', provoke: (c) => c.op.setFaults({ omitScopeClaim: true }), id: 'token.scope', diagnosis: 'scope-not-in-token', fix: /Include in token scope/, also: [['mcp.tools-list', 'token-rejected-by-gateway']] },
  { name: 'wrong issuer', provoke: (c) => c.op.setFaults({ issuer: 'http://10.0.1.23:8080/realms/mcp-demo' }), id: 'as.issuer', diagnosis: 'issuer-mismatch', fix: /KC_HOSTNAME=https:\/\/auth\.agentcore-keycloak-example\.com/, also: [['token.issuer', 'issuer-mismatch']] },
  { name: 'expired token', provoke: (c) => c.op.setFaults({ expired: true }), id: 'token.lifetime', diagnosis: 'token-expired', fix: /clocks/ },
  { name: 'unexpected algorithm', provoke: (c) => c.op.setFaults({ algorithm: 'ES256' }), id: 'token.algorithm', diagnosis: 'unexpected-algorithm', fix: /Default signature algorithm/ },
  { name: 'discovery without S256', provoke: (c) => c.op.setFaults({ omitS256: true }), id: 'as.pkce', diagnosis: 'pkce-s256-missing', fix: /S256/ },
  { name: 'endpoints on http', provoke: (c) => c.op.setFaults({ httpEndpoints: true }), id: 'as.https', diagnosis: 'endpoint-not-https', fix: /KC_PROXY_HEADERS=xforwarded/ },
  { name: 'CIMD not advertised', provoke: (c) => c.op.setFaults({ omitCimdFlag: true }), id: 'as.cimd', diagnosis: 'cimd-not-advertised', fix: /--features=cimd/ },
  { name: 'long-lived token', provoke: (c) => c.op.setFaults({ lifetimeSeconds: 86_400 }), id: 'token.lifetime', status: 'warn', diagnosis: 'token-long-lived', fix: /Access Token Lifespan/ },
  { name: 'CIMD document with client_secret', provoke: (c) => c.cimd!.setFaults({ clientSecret: true }), id: 'cimd.secret', diagnosis: 'cimd-client-secret', fix: /rotate the leaked secret/ },
  { name: 'redirect host outside the trusted domains', provoke: (c) => c.cimd!.setFaults({ redirectHost: 'callback.attacker.example' }), id: 'cimd.redirect-uris', diagnosis: 'cimd-redirect-untrusted', fix: /cimd-allow-permitted-domains/ },
  { name: 'stale CIMD copy', provoke: (c) => {
    // An older document, then the current one; the host keeps serving the old.
    const current = renderCimdDocument(desired.cimd!).document;
    c.cimd!.publish({ ...current, client_name: 'MCP Inspector (old name)', scope: 'mcp:tools' });
    c.cimd!.publish(current);
    c.cimd!.setFaults({ stale: true });
  }, id: 'cimd.current', diagnosis: 'cimd-stale', fix: /publish the declared document.*allow Keycloak's cache time \(300 s \(5 min\)\)/, evidence: /differs from the declared one in client_name, scope .*Cache-Control "no-store": Keycloak keeps a fetched copy for 300 s \(5 min\) \(no-store: min-cache-time/ },
  { name: 'CIMD redirect', provoke: (c) => c.cimd!.setFaults({ redirect: true }), id: 'cimd.fetch', diagnosis: 'cimd-redirect', fix: /directly/ },
  { name: 'CIMD over 5,000 bytes', provoke: (c) => c.cimd!.setFaults({ oversize: true }), id: 'cimd.fetch', diagnosis: 'cimd-too-large', fix: /shorten/ },
  { name: 'gateway answering without resource_metadata', provoke: (c) => c.gateway.setFaults({ omitResourceMetadata: true }), id: 'rs.challenge', diagnosis: 'resource-metadata-missing', fix: /WWW-Authenticate/ },
  { name: 'token in the query string accepted', provoke: (c) => c.gateway.setFaults({ acceptQueryToken: true }), id: 'denied.query-token', diagnosis: 'query-token-accepted', fix: /only the Authorization header/ },
  { name: 'no token accepted', provoke: (c) => c.gateway.setFaults({ acceptAnyone: true }), id: 'denied.no-token', diagnosis: 'unauthenticated-accepted', fix: /CUSTOM_JWT authorizer/, also: [['rs.challenge', 'unauthenticated-accepted']] },
  { name: 'scope not enforced', provoke: (c) => c.gateway.setFaults({ skipScopeCheck: true }), id: 'denied.scope', diagnosis: 'scope-not-enforced', fix: /allowedScopes/ },
  { name: 'metadata for another resource', provoke: (c) => c.gateway.setFaults({ prmResource: `${GATEWAY_URL}/` }), id: 'rs.resource', diagnosis: 'resource-mismatch', fix: /trailing slash/ },
  { name: 'metadata naming another issuer', provoke: (c) => c.gateway.setFaults({ prmAuthorizationServers: ['https://auth.agentcore-keycloak-example.com/realms/master'] }), id: 'rs.authorization-servers', diagnosis: 'authorization-server-mismatch', fix: /discoveryUrl/ },
];

describe.each(DIAGNOSES)('$name', ({ provoke, id, status = 'fail', diagnosis, fix, also = [], evidence }) => {
  it(`is named ${diagnosis} at ${id}, with a fix`, async () => {
    // Prepare
    provoke(chain);
    // Act
    const report = await verify();
    // Assess
    const c = check(report, id);
    expect([c.status, c.diagnosis]).toEqual([status, diagnosis]);
    expect(c.fix).toMatch(fix);
    expect(c.evidence.length).toBeGreaterThan(20);
    if (evidence) expect(c.evidence).toMatch(evidence);
    for (const [otherId, otherDiagnosis] of also) expect(check(report, otherId).diagnosis).toBe(otherDiagnosis);
    expect(report.outcome).toBe(status);
    expect(report.failed).toBe(status === 'fail');
  });
});

describe('the canary and the peers themselves', () => {
  it('names a rejected canary secret and skips what needs a token', async () => {
    const report = await verify({ secret: { value: 'not-the-canary-secret' } });
    expect(check(report, 'token.obtain')).toMatchObject({ status: 'fail', diagnosis: 'canary-secret-rejected', observed: { status: 401, error: 'invalid_client' } });
    expect(['token.audience', 'mcp.tools-list', 'denied.scope'].map((i) => check(report, i).status)).toEqual(['skip', 'skip', 'skip']);
    expect(JSON.stringify(report)).not.toContain('not-the-canary-secret');
  });

  it('never sends the canary secret to a token endpoint on http or on another host, and says why the token checks were skipped', async () => {
    /** Every request that carried the canary's credentials (Basic header or form body). */
    const credentialed: string[] = [];
    const watching = (base: FetchLike): FetchLike => async (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (/^Basic /.test(new Headers(init?.headers).get('authorization') ?? '') || String(init?.body ?? '').includes('client_secret')) credentialed.push(url);
      return base(input, init);
    };
    // Keycloak behind a load balancer without KC_PROXY_HEADERS: every endpoint advertised on http.
    chain.op.setFaults({ httpEndpoints: true });
    const plain = await verify({ fetch: watching(chain.fetch) });
    expect(check(plain, 'as.https').status).toBe('fail');
    expect(check(plain, 'token.obtain')).toMatchObject({ status: 'skip' });
    expect(check(plain, 'token.obtain').evidence).toMatch(/the canary secret was not sent: the token endpoint http:\/\/auth\.agentcore-keycloak-example\.com\/\S+ is not https/);
    expect(check(plain, 'token.obtain').fix).toMatch(/KC_PROXY_HEADERS=xforwarded/);
    chain.heal();
    // A discovery document naming a token endpoint on another host.
    const elsewhere: FetchLike = async (input, init) => {
      const response = await chain.fetch(input, init);
      const url = input instanceof Request ? input.url : input.toString();
      if (url !== desired.gateway.authorizer.discoveryUrl) return response;
      const doc = (await response.json()) as Record<string, unknown>;
      return Response.json({ ...doc, token_endpoint: 'https://tokens.elsewhere.example/token' });
    };
    const foreign = await verify({ fetch: watching(elsewhere) });
    expect(check(foreign, 'token.obtain').evidence).toMatch(/not on https:\/\/auth\.agentcore-keycloak-example\.com, the origin of gateway\.authorizer\.discoveryUrl/);
    expect(['token.signature', 'mcp.tools-list', 'denied.scope'].map((i) => check(foreign, i).status)).toEqual(['skip', 'skip', 'skip']);
    expect(credentialed).toEqual([]);
    // The same watcher sees the credentials when the chain is healthy (so the assertion above can fail).
    await verify({ fetch: watching(chain.fetch) });
    expect(credentialed.length).toBeGreaterThan(0);
    expect(credentialed.every((u) => u.startsWith('https://auth.agentcore-keycloak-example.com/'))).toBe(true);
  });

  it('uses a token without any scope when the realm refuses the denied scope (Keycloak answers invalid_scope)', async () => {
    // Keycloak rejects an unknown scope at the token endpoint where oidc-provider drops it; this
    // wrapper answers the denied-scope request the way Keycloak does and passes everything else on.
    const asKeycloak: FetchLike = async (input, init) => {
      if (String(init?.body ?? '').includes('scope=mcp%3Afail')) {
        return new Response(JSON.stringify({ error: 'invalid_scope', error_description: 'Invalid scopes: mcp:fail' }), { status: 400, headers: { 'content-type': 'application/json' } });
      }
      return chain.fetch(input, init);
    };
    const report = await verify({ fetch: asKeycloak });
    expect(check(report, 'denied.scope')).toMatchObject({ status: 'pass' });
    expect(check(report, 'denied.scope').evidence).toMatch(/^a token requested with no scope \(scope claim null\) got 403 insufficient_scope/);
  });

  it('names an unreachable authorization server and gateway', async () => {
    const refused = await closedOrigin();
    const dead: FetchLike = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input.toString());
      return fetch(new URL(`${url.pathname}${url.search}`, refused), init);
    };
    const report = await verify({ fetch: dead });
    expect(check(report, 'as.discovery')).toMatchObject({ status: 'fail', diagnosis: 'unreachable' });
    expect(check(report, 'as.discovery').fix).toMatch(/auth\.agentcore-keycloak-example\.com reachable/);
    expect(check(report, 'rs.challenge')).toMatchObject({ status: 'fail', diagnosis: 'unreachable' });
    expect(check(report, 'token.obtain').status).toBe('skip');
  });

  it('skips the gateway checks without a gateway URL, and the token checks without a canary', async () => {
    const noCanary = seedWith((r) => delete r.keycloak.realm.canaryClient);
    const report = await verifyChain(noCanary, { fetch: chain.fetch, now: () => new Date() });
    const byStatus = (s: string) => report.checks.filter((c) => c.status === s).map((c) => c.id);
    expect(byStatus('fail')).toEqual([]);
    expect(byStatus('skip')).toEqual(expect.arrayContaining(['rs.challenge', 'token.obtain', 'mcp.tools-list', 'denied.no-token', 'denied.query-token']));
    expect(check(report, 'rs.challenge').fix).toMatch(/--gateway-url/);
    expect(check(report, 'token.obtain').fix).toMatch(/canaryClient/);
    expect(byStatus('pass')).toEqual(expect.arrayContaining(['as.discovery', 'as.jwks', 'cimd.current']));
  });

  it('falls back to the root well-known metadata when the challenge names none', async () => {
    chain.gateway.setFaults({ omitResourceMetadata: true });
    const report = await verify();
    expect(check(report, 'rs.metadata')).toMatchObject({ status: 'pass' });
    expect(check(report, 'rs.metadata').evidence).toMatch(/root well-known URL/);
  });

  it('reports only (no failure) with failOn: never, and fails on warnings with failOn: warn', async () => {
    chain.op.setFaults({ lifetimeSeconds: 86_400 });
    const never = await verify({ desired: seedWith((r) => { r.gateway.authorizer.allowedClients = ['keygate-canary']; r.verify.failOn = 'never'; }) });
    const strict = await verify({ desired: seedWith((r) => { r.gateway.authorizer.allowedClients = ['keygate-canary']; r.verify.failOn = 'warn'; }) });
    expect([never.outcome, never.failed]).toEqual(['warn', false]);
    expect([strict.outcome, strict.failed]).toEqual(['warn', true]);
  });
});
