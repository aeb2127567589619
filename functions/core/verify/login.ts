import { anyDomainCovers, hostOf as hostOfUrl } from '../keycloak/domains';
import type { Diagnosis } from './diagnoses';
import type { ChainExpectations } from './expectations';
import { describePage, type PageClass, type PageSnapshot } from './login-page';
import { checkToolCall, checkToolList, type ToolCallOutcome, type ToolListOutcome } from './mcp';
import { checksFor, type Check } from './report';
import { checkClaims } from './token';

const c = checksFor('login');

/** One page the browser stopped at, recognised. */
export interface LoginPageVisit extends PageClass {
  snapshot: PageSnapshot;
  /** Where it was saved, when screenshots were asked for. */
  screenshot?: string;
}

/** The authorization request as built by the MCP SDK client (and edited by the caller): parameters, never a secret. */
export interface LoginRequest {
  endpoint: string;
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  responseType?: string;
  codeChallengeMethod?: string;
  codeChallenge: boolean;
  state: boolean;
  resource?: string;
  parameters: string[];
}

/**
 * What one login flow observed (cli/login/flow.ts fills it in): plain data, no password, code or
 * token; the token only as its claim subset.
 */
export interface LoginRun {
  clientId: string;
  gatewayUrl: string;
  /** Chromium could not be started (the driver's error, naming what to install). */
  browserMissing?: string;
  /** What the SDK discovered: the protected-resource metadata and the authorization server's. */
  discovery?: {
    authorizationServer: string;
    resource?: string;
    authorizationServers?: string[];
    scopesSupported?: string[];
    issuer?: string;
    cimdSupported?: boolean;
    pkceMethods?: string[];
  };
  authorizationRequest?: LoginRequest;
  pages: LoginPageVisit[];
  callback?: { code: boolean; stateMatches: boolean; error?: string; errorDescription?: string; iss?: string };
  token?: { ok: true; claims: Record<string, unknown>; grantedScope: string | null } | { ok: false; error: string };
  tools?: ToolListOutcome;
  calls?: ToolCallOutcome[];
  /** A step that ended with an exception (network, the SDK refusing metadata…). */
  failure?: { step: 'authorization-request' | 'login'; error: string };
  /** The CIMD document as fetched from here when Keycloak could not fetch it (certificate and reachability). */
  cimdProbe?: { ok: true; status: number } | { ok: false; error: string; certificate: boolean };
  /** Requests: the MCP client's (method, origin + path, status) and the browser's count. */
  requests: { client: Array<{ method: string; url: string; status: number; error?: string }>; browser: number };
  screenshots: string[];
  wallMs?: number;
}

