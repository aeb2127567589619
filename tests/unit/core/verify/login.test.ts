import { readFileSync } from 'node:fs';
import { ChromiumNotFoundError, findChromium } from '../../../../cli/login/browser';
import { expectationsFor } from '../../../../functions/core/verify/expectations';
import { checkLogin, type LoginRun } from '../../../../functions/core/verify/login';
import { classifyPage, describePage, type PageSnapshot } from '../../../../functions/core/verify/login-page';
import type { Check } from '../../../../functions/core/verify/report';
import { fromRoot } from '../../../support/paths';
import { seedDesired } from '../../../support/seed';

// The login flow's judgement, over pages captured from the real Keycloak 26.7.3
// (tests/fixtures/login/keycloak-26.7.3-pages.json, written by tests/integration/keycloak-real/login.test.ts's flow).

const PAGES = (JSON.parse(readFileSync(fromRoot('tests', 'fixtures', 'login', 'keycloak-26.7.3-pages.json'), 'utf8')) as { pages: Record<string, PageSnapshot> }).pages;
const GW = 'https://gw-1.gateway.bedrock-agentcore.eu-central-1.amazonaws.com/mcp';
const CIMD = 'https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json';
const ISSUER = 'https://auth.agentcore-keycloak-example.com/realms/mcp-demo';
const EXPECT = { ...expectationsFor(seedDesired(), { gatewayUrl: GW }), toolCalls: [{ tool: 'my-mcp-server___add_numbers', arguments: { a: 2, b: 3 }, expectText: '5' }] };
const NOW = new Date('2026-12-06T10:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);

/** A run that got all the way (what the real flow observes on the seed). */
const fullRun = (): LoginRun => ({
  clientId: CIMD,
  gatewayUrl: GW,
  discovery: { authorizationServer: ISSUER, resource: GW, authorizationServers: [ISSUER], scopesSupported: ['mcp:tools'], issuer: ISSUER, cimdSupported: true, pkceMethods: ['plain', 'S256'] },
  authorizationRequest: { endpoint: `${ISSUER}/protocol/openid-connect/auth`, clientId: CIMD, redirectUri: 'http://127.0.0.1:50123/oauth/callback', scope: 'mcp:tools', responseType: 'code', codeChallengeMethod: 'S256', codeChallenge: true, state: true, resource: GW, parameters: [] },
  pages: [
    { kind: 'login', snapshot: PAGES.login!, screenshot: '/tmp/x/login-page.png' },
    { kind: 'consent', snapshot: PAGES.consent!, screenshot: '/tmp/x/consent-page.png' },
  ],
  callback: { code: true, stateMatches: true },
  token: { ok: true, claims: { iss: ISSUER, aud: ['mcp-gateway-demo', 'account'], scope: 'mcp:tools profile email', azp: CIMD, iat: T - 5, exp: T + 295 }, grantedScope: 'mcp:tools profile email' },
  tools: { ok: true, tools: ['my-mcp-server___add_numbers', 'my-mcp-server___multiply_numbers', 'my-mcp-server___greet_user'] },
  calls: [{ ok: true, isError: false, text: '5' }],
  requests: { client: [], browser: 12 },
  screenshots: ['/tmp/x/login-page.png', '/tmp/x/consent-page.png'],
});
const summary = (checks: Check[]) => checks.map((c) => `${c.id} ${c.status}${c.diagnosis ? ` ${c.diagnosis}` : ''}`);
const failed = (checks: Check[]) => checks.filter((c) => c.status === 'fail');

describe('Keycloak 26.7.3\'s pages, recognised', () => {
  it.each([
    ['login', 'login', undefined],
    ['consent', 'consent', undefined],
    ['error', 'error', 'Invalid Redirect Uri: invalid loopback address'],
    ['otp-setup', 'unknown', 'You need to set up Mobile Authenticator to activate your account.'],
  ])('%s → %s', (name, kind, message) => {
    expect(classifyPage(PAGES[name]!)).toEqual({ kind, ...(message ? { message } : {}) });
  });

  it('a login form without the button the flow clicks (#kc-login) is an unknown page, described, not waited on', () => {
    const themed = { ...PAGES.login!, ids: PAGES.login!.ids.filter((id) => id !== 'kc-login') };
    expect(classifyPage(themed)).toEqual({ kind: 'unknown' });
    expect(describePage(themed)).toMatch(/: title "Sign in to [^"]+"; heading "Sign in to your account"; fields username, password/);
  });

  it('the login form with an error message is a refused login', () => {
    expect(classifyPage({ ...PAGES.login!, messages: ['Invalid username or password.'] })).toEqual({ kind: 'login-error', message: 'Invalid username or password.' });
  });

  it('describes a page by title, heading, message and fields, escaping what a hostile page could print', () => {
    expect(describePage(PAGES['otp-setup']!)).toBe(
      'https://auth.agentcore-keycloak-example.com/realms/mcp-demo/login-actions/required-action: title "Sign in to mcp-demo"; heading "Mobile Authenticator Setup"; message "You need to set up Mobile Authenticator to activate your account."; fields totp, totpSecret, userLabel, logout-sessions, saveTOTPBtn',
    );
    const hostile: PageSnapshot = { url: 'https://proxy.example/x', title: 'Oops\u001b[2J', ids: [], fields: [], headings: [], messages: [], text: 'Bad gateway \u202e' };
    expect(describePage(hostile)).toBe('https://proxy.example/x: title "Oops\\\\u001b[2J"; no form fields; text "Bad gateway \\\\u202e"');
  });
});

describe('checkLogin', () => {
  it('passes the whole flow, with the token and MCP checks under login.', () => {
    const checks = checkLogin(fullRun(), EXPECT, NOW);
    expect(failed(checks)).toEqual([]);
    expect(summary(checks)).toEqual([
      'login.browser pass',
      'login.discovery pass',
      'login.authorization-request pass',
      'login.login-page pass',
      'login.credentials pass',
      'login.consent pass',
      'login.callback pass',
      'login.token pass',
      'login.token.issuer pass',
      'login.token.audience pass',
      'login.token.scope pass',
      'login.token.lifetime pass',
      'login.mcp.tools-list pass',
      'login.mcp.targets pass',
      'login.mcp.expected-tools pass',
      'login.mcp.call.my-mcp-server___add_numbers pass',
    ]);
    expect(checks.every((c) => c.group === 'login')).toBe(true);
    expect(checks.find((c) => c.id === 'login.login-page')!.evidence).toContain('(screenshot /tmp/x/login-page.png)');
  });

  it('no Chromium: one failed check naming both packages, the rest skipped', () => {
    const run: LoginRun = { ...fullRun(), browserMissing: new ChromiumNotFoundError(['/usr/bin/chromium']).message };
    const checks = checkLogin(run, EXPECT, NOW);
    expect(failed(checks)).toEqual([expect.objectContaining({ id: 'login.browser', diagnosis: 'chromium-missing', evidence: expect.stringMatching(/apt-get install chromium.*npm install @sparticuz\/chromium/) })]);
    expect(checks.slice(1).every((c) => c.status === 'skip')).toBe(true);
  });

  it.each([
    ['Client not found.', CIMD, 'login-client-id-untrusted', /client-id-uri-allow-permitted-domains/],
    ['Invalid Client ID: domain not allowed.', 'https://cimd.elsewhere.example.net/c.json', 'login-client-id-untrusted', /cimd-trusted-domain-client-id/],
    // The same words when the client_id is trusted: then another URL of the document is not (observed on 26.7.3).
    ['Invalid Client ID: domain not allowed.', CIMD, 'login-redirect-uri-refused', /cimd-trusted-domain-redirect/],
    ['Invalid Redirect Uri: invalid loopback address', CIMD, 'login-redirect-uri-refused', /127\.0\.0\.1 \(not localhost\)/],
    ['Client Metadata fetch failed', CIMD, 'login-cimd-fetch-failed', /truststore-paths/],
    ['Something new', CIMD, 'login-refused', /Keycloak's log/],
  ])('Keycloak\'s error page "%s" for %s → %s', (message, clientId, diagnosis, fix) => {
    const run: LoginRun = { ...fullRun(), clientId, pages: [{ kind: 'error', message, snapshot: { ...PAGES.error!, messages: [message] } }], callback: undefined, token: undefined, tools: undefined };
    const checks = checkLogin(run, EXPECT, NOW);
    expect(failed(checks)).toEqual([expect.objectContaining({ id: 'login.login-page', diagnosis, fix: expect.stringMatching(fix), evidence: expect.stringContaining(message) })]);
    expect(summary(checks).slice(-5)).toEqual(['login.credentials skip', 'login.consent skip', 'login.callback skip', 'login.token skip', 'login.tools skip']);
  });

  it('a certificate error fetching the document from here says so, and names the truststore', () => {
    const run: LoginRun = { ...fullRun(), pages: [{ kind: 'error', message: 'Client Metadata fetch failed', snapshot: PAGES.error! }], cimdProbe: { ok: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', certificate: true } };
    expect(checkLogin(run, EXPECT, NOW).find((c) => c.id === 'login.login-page')!.fix).toMatch(/^the CIMD host's certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): .*truststore-paths option, KC_TRUSTSTORE_PATHS/);
  });

  it('the callback with invalid_scope (mcp:fail) is a refused scope', () => {
    const run: LoginRun = { ...fullRun(), pages: [fullRun().pages[0]!, fullRun().pages[1]!], callback: { code: false, stateMatches: true, error: 'invalid_scope', errorDescription: 'Invalid scopes: mcp:fail' }, token: undefined, tools: undefined };
    expect(summary(failed(checkLogin(run, EXPECT, NOW)))).toEqual(['login.callback fail login-scope-refused']);
  });

  it('wrong credentials, a required action, an unknown page after the login', () => {
    const after = (snapshot: PageSnapshot, kind: LoginRun['pages'][number]['kind'], message?: string): LoginRun => ({ ...fullRun(), pages: [fullRun().pages[0]!, { kind, snapshot, ...(message ? { message } : {}) }], callback: undefined, token: undefined, tools: undefined });
    expect(summary(failed(checkLogin(after(PAGES.login!, 'login-error', 'Invalid username or password.'), EXPECT, NOW)))).toEqual(['login.credentials fail login-credentials-rejected']);
    expect(summary(failed(checkLogin(after(PAGES.login!, 'required-action'), EXPECT, NOW)))).toEqual(['login.credentials fail login-required-action']);
    const unknown = failed(checkLogin(after(PAGES['otp-setup']!, 'unknown'), EXPECT, NOW));
    expect(unknown).toEqual([expect.objectContaining({ id: 'login.credentials', diagnosis: 'login-page-unexpected', evidence: expect.stringContaining('heading "Mobile Authenticator Setup"') })]);
  });

  it('a state that differs, a failed exchange, a token the gateway refuses', () => {
    expect(summary(failed(checkLogin({ ...fullRun(), callback: { code: true, stateMatches: false } }, EXPECT, NOW)))).toEqual(['login.callback fail login-state-mismatch']);
    expect(summary(failed(checkLogin({ ...fullRun(), token: { ok: false, error: 'invalid_grant: PKCE verification failed' }, tools: undefined }, EXPECT, NOW)))).toEqual(['login.token fail login-token-exchange-failed']);
    const refused = { ...fullRun(), token: { ok: true as const, claims: { ...(fullRun().token as { claims: Record<string, unknown> }).claims, aud: 'account' }, grantedScope: 'mcp:tools' }, tools: { ok: false as const, error: 'HTTP 401', status: 401 }, calls: [] };
    expect(summary(failed(checkLogin(refused, EXPECT, NOW)))).toEqual(['login.token.audience fail audience-mapper-missing', 'login.mcp.tools-list fail token-rejected-by-gateway']);
  });

  it('an authorization request without the CIMD client_id or PKCE is a warning: the pages say what Keycloak made of it', () => {
    const run = fullRun();
    run.authorizationRequest = { ...run.authorizationRequest!, codeChallenge: false, codeChallengeMethod: undefined };
    expect(checkLogin(run, EXPECT, NOW).find((c) => c.id === 'login.authorization-request')).toMatchObject({ status: 'warn', diagnosis: 'login-request-unusual', evidence: expect.stringContaining('PKCE is absent, not S256') });
  });
});

describe('findChromium', () => {
  const none = async () => {
    throw Object.assign(new Error('not installed'), { code: 'MODULE_NOT_FOUND' });
  };

  it('no browser: names the Debian package and the npm one, and what it tried', async () => {
    await expect(findChromium({ env: {}, debianPaths: ['/usr/bin/chromium'], exists: () => false, loadSparticuz: none })).rejects.toThrow(
      'no Chromium for the login flow: tried /usr/bin/chromium, @sparticuz/chromium (not installed). Install Debian\'s package (apt-get install chromium) or the npm package (npm install @sparticuz/chromium, which ships its binary), or set KEYGATE_CHROMIUM to a Chromium or Chrome executable (or to @sparticuz/chromium for the npm package\'s build); keygate never downloads a browser.',
    );
  });

  it('prefers an installed Debian chromium over the npm binary, and KEYGATE_CHROMIUM over both', async () => {
    const sparticuz = async () => ({ executablePath: async () => '/tmp/chromium', args: ['--no-sandbox', '--single-process', '--disable-web-security', "--headless='shell'", '--use-angle=swiftshader'] });
    await expect(findChromium({ env: {}, debianPaths: ['/usr/bin/chromium'], exists: () => true, loadSparticuz: sparticuz })).resolves.toMatchObject({ executablePath: '/usr/bin/chromium', source: 'debian' });
    await expect(findChromium({ env: { KEYGATE_CHROMIUM: '/opt/chrome/chrome' }, debianPaths: ['/usr/bin/chromium'], exists: () => true, loadSparticuz: sparticuz })).resolves.toMatchObject({ executablePath: '/opt/chrome/chrome', source: 'env' });
    // KEYGATE_CHROMIUM=@sparticuz/chromium: the npm build although Debian's is there (a fresh machine's path, tried here)
    await expect(findChromium({ env: { KEYGATE_CHROMIUM: '@sparticuz/chromium' }, debianPaths: ['/usr/bin/chromium'], exists: () => true, loadSparticuz: sparticuz })).resolves.toMatchObject({ executablePath: '/tmp/chromium', source: '@sparticuz/chromium' });
    // The npm build's flags, less the Lambda-only and the security-weakening ones
    await expect(findChromium({ env: {}, debianPaths: ['/usr/bin/chromium'], exists: (p) => p === '/tmp/chromium', loadSparticuz: sparticuz })).resolves.toEqual({ executablePath: '/tmp/chromium', source: '@sparticuz/chromium', args: ['--no-sandbox', '--use-angle=swiftshader'] });
  });
});
