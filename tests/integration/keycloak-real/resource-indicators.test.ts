import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../cli/login/browser';
import { runLogin } from '../../../cli/login/flow';
import { startEdge, type Edge } from '../../../emulators/edge';
import { requestClientCredentialsToken } from '../../../functions/adapters/verify/token-client';
import { verifyChain } from '../../../functions/adapters/verify/verify-chain';
import type { DesiredState } from '../../../functions/core/desired/document';
import { lintDesiredState } from '../../../functions/core/lint';
import { expectationsFor } from '../../../functions/core/verify/expectations';
import { checkLogin } from '../../../functions/core/verify/login';
import type { Check, VerificationReport } from '../../../functions/core/verify/report';
import { startKeycloakServer, type KeycloakServer } from '../../../scripts/keycloak/server';
import { prepareKeycloakTrust } from '../../../scripts/tls/keycloak-trust';
import { connect, type RealKeycloak } from '../../support/real-keycloak';
import { SECRETS, startRealRealmHarness, type RealRealmHarness } from '../../support/realm-harness';

// RFC 8707 resource indicators on a real Keycloak 26.7.3 of this file's own, built with
// --features=cimd,resource-indicators (experimental in 26.7): keygate provisions the seed with
// `audienceBinding.strategy: resource-indicator` through SSM and the host executor; the canary's and
// alice's tokens, requested with resource=<the gateway URL>, carry exactly that URL as aud (checked with
// jose); the gateway peer accepts only that audience, in MCP 2026-07-28 and 2025-11-25. On the same
// server the seed's audience-mapper strategy is refused with a named diagnosis (Keycloak answers
// invalid_target to every request with resource). With the feature off (the run's shared server),
// the resource-indicator strategy is named too (resource-indicators-off).

const VERSIONS = ['2026-07-28', '2025-11-25'];
let server: KeycloakServer | undefined;
let kc: RealKeycloak;
let edge: Edge;
let h: RealRealmHarness;
let mapperRealm: RealRealmHarness;
let browser: Browser;
let dir: string;
let runMachine: typeof import('../../support/local-machine').runMachine;

/** The seed on this edge, bound by resource indicator to the gateway URL, speaking both MCP eras. */
const bindByResource = (realm: string) => (raw: Record<string, any>) => {
  edge.pointDocument(raw, realm);
  raw.keycloak.version = '26.7.3';
  raw.keycloak.realm.audienceBinding = { strategy: 'resource-indicator', resource: edge.gatewayUrl };
  raw.gateway.authorizer.allowedAudiences = [edge.gatewayUrl];
  raw.gateway.protocol = { supportedVersions: ['2025-11-25', '2026-07-28'] };
  raw.gateway.authorizer.allowedClients = [];
  raw.verify.gatewayUrl = edge.gatewayUrl;
  // Without refresh_token Keycloak 26.7.3 answers the code exchange with 500 (lint resource-indicator-refresh-token).
  raw.cimd.document.grant_types = ['authorization_code', 'refresh_token'];
};

async function provision(desired: DesiredState, realm: string): Promise<void> {
  const run = await runMachine('reconcile-realm.asl.json', { desiredState: desired }, { pendingIntervalMs: 1000 });
  if (run.error) throw new Error(`provisioning ${realm}: ${run.error.name}: ${run.error.cause}`);
}

const verify = (desired: DesiredState): Promise<VerificationReport> =>
  verifyChain(desired, { gatewayUrl: edge.gatewayUrl, canarySecret: { value: SECRETS.canary }, fetch: edge.fetch, now: () => new Date() });
/** Keycloak's own words for a 500 (its log holds no secret of this test: errors only, first lines). */
const serverErrors = () => [...(server?.log() ?? '').matchAll(/Uncaught server error: [^\n]*\n[^\n]*\n[^\n]*/g)].map((m) => m[0]);
const check = (report: VerificationReport, id: string): Check => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
};