/** Keycloak's messages (26.7.3, observed; docs/verification.md) and what each means for a CIMD login. */
const KEYCLOAK_MESSAGES: Array<{ pattern: RegExp; diagnosis: Diagnosis | ((run: LoginRun, expect: ChainExpectations) => Diagnosis); fix: (run: LoginRun, expect: ChainExpectations) => string }> = [
  {
    pattern: /^Client not found\.?$/i,
    diagnosis: 'login-client-id-untrusted',
    fix: (run) => `no client policy took ${run.clientId} as a CIMD client, so Keycloak looked for a registered client of that id: the client-id-uri condition's scheme and trusted domains must cover the URL (https, its host in client-id-uri-allow-permitted-domains; keygate lint: cimd-condition-domain, cimd-url-invalid)`,
  },
  {
    // 26.7.3 says the same for the client_id's host and for a redirect URI's host outside
    // cimd-allow-permitted-domains (observed: a document on a trusted host whose redirect URI is on another).
    pattern: /domain not allowed/i,
    diagnosis: (run, expect) => (clientIdTrusted(run, expect) ? 'login-redirect-uri-refused' : 'login-client-id-untrusted'),
    fix: (run, expect) =>
      clientIdTrusted(run, expect)
        ? `the CIMD document at ${run.clientId} lists a redirect URI (or another URL) on a host outside the CIMD executor's trusted domains (cimd-allow-permitted-domains: ${expect.cimd?.trustedDomains.join(', ') ?? '?'}): Keycloak says "Invalid Client ID" for it too. Use a redirect URI on a trusted host, or trust that host (keygate lint: cimd-trusted-domain-redirect)`
        : `the CIMD executor's trusted domains (cimd-allow-permitted-domains) do not cover ${hostOf(run.clientId)} (keygate lint: cimd-trusted-domain-client-id)`,
  },
  {
    pattern: /Client Metadata fetch failed/i,
    diagnosis: 'login-cimd-fetch-failed',
    fix: (run) =>
      run.cimdProbe && !run.cimdProbe.ok && run.cimdProbe.certificate
        ? `the CIMD host's certificate is not trusted (${run.cimdProbe.error}): serve a certificate from a public CA, or add the CA that signed it to Keycloak's truststore (the truststore-paths option, KC_TRUSTSTORE_PATHS), and restart Keycloak`
        : `Keycloak could not fetch ${run.clientId}${run.cimdProbe?.ok ? ' although it is served from here' : ''}: add the CA that signed the CIMD host's certificate to Keycloak's truststore (the truststore-paths option, KC_TRUSTSTORE_PATHS), and check that the Keycloak host resolves and reaches ${hostOf(run.clientId)} on port 443 (DNS, security groups, an egress proxy)`,
  },
  {
    pattern: /redirect.?uri/i,
    diagnosis: 'login-redirect-uri-refused',
    fix: () =>
      'the redirect URI is not one Keycloak accepts for this client: it must be listed in the CIMD document\'s redirect_uris, on a host inside the CIMD executor\'s trusted domains, and under an OAuth 2.1-compliant redirect enforcer a loopback URI must be 127.0.0.1 (not localhost), registered without a port, with allow-http-scheme for http (keygate lint: cimd-trusted-domain-redirect, redirect-uri-localhost, redirect-uri-loopback-port, redirect-uri-http-refused)',
  },
  {
    pattern: /code_challenge|PKCE/i,
    diagnosis: 'login-pkce-missing',
    fix: () => 'send PKCE (code_challenge with code_challenge_method=S256) in the authorization request: the realm\'s pkce-enforcer requires it (MCP clients always send it)',
  },
  {
    pattern: /scope/i,
    diagnosis: 'login-scope-refused',
    fix: () => 'request only scopes the realm offers the client (the gateway\'s allowed scopes): gateway.authorizer.allowedScopes and keycloak.realm.clientScopes',
  },
];

/** Whether the client_id's host is inside the CIMD executor's trusted domains (then a refusal is about another URL of the document). */
const clientIdTrusted = (run: LoginRun, expect: ChainExpectations): boolean => {
  const host = hostOfUrl(run.clientId);
  return host !== undefined && anyDomainCovers(expect.cimd?.trustedDomains ?? [], host);
};

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/**
 * Judges a login run into checks (`login.*`), in the order of the flow; a step that did not run is a
 * skip saying why. The token's claims and the MCP calls reuse verification's checks (`login.token.*`,
 * `login.mcp.*`).
 *
 * @example
 * checkLogin(run, expect).map((c) => `${c.id} ${c.status}`)
 * // ['login.browser pass', 'login.discovery pass', 'login.authorization-request pass', 'login.login-page pass', …]
 */
