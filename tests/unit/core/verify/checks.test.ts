import { checkDiscovery, checkJwks } from '../../../../functions/core/verify/authorization-server';
import { checkCimdDocument } from '../../../../functions/core/verify/cimd';
import { expectationsFor, issuerOf } from '../../../../functions/core/verify/expectations';
import { checkDeniedScope, checkQueryToken, checkToolCall, checkToolList } from '../../../../functions/core/verify/mcp';
import type { HttpObservation } from '../../../../functions/core/verify/observation';
import { checkUnauthenticated, parseWwwAuthenticate, resourceMetadataUrl } from '../../../../functions/core/verify/protected-resource';
import { buildReport, failingChecks, isFailure, type Check } from '../../../../functions/core/verify/report';
import { checkAlgorithm, checkClaims, checkSignature, checkTokenResponse, claimSubset } from '../../../../functions/core/verify/token';
import { seedDesired, seedWith } from '../../../support/seed';

const GW = 'https://gw-1.gateway.bedrock-agentcore.eu-central-1.amazonaws.com/mcp';
const ISSUER = 'https://auth.agentcore-keycloak-example.com/realms/mcp-demo';
const expect_ = expectationsFor(seedDesired(), { gatewayUrl: GW });
const NOW = new Date('2026-11-21T10:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const response = (status: number, body: unknown, headers: Record<string, string> = {}): HttpObservation => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { kind: 'response', url: 'https://x.example/y', status, headers, text, bytes: Buffer.byteLength(text) };
};
const byId = (checks: Check[], id: string) => checks.find((c) => c.id === id)!;

describe('expectations', () => {
  it('derives the issuer from the discovery URL and carries the document settings', () => {
    expect(issuerOf(`${ISSUER}/.well-known/openid-configuration`)).toBe(ISSUER);
    expect(expect_).toMatchObject({ issuer: ISSUER, gatewayUrl: GW, audiences: ['mcp-gateway-demo'], scopes: ['mcp:tools'], targets: ['my-mcp-server'], canaryClientId: 'keygate-canary', deniedScope: 'mcp:fail', algorithms: ['RS256'] });
    expect(expect_.cimd).toMatchObject({ url: 'https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json', trustConfigured: true, trustedDomains: ['cimd.agentcore-keycloak-example.com', '127.0.0.1'] });
    expect(expectationsFor(seedWith((r) => (r.verify.gatewayUrl = 'https://from-document.example.com/mcp'))).gatewayUrl).toBe('https://from-document.example.com/mcp');
  });
});

describe('parseWwwAuthenticate', () => {
  it.each([
    ['Bearer error="invalid_token", scope="mcp:tools", resource_metadata="https://gw/.well-known/oauth-protected-resource"', { scheme: 'Bearer', params: { error: 'invalid_token', scope: 'mcp:tools', resource_metadata: 'https://gw/.well-known/oauth-protected-resource' } }],
    ['bearer Error=insufficient_scope,Scope="a b"', { scheme: 'bearer', params: { error: 'insufficient_scope', scope: 'a b' } }],
    ['Bearer realm="say \\"hi\\", ok"', { scheme: 'Bearer', params: { realm: 'say "hi", ok' } }],
    ['Bearer', { scheme: 'Bearer', params: {} }],
    ['', undefined],
  ])('%s', (header, parsed) => expect(parseWwwAuthenticate(header)).toEqual(parsed));
});