beforeAll(async () => {
  ({ runMachine } = await import('../../support/local-machine'));
  dir = mkdtempSync(join(tmpdir(), 'keygate-ri-'));
  const trust = prepareKeycloakTrust(dir);
  server = await startKeycloakServer({ build: 'cimd-resource-indicators', ...trust.serverOptions });
  kc = connect({ version: server.version, url: server.url, managementUrl: server.managementUrl, admin: server.admin });
  edge = await startEdge({ ca: trust.ca, keycloakUrl: server.url });
  // A fresh server's first realm takes long on a loaded machine (its code is cold), longer than the host
  // executor's 30 s per admin call: make one first, with no time limit, so that keygate meets a warm server.
  await kc.deleteRealm(await kc.freshRealm('warm-up'));
  const realm = kc.realmName('ri');
  h = await startRealRealmHarness(kc, 'ri', { realm, edit: bindByResource(realm) });
  await provision(h.desired, realm);
  await edge.serve(h.desired);
  browser = (await launchChromium(edge.browser)).browser;
}, 15 * 60_000);
afterAll(async () => {
  await browser?.close();
  await edge?.close();
  await h?.close();
  await mapperRealm?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
// Logins and verification on the shared 2-vCPU machine take seconds each: a bound, not an expectation.
jest.setTimeout(180_000);

describe('Keycloak 26.7.3 with --features=resource-indicators, strategy resource-indicator', () => {
  it('lint passes, and the server reports the experimental feature on', async () => {
    expect(lintDesiredState(h.desired).filter((f) => f.severity === 'error')).toEqual([]);
    const info = await kc.ok('GET', '/admin/serverinfo');
    expect((info.features as Array<{ name: string; enabled: boolean; type: string }>).find((f) => f.name === 'RESOURCE_INDICATORS')).toMatchObject({ enabled: true, type: 'EXPERIMENTAL' });
  });

  it('the reconciler keeps the resource client (bearer-only, resource_url = the gateway URL) and the canary\'s refresh-token workaround, and converges', async () => {
    const [resource] = await kc.ok('GET', `/admin/realms/${h.realm}/clients?clientId=mcp-gateway-demo`);
    expect(resource).toMatchObject({ bearerOnly: true, publicClient: false, standardFlowEnabled: false, attributes: { resource_url: edge.gatewayUrl } });
    const [canary] = await kc.ok('GET', `/admin/realms/${h.realm}/clients?clientId=keygate-canary`);
    expect(canary.attributes).toMatchObject({ 'client_credentials.use_refresh_token': 'true' });
    // A second run writes nothing.
    const writes = h.proxy.writes().length;
    await provision(h.desired, h.realm);
    expect(h.proxy.writes().slice(writes)).toEqual([]);
  });

  it('verification passes in both MCP versions: the canary token, requested with resource, has aud = [the gateway URL] (jose)', async () => {
    // Act
    const report = await verify(h.desired);
    // Assess
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => `${c.id} ${c.diagnosis} ${c.evidence}`)).toEqual([]);
    expect(check(report, 'token.audience')).toMatchObject({ status: 'pass', observed: { aud: edge.gatewayUrl } });
    expect(check(report, 'token.audience').evidence).toMatch(/is the resource the token was requested for \(RFC 8707\)/);
    expect(check(report, 'rs.resource').status).toBe('pass');
    expect(check(report, 'as.iss-parameter').status).toBe('pass');
    for (const v of VERSIONS) expect(check(report, `mcp.call.my-mcp-server___add_numbers@${v}`)).toMatchObject({ status: 'pass', mcpVersion: v });
  });

  it('Keycloak binds aud to the resource only when asked: without resource the token keeps the mapper\'s audience, which the gateway refuses', async () => {
    const tokenUrl = `${edge.origins.auth}/realms/${h.realm}/protocol/openid-connect/token`;
    const without = await requestClientCredentialsToken(edge.fetch, tokenUrl, { clientId: 'keygate-canary', secret: SECRETS.canary }, { scope: 'mcp:tools' });
    const unbound = [decodeJwt(JSON.parse((without as { text: string }).text).access_token).aud].flat();
    expect(unbound).toContain('mcp-gateway-demo');
    expect(unbound).not.toContain(edge.gatewayUrl);
    const other = await requestClientCredentialsToken(edge.fetch, tokenUrl, { clientId: 'keygate-canary', secret: SECRETS.canary }, { scope: 'mcp:tools', resource: `${edge.gatewayUrl}/` });
    expect(other).toMatchObject({ status: 400 });
    expect(JSON.parse((other as { text: string }).text)).toMatchObject({ error: 'invalid_target' });
  });

  it.each(VERSIONS)('alice logs in with the CIMD client in MCP %s: resource in both requests, aud = the gateway URL, tools called', async (version) => {
    // Act
    const run = await runLogin({
      gatewayUrl: edge.gatewayUrl,
      clientMetadataUrl: h.desired.cimd!.url,
      user: { username: 'alice', password: SECRETS.alice },
      fetch: edge.fetch,
      browser,
      toolCalls: [{ tool: 'my-mcp-server___add_numbers', arguments: { a: 2, b: 3 }, expectText: '5' }],
      mcpVersion: version,
    });
    // Assess
    const checks = checkLogin(run, { ...expectationsFor(h.desired, { gatewayUrl: edge.gatewayUrl }) }, new Date());
    expect({ problems: checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => `${c.id} ${c.evidence}`), refused: run.requests.client.filter((r) => r.status >= 400 && !r.url.endsWith('/mcp')), log: serverErrors() }).toEqual({ problems: [], refused: [], log: [] });
    expect(run.authorizationRequest).toMatchObject({ resource: edge.gatewayUrl, clientId: h.desired.cimd!.url, codeChallengeMethod: 'S256' });
    expect(run.callback).toMatchObject({ code: true, stateMatches: true, iss: `${edge.origins.auth}/realms/${h.realm}` });
    expect(run.token).toMatchObject({ ok: true, claims: { aud: edge.gatewayUrl, azp: h.desired.cimd!.url } });
    expect(run.tools).toMatchObject({ ok: true, protocolVersion: version });
    expect(run.calls).toEqual([{ ok: true, isError: false, text: '5' }]);
    // The token request carried the same resource (the SDK sends it; Keycloak refuses a different one).
    expect(run.requests.client.filter((r) => r.url.endsWith('/protocol/openid-connect/token')).map((r) => r.status)).toEqual([200]);
  });
});