export function checkLogin(run: LoginRun, expect: ChainExpectations, now: Date): Check[] {
  const checks: Check[] = [];
  const skipRest = (reason: string, ids: string[]) => ids.map((id) => c.skip(id, `not run: ${reason}`));
  const LATER = ['discovery', 'authorization-request', 'login-page', 'credentials', 'consent', 'callback', 'token', 'tools'];
  const after = (id: string) => LATER.slice(LATER.indexOf(id) + 1);
  if (run.browserMissing) {
    return [c.fail('browser', run.browserMissing, 'install Debian\'s chromium (apt-get install chromium) or the npm package @sparticuz/chromium, or set KEYGATE_CHROMIUM', { diagnosis: 'chromium-missing' }), ...skipRest('no browser', LATER)];
  }
  checks.push(c.pass('browser', 'headless Chromium started'));

  // Discovery and the authorization request (the SDK's doing).
  const d = run.discovery;
  const req = run.authorizationRequest;
  if (!d || !req) {
    const error = run.failure?.error ?? 'the MCP client built no authorization request';
    checks.push(c.fail('discovery', `the MCP SDK client did not get to an authorization request: ${error}`, 'check the gateway\'s 401 challenge, its protected-resource metadata and Keycloak\'s discovery (the rs.* and as.* checks name which)', { diagnosis: 'login-discovery-failed' }));
    return [...checks, ...skipRest('no authorization request', after('discovery'))];
  }
  checks.push(c.pass('discovery', `401 → protected-resource metadata (resource ${d.resource ?? '(none)'}, authorization server ${d.authorizationServer}) → authorization-server metadata (issuer ${d.issuer ?? '?'}, CIMD ${d.cimdSupported ? 'supported' : 'not advertised'}, PKCE ${(d.pkceMethods ?? []).join(', ') || 'not advertised'})`, '', { observed: { ...d } }));
  checks.push(requestCheck(req, run, expect));

  // The browser's pages.
  const pages = run.pages;
  const first = pages[0];
  if (!first) {
    if (run.callback) checks.push(callbackCheck(run, expect));
    else checks.push(c.fail('login-page', `no page was reached: ${run.failure?.error ?? 'the browser stopped'}`, 'check that this machine reaches Keycloak\'s authorization endpoint', { diagnosis: 'unreachable' }));
    return [...checks, ...skipRest('no login page', after('login-page').filter((id) => !checks.some((x) => x.id === `login.${id}`)))];
  }
  const pageIssue = pageCheck('login-page', first, run, expect);
  if (first.kind !== 'login') {
    checks.push(pageIssue);
    return [...checks, ...skipRest('Keycloak showed no login page', after('login-page'))];
  }
  checks.push(c.pass('login-page', `Keycloak's login page for ${req.clientId ?? run.clientId}: ${describePage(first.snapshot)}${first.screenshot ? ` (screenshot ${first.screenshot})` : ''}`, '', first.screenshot ? { observed: { screenshot: first.screenshot } } : {}));

  const afterLogin = pages[1];
  if (afterLogin && afterLogin.kind !== 'consent') {
    checks.push(pageCheck('credentials', afterLogin, run, expect));
    return [...checks, ...skipRest('the login did not go through', after('credentials'))];
  }
  if (!afterLogin && !run.callback) {
    checks.push(c.fail('credentials', `after the login form nothing happened: ${run.failure?.error ?? 'no page, no callback'}`, 'check Keycloak\'s log for the login', { diagnosis: 'login-page-unexpected' }));
    return [...checks, ...skipRest('the login did not go through', after('credentials'))];
  }
  checks.push(c.pass('credentials', 'Keycloak accepted the user\'s credentials (the password is never reported)'));
  checks.push(
    afterLogin
      ? pages[2] && pages[2].kind !== 'consent'
        ? pageCheck('consent', pages[2], run, expect)
        : c.pass('consent', `the consent page was shown and accepted: ${describePage(afterLogin.snapshot)}${afterLogin.screenshot ? ` (screenshot ${afterLogin.screenshot})` : ''}`, '', afterLogin.screenshot ? { observed: { screenshot: afterLogin.screenshot } } : {})
      : c.pass('consent', 'Keycloak asked for no consent (the client does not require it)'),
  );
  const cb = callbackCheck(run, expect);
  checks.push(cb);
  if (cb.status !== 'pass') return [...checks, ...skipRest('no authorization code', ['token', 'tools'])];

  // Token exchange, then the token's claims and the MCP calls, judged as verification does.
  const token = run.token;
  if (!token || !token.ok) {
    checks.push(c.fail('token', `the token exchange failed: ${token && !token.ok ? token.error : 'not attempted'}`, 'check the token endpoint and that the client is public (token_endpoint_auth_method none) with PKCE', { diagnosis: 'login-token-exchange-failed' }));
    return [...checks, ...skipRest('no token', ['tools'])];
  }
  checks.push(c.pass('token', `the MCP SDK client exchanged the code (PKCE verifier) for a token${token.grantedScope ? ` with scope "${token.grantedScope}"` : ''}`, '', { observed: token.claims }));
  checks.push(...checkClaims(token.claims, expect, now).filter((x) => x.id !== 'token.client' || x.status !== 'skip').map(prefixed));
  if (run.tools) {
    checks.push(...checkToolList(run.tools, expect).map(prefixed));
    expect.toolCalls.forEach((call, i) => {
      const outcome = run.calls?.[i];
      checks.push(prefixed(outcome ? checkToolCall(call, outcome) : { id: `mcp.call.${call.tool}`, group: 'mcp', status: 'skip', evidence: 'not run: tools/list failed', fix: '' }));
    });
  }
  return checks;
}