describe('authorization server', () => {
  it.each([
    [response(404, 'Not found'), 'discovery-unavailable'],
    [response(200, '<html>login</html>'), 'discovery-not-json'],
    [response(200, { issuer: ISSUER }), 'discovery-incomplete'],
    [{ kind: 'unreachable', url: 'https://x', error: 'ENOTFOUND' } as HttpObservation, 'unreachable'],
  ])('names an unusable discovery document (%#)', (obs, diagnosis) => {
    const { checks, metadata } = checkDiscovery(obs, expect_);
    expect(byId(checks, 'as.discovery').diagnosis).toBe(diagnosis);
    if (diagnosis !== 'discovery-incomplete') expect(checks.slice(1).every((c) => c.status === 'skip')).toBe(true);
    expect(metadata).toBeUndefined();
  });

  it('accepts plain next to S256 (Keycloak lists both) and names a missing CIMD flag only when CIMD is configured', () => {
    const doc = { issuer: ISSUER, authorization_endpoint: `${ISSUER}/auth`, token_endpoint: `${ISSUER}/token`, jwks_uri: `${ISSUER}/certs`, code_challenge_methods_supported: ['plain', 'S256'] };
    expect(byId(checkDiscovery(response(200, doc), expect_).checks, 'as.pkce').status).toBe('pass');
    expect(byId(checkDiscovery(response(200, doc), expect_).checks, 'as.cimd').diagnosis).toBe('cimd-not-advertised');
    expect(byId(checkDiscovery(response(200, doc), expectationsFor(seedWith((r) => delete r.cimd))).checks, 'as.cimd').status).toBe('skip');
    expect(byId(checkDiscovery(response(200, { ...doc, code_challenge_methods_supported: ['plain'] }), expect_).checks, 'as.pkce').evidence).toMatch(/without S256/);
  });

  it('judges the key set: encryption keys do not count, a key without alg counts by family', () => {
    expect(checkJwks({ keys: [{ kty: 'RSA', kid: 'enc', alg: 'RSA-OAEP', use: 'enc' }] }, ['RS256'], 'https://kc/certs').diagnosis).toBe('jwks-no-usable-key');
    expect(checkJwks({ keys: [{ kty: 'RSA', kid: 'k' }] }, ['RS256'], 'https://kc/certs').status).toBe('pass');
    expect(checkJwks({ keys: [{ kty: 'EC', kid: 'k', crv: 'P-256' }] }, ['RS256'], 'https://kc/certs').status).toBe('fail');
    expect(checkJwks({ error: 'timed out', unreachable: true }, ['RS256'], 'https://kc/certs').diagnosis).toBe('unreachable');
  });
});