describe('what Keycloak 26.7.3 does to a CIMD client without refresh_token, named by lint first', () => {
  it('the code exchange with resource fails with HTTP 500 (a NullPointerException in ResourceIndicatorsPostProcessor)', async () => {
    // Prepare: a CIMD client of its own whose document lists authorization_code only (the seed's).
    const clientId = await edge.serveDocument('/oauth/no-refresh.json', { client_name: 'no refresh', redirect_uris: ['http://127.0.0.1/oauth/callback'], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' });
    expect(lintDesiredState(h.desiredWith((raw) => (raw.cimd.document.grant_types = ['authorization_code']))).map((f) => f.ruleId)).toContain('resource-indicator-refresh-token');
    // Act
    const run = await runLogin({ gatewayUrl: edge.gatewayUrl, clientMetadataUrl: clientId, user: { username: 'alice', password: SECRETS.alice }, fetch: edge.fetch, browser, mcpVersion: '2026-07-28' });
    // Assess
    expect(run.token).toMatchObject({ ok: false });
    expect(run.requests.client.find((r) => r.url.endsWith('/protocol/openid-connect/token'))).toMatchObject({ status: 500, error: expect.stringMatching(/^unknown_error/) });
    expect(serverErrors().join('\n')).toMatch(/NullPointerException: Cannot invoke "org\.keycloak\.representations\.RefreshToken\.getOtherClaims\(\)"[\s\S]*ResourceIndicatorsPostProcessor\.java:66/);
  });
});

describe('the same server, strategy audience-mapper (the seed as it is)', () => {
  it('is refused with resource-indicators-unbound: every request with resource gets invalid_target', async () => {
    // Prepare: the seed's binding (the mapper's audience allowed) in a realm of its own.
    const realm = kc.realmName('ri-mapper');
    mapperRealm = await startRealRealmHarness(kc, 'ri-mapper', {
      realm,
      edit: (raw) => {
        bindByResource(realm)(raw);
        raw.keycloak.realm.audienceBinding = { strategy: 'audience-mapper' };
        raw.gateway.authorizer.allowedAudiences = ['mcp-gateway-demo'];
      },
    });
    await provision(mapperRealm.desired, realm);
    // Act
    const report = await verifyChain(mapperRealm.desired, { canarySecret: { value: SECRETS.canary }, fetch: edge.fetch, now: () => new Date(), gatewayUrl: edge.gatewayUrl });
    // Assess
    expect(check(report, 'token.obtain')).toMatchObject({ status: 'fail', diagnosis: 'resource-indicators-unbound', observed: { status: 400, error: 'invalid_target' } });
    expect(check(report, 'token.obtain').fix).toMatch(/strategy: resource-indicator/);
  });
});