const diagnosisOf = (known: (typeof KEYCLOAK_MESSAGES)[number], run: LoginRun, expect: ChainExpectations): Diagnosis => (typeof known.diagnosis === 'function' ? known.diagnosis(run, expect) : known.diagnosis);

/** A verification check re-homed under `login.` (`token.audience` → `login.token.audience`), about the user's token, not the canary's. */
const prefixed = (check: Check): Check => ({
  ...check,
  id: `login.${check.id}`,
  group: 'login',
  evidence: check.evidence.replace(/the canary token/g, "the user's token"),
  fix: check.fix.replace(/the canary token/g, "the user's token"),
});

function requestCheck(req: LoginRequest, run: LoginRun, expect: ChainExpectations): Check {
  const problems: string[] = [];
  if (req.clientId !== run.clientId) problems.push(`client_id is ${JSON.stringify(req.clientId ?? null)}, not the CIMD URL (the authorization server did not advertise client_id_metadata_document_supported, so the SDK registered another way)`);
  if (req.codeChallengeMethod !== 'S256' || !req.codeChallenge) problems.push(`PKCE is ${req.codeChallenge ? req.codeChallengeMethod ?? 'plain' : 'absent'}, not S256`);
  const scopes = (req.scope ?? '').split(' ').filter(Boolean);
  const missing = expect.scopes.filter((s) => !scopes.includes(s));
  if (missing.length) problems.push(`scope "${req.scope ?? ''}" lacks ${missing.join(', ')}`);
  const evidence = `client_id ${req.clientId ?? '(none)'}, redirect_uri ${req.redirectUri ?? '(none)'}, scope "${req.scope ?? ''}", PKCE ${req.codeChallenge ? req.codeChallengeMethod ?? 'plain' : 'none'}, state ${req.state ? 'yes' : 'no'}${req.resource ? `, resource ${req.resource}` : ''}`;
  if (!problems.length) return c.pass('authorization-request', evidence, '', { observed: { ...req } });
  // A deliberately edited request (a negative test) is reported as it was sent: the pages tell what Keycloak made of it.
  return c.warn('authorization-request', `${evidence}: ${problems.join('; ')}`, 'an MCP client sends the CIMD URL as client_id, PKCE S256 and the gateway\'s scopes', { diagnosis: 'login-request-unusual', observed: { ...req } });
}

