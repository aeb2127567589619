import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { runLogin } from '../../../cli/login/flow';
import type { Edge } from '../../../emulators/edge';
import { start as startGateway } from '../../../emulators/mcp-gateway';
import { lintDesiredState } from '../../../functions/core/lint';
import { expectationsFor } from '../../../functions/core/verify/expectations';
import { checkLogin, type LoginRun } from '../../../functions/core/verify/login';
import { stringify } from 'yaml';
import { verifyCommand, type VerifyOptions } from '../../../cli/commands/verify';
import type { CliIo } from '../../../cli/io';
import type { VerificationReport } from '../../../functions/core/verify/report';
import type { RealKeycloak } from '../../support/real-keycloak';
import { startLoginRig, type LoginRig } from '../../support/login-rig';
import { seedRaw } from '../../support/seed';
import { SECRETS, type RealRealmHarness } from '../../support/realm-harness';

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

let rig: LoginRig | undefined;
beforeAll(async () => {
  rig = await startLoginRig('login');
  ({ kc, h, edge, browser } = rig);
  shots = mkdtempSync(join(tmpdir(), 'keygate-login-shots-'));
}, 180_000);
afterAll(async () => {
  await rig?.close();
  if (shots) rmSync(shots, { recursive: true, force: true });
});

const login = (extra: Partial<Parameters<typeof runLogin>[0]> = {}): Promise<LoginRun> =>
  runLogin({ gatewayUrl: edge.gatewayUrl, clientMetadataUrl: h.desired.cimd!.url, user: { username: 'alice', password: SECRETS.alice }, fetch: edge.fetch, browser, toolCalls: [ADD, MULTIPLY], ...extra });
// A login takes 2-15 s on the shared 2-vCPU machine (Chromium, Keycloak's pages, its first CIMD fetch): a bound, not an expectation.
jest.setTimeout(120_000);

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

