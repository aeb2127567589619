import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../cli/login/browser';
import { runLogin } from '../../../cli/login/flow';
import { startEdge, type Edge } from '../../../emulators/edge';
import { expectationsFor } from '../../../functions/core/verify/expectations';
import { checkLogin, type LoginRun } from '../../../functions/core/verify/login';
import { loadLocalCa } from '../../../scripts/tls/local-ca';
import { realKeycloak, type RealKeycloak } from '../../support/real-keycloak';
import { SECRETS, startRealRealmHarness, type RealRealmHarness } from '../../support/realm-harness';

// The seed's MCP login with real parts: the MCP SDK client's OAuth (CIMD client_id, PKCE S256, scope
// mcp:tools) against the gateway peer behind a JWT check on the real Keycloak's keys; Keycloak 26.7.3
// fetches the CIMD document over HTTPS from the local load balancer (a local CA in its truststore,
// the name in its JVM hosts file); alice logs in on Keycloak's own login page in headless Chromium,
// consents, and is redirected to the 127.0.0.1 callback; the SDK exchanges the code; tools are listed
// and called. The realm is the seed's, provisioned by keygate through SSM and the host executor.
// One Chromium for the file; each flow opens its own context.

let kc: RealKeycloak;
let h: RealRealmHarness;
let edge: Edge;
let browser: Browser;
let shots: string;
const ADD = { tool: 'my-mcp-server___add_numbers', arguments: { a: 2, b: 3 }, expectText: '5' };
const MULTIPLY = { tool: 'my-mcp-server___multiply_numbers', arguments: { a: 2, b: 3 }, expectText: '6' };

beforeAll(async () => {
  kc = await realKeycloak();
  const tls = kc.tls!;
  const ca = loadLocalCa(readFileSync(tls.caCertFile, 'utf8'), readFileSync(tls.caKeyFile, 'utf8'));
  edge = await startEdge({ ca, keycloakUrl: kc.url });
  const realm = kc.realmName('login');
  h = await startRealRealmHarness(kc, 'login', { realm, edit: (raw) => edge.pointDocument(raw, realm) });
  const { runMachine } = await import('../../support/local-machine');
  const run = await runMachine('reconcile-realm.asl.json', { desiredState: h.desired }, { pendingIntervalMs: 1000 });
  if (run.error) throw new Error(`provisioning ${realm}: ${run.error.name}: ${run.error.cause}`);
  await edge.serve(h.desired);
  browser = (await launchChromium(edge.browser)).browser;
  shots = mkdtempSync(join(tmpdir(), 'keygate-login-shots-'));
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await edge?.close();
  await h?.close();
  if (h) await kc.deleteRealm(h.realm);
  if (shots) rmSync(shots, { recursive: true, force: true });
});

const login = (extra: Partial<Parameters<typeof runLogin>[0]> = {}): Promise<LoginRun> =>
  runLogin({ gatewayUrl: edge.gatewayUrl, clientMetadataUrl: h.desired.cimd!.url, user: { username: 'alice', password: SECRETS.alice }, fetch: edge.fetch, browser, toolCalls: [ADD, MULTIPLY], ...extra });
const judge = (run: LoginRun) => checkLogin(run, { ...expectationsFor(h.desired, { gatewayUrl: edge.gatewayUrl }), toolCalls: [ADD, MULTIPLY] }, new Date());

describe('the seed\'s MCP login on Keycloak 26.7.3, in a real browser', () => {
  it('logs alice in with CIMD, the authorization code and PKCE S256, and calls the tools through the gateway', async () => {
    // Act
    const run = await login({ screenshots: { directory: shots, prefix: 'seed-' } });
    const checks = judge(run);
    // Assess: each step, in order, as the article's MCP Inspector session
    expect(checks.filter((c) => c.status !== 'pass' && c.status !== 'skip')).toEqual([]);
    expect(run.discovery).toMatchObject({ resource: edge.gatewayUrl, authorizationServers: [`${edge.origins.auth}/realms/${h.realm}`], scopesSupported: ['mcp:tools'], issuer: `${edge.origins.auth}/realms/${h.realm}`, cimdSupported: true });
    expect(run.discovery!.pkceMethods).toContain('S256');
    expect(run.authorizationRequest).toMatchObject({ clientId: h.desired.cimd!.url, scope: 'mcp:tools', codeChallengeMethod: 'S256', codeChallenge: true, state: true, responseType: 'code' });
    expect(run.authorizationRequest!.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    expect(run.pages.map((p) => p.kind)).toEqual(['login', 'consent']);
    expect(run.callback).toMatchObject({ code: true, stateMatches: true });
    expect(run.token).toMatchObject({ ok: true, claims: { iss: `${edge.origins.auth}/realms/${h.realm}`, azp: h.desired.cimd!.url } });
    const claims = (run.token as { claims: Record<string, unknown> }).claims;
    expect([claims.aud].flat()).toContain('mcp-gateway-demo');
    expect(String(claims.scope).split(' ')).toContain('mcp:tools');
    expect(run.tools).toMatchObject({ ok: true, tools: expect.arrayContaining(['my-mcp-server___add_numbers', 'my-mcp-server___multiply_numbers', 'my-mcp-server___greet_user']) });
    expect(run.calls).toEqual([{ ok: true, isError: false, text: '5' }, { ok: true, isError: false, text: '6' }]);
    // Keycloak fetched the document over HTTPS from the CIMD host (through the balancer), and registered the client.
    expect(edge.cimd!.calls.filter((c) => c.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(await kc.ok('GET', `/admin/realms/${h.realm}/clients?clientId=${encodeURIComponent(h.desired.cimd!.url)}`)).toHaveLength(1);
    // Screenshots of the login and consent pages, named in the run.
    expect(run.screenshots).toEqual([join(shots, 'seed-login-page.png'), join(shots, 'seed-consent-page.png')]);
    for (const file of run.screenshots) expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(run.screenshots[0]!).size).toBeGreaterThan(1000);
    // Nothing secret in what the run keeps.
    expect(JSON.stringify({ run, checks })).not.toContain(SECRETS.alice);
  });
});