describe('protected resource', () => {
  it.each([
    [response(200, {}), 'unauthenticated-accepted', 'fail'],
    [response(403, { Message: 'denied' }), 'resource-policy-denied', 'skip'],
    [response(404, {}), 'unexpected-status', 'fail'],
    [response(401, {}), 'challenge-missing', 'pass'],
    [response(401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' }), 'resource-metadata-missing', 'pass'],
    [response(401, {}, { 'www-authenticate': 'Bearer resource_metadata="https://gw/.well-known/oauth-protected-resource"' }), 'challenge-scope-missing', 'pass'],
  ])('judges an unauthenticated answer (%#)', (obs, diagnosis, noToken) => {
    const [challenge, denied] = checkUnauthenticated(obs);
    expect(challenge!.diagnosis).toBe(diagnosis);
    expect(denied!.status).toBe(noToken);
  });

  it('uses the challenge URL for the metadata, else the root well-known URL', () => {
    const withHeader = response(401, {}, { 'www-authenticate': 'Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource/mcp"' });
    expect(resourceMetadataUrl(withHeader, GW)).toEqual({ url: 'https://gw.example/.well-known/oauth-protected-resource/mcp', source: 'header' });
    expect(resourceMetadataUrl(response(401, {}), GW)).toEqual({ url: 'https://gw-1.gateway.bedrock-agentcore.eu-central-1.amazonaws.com/.well-known/oauth-protected-resource', source: 'well-known' });
  });
});

describe('token', () => {
  const good = { iss: ISSUER, aud: ['mcp-gateway-demo', 'account'], scope: 'profile mcp:tools', client_id: 'keygate-canary', azp: 'keygate-canary', iat: T - 10, exp: T + 290, jti: 'j', sub: 's' };
  const claims = (p: Record<string, unknown>, e = expect_) => Object.fromEntries(checkClaims(p, e, NOW).map((c) => [c.id, c.diagnosis ?? c.status]));

  it('passes a Keycloak-shaped token and reports only the claim subset', () => {
    expect(claims(good)).toEqual({ 'token.issuer': 'pass', 'token.audience': 'pass', 'token.scope': 'pass', 'token.lifetime': 'pass', 'token.client': 'skip' });
    expect(claimSubset(good, { alg: 'RS256', kid: 'k', typ: 'JWT', x5c: ['…'] })).toEqual({ alg: 'RS256', kid: 'k', typ: 'JWT', iss: ISSUER, aud: good.aud, scope: good.scope, client_id: 'keygate-canary', azp: 'keygate-canary', iat: good.iat, exp: good.exp });
  });

  it.each([
    [{ aud: undefined }, 'token.audience', 'audience-mapper-missing'],
    [{ aud: ['account'] }, 'token.audience', 'audience-mapper-missing'],
    [{ aud: 'api://other' }, 'token.audience', 'wrong-audience'],
    [{ scope: 'profile email' }, 'token.scope', 'scope-not-in-token'],
    [{ scope: undefined }, 'token.scope', 'scope-not-in-token'],
    [{ iss: 'http://localhost:8080/realms/mcp-demo' }, 'token.issuer', 'issuer-mismatch'],
    [{ exp: undefined }, 'token.lifetime', 'expiry-missing'],
    [{ exp: T - 31 }, 'token.lifetime', 'token-expired'],
    [{ exp: T - 29 }, 'token.lifetime', 'pass'],
    [{ nbf: T + 60 }, 'token.lifetime', 'token-not-yet-valid'],
    [{ iat: undefined }, 'token.lifetime', 'issued-at-missing'],
    [{ exp: T + 7200, iat: T - 10 }, 'token.lifetime', 'token-long-lived'],
  ])('names %j at %s', (edit, id, diagnosis) => {
    const p: Record<string, unknown> = { ...good, ...edit };
    for (const [k, v] of Object.entries(edit)) if (v === undefined) delete p[k];
    expect(claims(p)[id]).toBe(diagnosis);
  });

  it('warns when the gateway checks no audience, and judges allowed clients by client_id (azp only is a warning)', () => {
    expect(claims(good, expectationsFor(seedWith((r) => (r.gateway.authorizer.allowedAudiences = [])), { gatewayUrl: GW }))['token.audience']).toBe('audience-unrestricted');
    const bound = expectationsFor(seedWith((r) => {
      r.keycloak.version = '26.7.3';
      r.keycloak.realm.audienceBinding = { strategy: 'resource-indicator', resource: GW };
      r.gateway.authorizer.allowedAudiences = [GW];
    }), { gatewayUrl: GW });
    expect(claims({ ...good, aud: GW }, bound)['token.audience']).toBe('pass');
    expect(claims({ ...good, aud: ['mcp-gateway-demo', 'account'] }, bound)['token.audience']).toBe('resource-indicators-off');
    expect(claims({ ...good, aud: 'someone-else' }, bound)['token.audience']).toBe('wrong-audience');
    const restricted = expectationsFor(seedWith((r) => (r.gateway.authorizer.allowedClients = ['keygate-canary'])));
    expect(claims(good, restricted)['token.client']).toBe('pass');
    expect(claims({ ...good, client_id: undefined }, restricted)['token.client']).toBe('client-id-claim-missing');
    expect(claims({ ...good, client_id: 'other', azp: 'other' }, restricted)['token.client']).toBe('client-not-allowed');
  });

  it('maps token endpoint errors and jose errors to diagnoses', () => {
    const err = (status: number, error: string) => checkTokenResponse(response(status, { error, error_description: 'x' }), 'keygate-canary').check.diagnosis;
    expect([err(401, 'invalid_client'), err(400, 'unauthorized_client'), err(400, 'invalid_scope'), err(400, 'invalid_target'), err(500, 'server_error')]).toEqual(['canary-secret-rejected', 'canary-grant-disabled', 'canary-scope-not-allowed', 'resource-indicators-unbound', 'token-request-failed']);
    // With a resource-indicator binding: invalid_target means the realm lacks the resource client; a 500 is Keycloak 26.7.3's NullPointerException.
    const binding = { resourceBinding: { resource: 'https://gw.example.com/mcp', clientId: 'mcp-gateway-demo' }, resourceRequested: true };
    expect(checkTokenResponse(response(400, { error: 'invalid_target' }), 'keygate-canary', 'obtain', binding).check).toMatchObject({ diagnosis: 'resource-not-accepted', fix: expect.stringMatching(/client mcp-gateway-demo with that resource_url/) });
    expect(checkTokenResponse(response(500, { error: 'unknown_error' }), 'keygate-canary', 'obtain', binding).check.diagnosis).toBe('resource-indicator-server-error');
    expect(checkTokenResponse(response(200, { access_token: 'eyJx', token_type: 'Bearer' }), 'c')).toMatchObject({ accessToken: 'eyJx', check: { status: 'pass' } });
    const sig = (code: string) => checkSignature({ verified: false, signatureValid: false, code, message: 'm' }, 'https://kc/certs').diagnosis;
    expect([sig('ERR_JWKS_NO_MATCHING_KEY'), sig('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'), sig('ERR_JWS_INVALID')]).toEqual(['signing-key-unknown', 'signature-invalid', 'token-unverifiable']);
    expect(checkSignature({ verified: false, signatureValid: true, code: 'ERR_JWT_EXPIRED', payload: {} }, 'https://kc/certs').status).toBe('pass');
    expect(checkAlgorithm({ alg: 'HS256' }, ['RS256']).diagnosis).toBe('unexpected-algorithm');
  });
});

describe('MCP calls and denied calls', () => {
  it('names targets without tools and expected tools that are missing', () => {
    const e = expectationsFor(seedDesired(), { gatewayUrl: GW });
    const checks = checkToolList({ ok: true, tools: ['my-mcp-server___add_numbers', 'other___x'] }, e);
    expect(checks.map((c) => c.diagnosis ?? c.status)).toEqual(['pass', 'pass', 'expected-tool-missing']);
    expect(byId(checks, 'mcp.expected-tools').observed).toEqual({ missing: ['my-mcp-server___multiply_numbers', 'my-mcp-server___greet_user'] });
    const twoTargets = expectationsFor(seedWith((r) => r.targets.push({ name: 'billing', endpoint: 'https://billing.example.com/mcp' })), { gatewayUrl: GW });
    expect(byId(checkToolList({ ok: true, tools: ['my-mcp-server___add_numbers'] }, twoTargets), 'mcp.targets').diagnosis).toBe('target-tools-missing');
    expect(checkToolList({ ok: false, status: 403, challenge: 'Bearer error="insufficient_scope"', error: 'x' }, e)[0]!.fix).toMatch(/allowedScopes/);
  });

  it('judges tool results', () => {
    const call = { tool: 'my-mcp-server___add_numbers', arguments: { a: 2, b: 3 }, expectText: '5' };
    expect(checkToolCall(call, { ok: true, isError: false, text: '5' }).status).toBe('pass');
    expect(checkToolCall(call, { ok: true, isError: false, text: '6' }).diagnosis).toBe('tool-result-unexpected');
    expect(checkToolCall(call, { ok: true, isError: true, text: 'boom' }).diagnosis).toBe('tool-call-error');
    expect(checkToolCall(call, { ok: false, error: 'Unknown tool' }).diagnosis).toBe('tool-call-failed');
  });

  it('cannot test the scope check when the realm grants the scope anyway', () => {
    expect(checkDeniedScope({ requested: 'mcp:fail', scope: 'mcp:tools' }, response(200, {}), expect_).diagnosis).toBe('denied-scope-granted');
    expect(checkDeniedScope({ requested: undefined, scope: undefined }, response(200, {}), expect_).diagnosis).toBe('scope-not-enforced');
    expect(checkQueryToken(response(400, {})).status).toBe('warn');
  });
});

describe('CIMD document', () => {
  const doc = () => ({ ...expect_.cimd!.document });
  it.each([
    [response(200, { ...doc(), client_id: 'https://cimd.example.com/other.json' }, { 'content-type': 'application/json' }), 'cimd.client-id', 'cimd-client-id-mismatch'],
    [response(200, { ...doc(), redirect_uris: [] }, { 'content-type': 'application/json' }), 'cimd.redirect-uris', 'cimd-redirect-uris-missing'],
    [response(200, { ...doc(), token_endpoint_auth_method: 'client_secret_post' }, { 'content-type': 'application/json' }), 'cimd.secret', 'cimd-client-secret'],
    [response(200, doc(), { 'content-type': 'text/plain' }), 'cimd.fetch', 'cimd-content-type'],
    [response(200, 'not json', { 'content-type': 'application/json' }), 'cimd.fetch', 'cimd-not-json'],
    [response(404, 'no'), 'cimd.fetch', 'cimd-unavailable'],
  ])('names a bad document (%#)', (obs, id, diagnosis) => expect(byId(checkCimdDocument(obs, expect_), id).diagnosis).toBe(diagnosis));

  // A web server serves whatever file stands at the path: its content never goes into a diagnosis, except
  // a short, escaped prefix of what starts like JSON.
  it.each([
    ['a password file', 'root:MARKER-7e2:19000:0:99999:7:::\n', /^the document is not JSON \(\d+ characters, not starting with \{ or \[: not quoted\)$/],
    ['HTML', '<html><body>MARKER-7e2</body></html>', /not starting with \{ or \[: not quoted/],
  ])('never quotes a body that is not JSON (%s)', (_, body, evidence) => {
    const fetch = byId(checkCimdDocument(response(200, body, { 'content-type': 'application/json' }), expect_), 'cimd.fetch');
    expect(fetch).toMatchObject({ status: 'fail', diagnosis: 'cimd-not-json', evidence: expect.stringMatching(evidence) });
    expect(JSON.stringify(fetch)).not.toContain('MARKER');
  });

  it('quotes at most 40 characters of a body that starts like JSON, with control characters and bidi overrides escaped', () => {
    const body = `{"client_id":"\u001b[2J\u202e${'x'.repeat(30)}MARKER-7e2"`;
    const fetch = byId(checkCimdDocument(response(200, body, { 'content-type': 'application/json' }), expect_), 'cimd.fetch');
    expect(fetch.evidence).toMatch(/^the document is not valid JSON \(starts with "\{\\"client_id\\":\\"\\u001b\[2J\\u202ex+"…\)$/);
    expect(fetch.evidence).not.toMatch(/[\u001b\u202e]/);
    expect(fetch.evidence).not.toContain('MARKER');
  });

  it('never quotes another client\'s document: the client_id by length only, its other fields not judged', () => {
    const other = { ...doc(), client_id: 'https://cimd.example.com/MARKER-7e2.json', redirect_uris: ['https://MARKER-7e2.example.com/cb'], client_name: 'MARKER-7e2' };
    const checks = checkCimdDocument(response(200, other, { 'content-type': 'application/json' }), expect_);
    expect(byId(checks, 'cimd.client-id')).toMatchObject({ status: 'fail', diagnosis: 'cimd-client-id-mismatch', evidence: expect.stringContaining('has a client_id of 40 characters, not the document URL') });
    expect(byId(checks, 'cimd.redirect-uris').status).toBe('skip');
    expect(byId(checks, 'cimd.current').status).toBe('skip');
    expect(JSON.stringify(checks)).not.toContain('MARKER');
  });

  it('checks redirect hosts against trusted domains only when a CIMD executor exists', () => {
    const untrusted = response(200, { ...doc(), redirect_uris: ['https://elsewhere.example/cb'] }, { 'content-type': 'application/json' });
    expect(byId(checkCimdDocument(untrusted, expect_), 'cimd.redirect-uris').diagnosis).toBe('cimd-redirect-untrusted');
    const noExecutor = expectationsFor(seedWith((r) => r.keycloak.realm.clientPolicies.splice(0, 1)));
    expect(byId(checkCimdDocument(untrusted, noExecutor), 'cimd.redirect-uris').status).toBe('pass');
  });
});

describe('report', () => {
  const c = (id: string, status: Check['status'], group: Check['group'] = 'token'): Check => ({ id, group, status, evidence: 'e', fix: 'f' });
  it('orders by group, counts, and applies failOn', () => {
    const report = buildReport({ issuer: ISSUER, checks: [c('cimd.fetch', 'warn', 'cimd'), c('token.obtain', 'pass'), c('as.discovery', 'skip', 'authorization-server')], failOn: 'fail', startedAt: NOW, finishedAt: NOW });
    expect(report.checks.map((x) => x.id)).toEqual(['as.discovery', 'token.obtain', 'cimd.fetch']);
    expect(report).toMatchObject({ outcome: 'warn', failed: false, summary: { pass: 1, fail: 0, warn: 1, skip: 1 }, startedAt: '2026-11-21T10:00:00.000Z' });
    expect(failingChecks(report, 'warn').map((x) => x.id)).toEqual(['cimd.fetch']);
    expect(failingChecks(report, 'never')).toEqual([]);
  });

  it.each([
    ['pass', 'fail', false], ['warn', 'fail', false], ['fail', 'fail', true],
    ['warn', 'warn', true], ['pass', 'warn', false], ['fail', 'never', false],
  ] as const)('%s under failOn %s fails: %s', (outcome, failOn, failed) => expect(isFailure(outcome, failOn)).toBe(failed));
});