/** The lint findings (rule ids) of the seed document with one edit: how keygate names each cause before anything runs. */
const lintIds = (edit: (raw: Record<string, any>) => void) => lintDesiredState(h.desiredWith(edit)).filter((f) => f.severity === 'error').map((f) => f.ruleId);
const checkOf = (run: LoginRun, id: string) => judge(run).find((c) => c.id === id);
/** A document for a client of its own, on the CIMD host's name (Keycloak registers each URL once). */
let documents = 0;
const documentWith = (redirectUris: string[]) =>
  edge.serveDocument(`/oauth/negative-${++documents}.json`, { client_name: `negative ${documents}`, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' });

describe('what Keycloak 26.7.3 and the gateway refuse, each for its documented reason, each named by lint or a diagnosis', () => {
  it('scope mcp:fail gets no access (the article\'s negative test)', async () => {
    // Act
    const run = await login({ editAuthorizationUrl: (u) => u.searchParams.set('scope', 'mcp:fail') });
    // Assess
    const checks = judge(run).filter((c) => c.status === 'fail');
    // Keycloak refuses a scope the realm does not offer the client: back to the callback with invalid_scope, no code.
    expect(run.pages).toEqual([]);
    expect(run.callback).toMatchObject({ code: false, error: 'invalid_scope' });
    expect(checks.map((c) => `${c.id} ${c.diagnosis}`)).toEqual(['login.callback login-scope-refused']);
    expect(run.token).toBeUndefined();
  });

  it('a CIMD document with a redirect URI on another host is refused by Keycloak (lint: cimd-trusted-domain-redirect)', async () => {
    // Prepare
    const clientId = await documentWith(['https://elsewhere.example.net/oauth/callback']);
    // Act
    const run = await login({ clientMetadataUrl: clientId, editAuthorizationUrl: (u) => u.searchParams.set('redirect_uri', 'https://elsewhere.example.net/oauth/callback') });
    // Assess
    expect(run.pages.map((p) => p.kind)).toEqual(['error']);
    expect(checkOf(run, 'login.login-page')).toMatchObject({ status: 'fail', diagnosis: 'login-redirect-uri-refused', evidence: expect.stringContaining(run.pages[0]!.message!) });
    expect(run.callback).toBeUndefined();
    expect(lintIds((raw) => (raw.cimd.document.redirect_uris = ['https://elsewhere.example.net/oauth/callback']))).toContain('cimd-trusted-domain-redirect');
  });

  it('a client-ID URL outside the trusted domains is refused (lint: cimd-condition-domain, cimd-trusted-domain-client-id)', async () => {
    // Act: the SDK sends the URL as client_id; Keycloak never fetches it
    const run = await login({ clientMetadataUrl: 'https://cimd.elsewhere.example.net/oauth/client-metadata.json' });
    // Assess
    expect(run.authorizationRequest?.clientId).toBe('https://cimd.elsewhere.example.net/oauth/client-metadata.json');
    expect(run.pages.map((p) => `${p.kind}: ${p.message}`)).toEqual(['error: Client not found.']);
    expect(checkOf(run, 'login.login-page')).toMatchObject({ status: 'fail', diagnosis: 'login-client-id-untrusted', fix: expect.stringContaining('client-id-uri-allow-permitted-domains') });
    expect(lintIds((raw) => (raw.cimd.url = 'https://cimd.elsewhere.example.net/oauth/client-metadata.json'))).toEqual(expect.arrayContaining(['cimd-condition-domain', 'cimd-trusted-domain-client-id']));
  });

  it('an authorization request without PKCE is refused (pkce-enforcer)', async () => {
    // Act
    const run = await login({ editAuthorizationUrl: (u) => ['code_challenge', 'code_challenge_method'].forEach((p) => u.searchParams.delete(p)) });
    // Assess
    expect(run.authorizationRequest).toMatchObject({ codeChallenge: false });
    // Keycloak 26.7.3 shows no login page: straight back to the callback with invalid_request.
    expect(run.pages).toEqual([]);
    expect(run.callback).toMatchObject({ code: false, error: 'invalid_request', errorDescription: 'Missing parameter: code_challenge_method' });
    const refused = judge(run).filter((c) => c.status === 'fail');
    expect(refused).toEqual([expect.objectContaining({ id: 'login.callback', diagnosis: 'login-pkce-missing', fix: expect.stringContaining('code_challenge_method=S256') })]);
    expect(run.token).toBeUndefined();
  });

  it('a token for another audience gets 401 from the gateway (token.audience: wrong-audience)', async () => {
    // Prepare: the gateway peer checks another audience (its JWT check against the same realm keys)
    const other = await startGateway({ publicUrl: edge.gatewayUrl, authorizer: { discoveryUrl: h.desired.gateway.authorizer.discoveryUrl, allowedAudiences: ['another-gateway'], allowedScopes: ['mcp:tools'] }, fetch: edge.fetch });
    edge.balancer.route(new URL(edge.gatewayUrl).hostname, other.url);
    try {
      // Act
      const run = await login();
      // Assess: Keycloak issued the seed's token (aud mcp-gateway-demo); this gateway answers 401
      expect(run.token).toMatchObject({ ok: true });
      expect(run.tools).toMatchObject({ ok: false, status: 401 });
      expect(other.calls.some((c) => c.path === '/mcp' && c.status === 401 && c.method === 'POST')).toBe(true);
      const checks = checkLogin(run, { ...expectationsFor(h.desired, { gatewayUrl: edge.gatewayUrl }), audiences: ['another-gateway'] }, new Date());
      expect(checks.filter((c) => c.status === 'fail').map((c) => `${c.id} ${c.diagnosis}`)).toEqual(['login.token.audience wrong-audience', 'login.mcp.tools-list token-rejected-by-gateway']);
    } finally {
      edge.balancer.route(new URL(edge.gatewayUrl).hostname, edge.gateway!.url);
      await other.close();
    }
  });

  it('an http:// CIMD URL is refused: by the MCP SDK client before any request, and by Keycloak (lint: cimd-url-invalid)', async () => {
    const httpUrl = h.desired.cimd!.url.replace(/^https:/, 'http:');
    // Act: the SDK itself
    const bySdk = await login({ clientMetadataUrl: httpUrl });
    // Act: the same request with the http URL put in by hand
    const byKeycloak = await login({ editAuthorizationUrl: (u) => u.searchParams.set('client_id', httpUrl) });
    // Assess
    expect(bySdk.failure?.error).toMatch(/clientMetadataUrl must be a valid HTTPS URL/);
    expect(checkOf(bySdk, 'login.discovery')).toMatchObject({ status: 'fail', diagnosis: 'login-discovery-failed' });
    expect(byKeycloak.pages.map((p) => `${p.kind}: ${p.message}`)).toEqual(['error: Client not found.']);
    expect(checkOf(byKeycloak, 'login.login-page')).toMatchObject({ status: 'fail', diagnosis: 'login-client-id-untrusted' });
    expect(lintIds((raw) => (raw.cimd.url = raw.cimd.url.replace(/^https:/, 'http:')))).toContain('cimd-url-invalid');
  });
});

describe('bad input, named instead of timing out', () => {
  it('a localhost redirect URI where the OAuth 2.1 profile applies is refused, even with localhost trusted as in the article (lint: redirect-uri-localhost)', async () => {
    // Prepare: the article's trusted domains (cimd.<domain> and localhost), so that only the OAuth 2.1 profile can refuse it
    const profiles = await kc.ok('GET', `/admin/realms/${h.realm}/client-policies/profiles`);
    const edited = structuredClone(profiles);
    edited.profiles.find((p: { name: string }) => p.name === 'cimd-profile').executors[0].configuration['cimd-allow-permitted-domains'].push('localhost');
    await kc.ok('PUT', `/admin/realms/${h.realm}/client-policies/profiles`, edited);
    try {
      const clientId = await documentWith(['http://localhost/oauth/callback']);
      // Act
      const run = await login({ clientMetadataUrl: clientId, editAuthorizationUrl: (u) => u.searchParams.set('redirect_uri', u.searchParams.get('redirect_uri')!.replace('127.0.0.1', 'localhost')) });
      // Assess
      expect(run.authorizationRequest?.redirectUri).toMatch(/^http:\/\/localhost:\d+\/oauth\/callback$/);
      expect(run.pages.map((p) => `${p.kind}: ${p.message}`)).toEqual(['error: Invalid Redirect Uri: invalid loopback address']);
      expect(checkOf(run, 'login.login-page')).toMatchObject({ status: 'fail', diagnosis: 'login-redirect-uri-refused', fix: expect.stringContaining('127.0.0.1 (not localhost)') });
      expect(lintIds((raw) => (raw.cimd.document.redirect_uris = ['http://localhost/oauth/callback']))).toContain('redirect-uri-localhost');
    } finally {
      await kc.ok('PUT', `/admin/realms/${h.realm}/client-policies/profiles`, { profiles: profiles.profiles });
    }
  });

  it('a CIMD host whose certificate Keycloak does not trust: "Client Metadata fetch failed", diagnosed with the truststore setting', async () => {
    // Prepare: the same name, served by a balancer whose certificate comes from a CA outside Keycloak's truststore
    const { createLocalCa } = await import('../../../scripts/tls/local-ca');
    const { start: startLoadBalancer } = await import('../../../emulators/load-balancer');
    const { start: startCimdHost } = await import('../../../emulators/cimd-host');
    const { mappedFetch } = await import('../../../cli/login/net');
    const stranger = createLocalCa('a CA Keycloak does not trust');
    const leaf = stranger.issue([new URL(edge.origins.cimd).hostname]);
    const lb = await startLoadBalancer({ certificate: { certPem: leaf.certPem + stranger.certPem, keyPem: leaf.keyPem }, routes: {} });
    const url = `https://${new URL(edge.origins.cimd).hostname}:${lb.port}/oauth/untrusted.json`;
    const host = await startCimdHost({ path: '/oauth/untrusted.json', document: { client_id: url, client_name: 'untrusted', redirect_uris: ['http://127.0.0.1/oauth/callback'], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' } });
    lb.route(new URL(url).hostname, host.url);
    // This machine trusts both CAs (the operator's view: the document is served); Keycloak only the first.
    const both = mappedFetch({ hosts: edge.names.hosts, ca: [...edge.names.ca!, stranger.certPem] });
    try {
      // Act
      const run = await login({ clientMetadataUrl: url, fetch: both });
      // Assess: Keycloak's TLS handshake failed, so the only request the host saw is this machine's probe
      expect(host.calls).toEqual([{ method: 'GET', path: '/oauth/untrusted.json', status: 200 }]);
      expect(run.pages.map((p) => `${p.kind}: ${p.message}`)).toEqual(['error: Client Metadata fetch failed']);
      expect(run.cimdProbe).toEqual({ ok: true, status: 200 });
      expect(checkOf(run, 'login.login-page')).toMatchObject({ status: 'fail', diagnosis: 'login-cimd-fetch-failed', fix: expect.stringContaining("Keycloak's truststore (the truststore-paths option, KC_TRUSTSTORE_PATHS)") });
      // From a machine that does not trust it either, the probe names the certificate error.
      const strict = await login({ clientMetadataUrl: url });
      expect(host.calls).toHaveLength(1);
      expect(strict.cimdProbe).toMatchObject({ ok: false, certificate: true });
      expect(checkOf(strict, 'login.login-page')!.fix).toMatch(/^the CIMD host's certificate is not trusted \(.+\): .*truststore-paths/);
    } finally {
      await Promise.all([lb.close(), host.close(), both.close()]);
    }
  });

  it('a page the flow does not know (a required OTP setup): the page is named with what was on it, at once', async () => {
    // Prepare
    const [alice] = await kc.ok('GET', `/admin/realms/${h.realm}/users?username=alice&exact=true`);
    await kc.ok('PUT', `/admin/realms/${h.realm}/users/${alice.id}`, { ...alice, requiredActions: ['CONFIGURE_TOTP'] });
    try {
      // Act
      const run = await login();
      // Assess
      expect(run.pages.map((p) => p.kind)).toEqual(['login', 'unknown']);
      const check = checkOf(run, 'login.credentials')!;
      expect(check).toMatchObject({ status: 'fail', diagnosis: 'login-page-unexpected' });
      expect(check.evidence).toMatch(/the page is not the one expected .*: https:\/\/auth\.[^ ]+\/login-actions\/[^:]+: title "[^"]+"; heading .*fields .*totp/i);
    } finally {
      await kc.ok('PUT', `/admin/realms/${h.realm}/users/${alice.id}`, { ...alice, requiredActions: [] });
    }
  });
});

describe('keygate verify --login', () => {
  /** The document as an operator has it: the seed, pointed at this realm and the edge's public names. */
  const documentText = () => {
    const raw = seedRaw();
    raw.keycloak.admin.url = h.proxy.url;
    edge.pointDocument(raw, h.realm);
    return stringify(raw);
  };
  const verify = async (argv: Partial<VerifyOptions>, readSecret = async (name: string): Promise<string | undefined> => (name === h.desired.keycloak.realm.users[0]!.passwordParameter ? SECRETS.alice : undefined)) => {
    let stdout = '';
    const io: CliIo = { stdout: (t) => void (stdout += t), stderr: () => undefined, readFile: () => documentText(), isTTY: false, env: { KEYGATE_CANARY_SECRET: SECRETS.canary } };
    const code = await verifyCommand(io, { config: 'login.yaml', gatewayUrl: edge.gatewayUrl, login: true, json: true, ...argv }, edge.fetch, () => new Date(), { readSecret, browser, fetch: edge.fetch });
    return { code, stdout, report: JSON.parse(stdout) as VerificationReport & { ok: boolean } };
  };

  it('adds the login to the verify report, each step a check, and prints no password, code or token', async () => {
    // Act
    const { code, stdout, report } = await verify({});
    // Assess
    const login = report.checks.filter((c) => c.group === 'login');
    expect(login.filter((c) => c.status !== 'pass' && c.status !== 'skip')).toEqual([]);
    expect(login.map((c) => c.id)).toEqual(expect.arrayContaining(['login.password', 'login.browser', 'login.discovery', 'login.authorization-request', 'login.login-page', 'login.credentials', 'login.consent', 'login.callback', 'login.token', 'login.token.audience', 'login.mcp.tools-list', 'login.mcp.call.my-mcp-server___add_numbers']));
    expect(report.checks.find((c) => c.id === 'token.obtain')).toMatchObject({ status: 'pass' });
    expect(code).toBe(report.failed ? 1 : 0);
    expect(stdout).not.toContain(SECRETS.alice);
    expect(stdout).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(stdout).not.toMatch(/[?&]code=/);
  });

  it('a password SecureString that does not exist: one failed check naming it, no browser opened', async () => {
    const { code, report } = await verify({}, async () => undefined);
    expect(code).toBe(1);
    expect(report.checks.filter((c) => c.group === 'login')).toEqual([expect.objectContaining({ id: 'login.password', status: 'fail', diagnosis: 'login-password-missing', evidence: expect.stringContaining('/keygate/mcp-keycloak-agentcore/users/alice') })]);
  });

  it('a wrong password: Keycloak refuses it on its login page, named with the fix', async () => {
    const { report } = await verify({}, async () => 'not-alices-password');
    expect(report.checks.find((c) => c.id === 'login.credentials')).toMatchObject({ status: 'fail', diagnosis: 'login-credentials-rejected', evidence: 'Keycloak refused the credentials: "Invalid username or password."' });
    expect(JSON.stringify(report)).not.toContain('not-alices-password');
  });
});