/** A page where the flow stopped: Keycloak's message named, or the page described. */
function pageCheck(id: string, visit: LoginPageVisit, run: LoginRun, expect: ChainExpectations): Check {
  const where = describePage(visit.snapshot);
  const observed = { page: visit.kind, title: visit.snapshot.title, ...(visit.message ? { message: visit.message } : {}), ...(visit.screenshot ? { screenshot: visit.screenshot } : {}) };
  if (visit.kind === 'error' || (visit.kind === 'login-error' && id !== 'credentials')) {
    const known = visit.message ? KEYCLOAK_MESSAGES.find((m) => m.pattern.test(visit.message!)) : undefined;
    if (known) return c.fail(id, `Keycloak refused: "${visit.message}" (${where})`, known.fix(run, expect), { diagnosis: diagnosisOf(known, run, expect), observed });
    return c.fail(id, `Keycloak showed an error: ${where}`, 'read Keycloak\'s log for this request (the message names the setting)', { diagnosis: 'login-refused', observed });
  }
  if (visit.kind === 'login-error') return c.fail(id, `Keycloak refused the credentials: "${visit.message ?? ''}"`, 'check the test user\'s password (its SSM SecureString) and that the user exists and is enabled in the realm', { diagnosis: 'login-credentials-rejected', observed });
  if (visit.kind === 'required-action') return c.fail(id, `Keycloak asks the user for a required action first: ${where}`, 'give the test user a permanent password (Temporary OFF) and no required actions', { diagnosis: 'login-required-action', observed });
  return c.fail(id, `the page is not the one expected (${id === 'login-page' ? 'the login form #kc-form-login with #username, #password and #kc-login' : 'the consent form with an accept button, or the callback'}): ${where}`, 'the login theme or flow differs from Keycloak 26\'s keycloak.v2 theme: use that theme for the realm (Realm settings → Themes), or adjust the page table in functions/core/verify/login-page.ts', { diagnosis: 'login-page-unexpected', observed });
}

function callbackCheck(run: LoginRun, expect: ChainExpectations): Check {
  const cb = run.callback;
  if (!cb) return c.fail('callback', 'the browser never reached the 127.0.0.1 callback', 'check the redirect URI and the last page the browser showed', { diagnosis: 'login-page-unexpected' });
  if (cb.error) {
    const text = `${cb.error}${cb.errorDescription ? `: ${cb.errorDescription}` : ''}`;
    const known = KEYCLOAK_MESSAGES.find((m) => m.pattern.test(cb.errorDescription ?? '') || m.pattern.test(cb.error ?? ''));
    return c.fail('callback', `Keycloak redirected to the callback with error ${text}`, known?.fix(run, expect) ?? 'read Keycloak\'s log for this request', { diagnosis: known ? diagnosisOf(known, run, expect) : 'login-refused', observed: { error: cb.error, ...(cb.errorDescription ? { error_description: cb.errorDescription } : {}) } });
  }
  if (!cb.code) return c.fail('callback', 'the callback carried no code', 'check the response_type (code)', { diagnosis: 'login-refused' });
  if (!cb.stateMatches) return c.fail('callback', 'the callback\'s state differs from the request\'s', 'the authorization response does not belong to this request (a replayed or forged redirect)', { diagnosis: 'login-state-mismatch' });
  // RFC 9207; MCP 2026-07-28 (SEP-2468): a present iss must be the authorization server's issuer.
  const issuer = run.discovery?.issuer;
  if (cb.iss && issuer && cb.iss !== issuer) {
    return c.fail('callback', `the authorization response's iss is ${cb.iss}, not the issuer ${issuer} the client discovered: the response may come from another authorization server (mix-up)`, "check Keycloak's hostname (KC_HOSTNAME): it sets both", { diagnosis: 'login-iss-mismatch', observed: { iss: cb.iss, issuer } });
  }
  return c.pass('callback', `redirected to the 127.0.0.1 callback with a code and the request's state${cb.iss ? ` (iss ${cb.iss}, the discovered issuer: RFC 9207)` : ''}`);
}
