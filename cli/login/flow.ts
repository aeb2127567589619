import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  checkResourceAllowed,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type Client,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
} from '@modelcontextprotocol/client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { networkErrorText, type FetchLike } from '../../functions/adapters/http/fetch';
import { clientFor } from '../../functions/adapters/verify/mcp-client';
import { AGENTCORE_DEFAULT_MCP_VERSIONS } from '../../functions/core/gateway/mcp-versions';
import type { DesiredToolCall } from '../../functions/core/desired/verify';
import { classifyPage, KEYCLOAK_PAGE_IDS, type PageClass, type PageSnapshot } from '../../functions/core/verify/login-page';
import type { LoginRun, LoginPageVisit, LoginRequest } from '../../functions/core/verify/login';
import type { ToolCallOutcome, ToolListOutcome } from '../../functions/core/verify/mcp';
import { claimSubset } from '../../functions/core/verify/token';

/**
 * The seed's MCP login, driven for real: the official MCP TypeScript SDK client (streamable HTTP with
 * its OAuth support) connects to the gateway, gets the 401, discovers the protected-resource metadata
 * and Keycloak's authorization-server metadata, and builds the authorization request with the CIMD
 * URL as client_id and PKCE S256; a headless Chromium opens it, the user logs in on Keycloak's own
 * login page and grants consent, Keycloak redirects to the 127.0.0.1 callback, the SDK exchanges the
 * code, and the client lists and calls tools with the token.
 *
 * What it returns is plain data ({@link LoginRun}): what each step saw, never a password, code or
 * token (claims only). functions/core/verify/login.ts judges it into checks.
 *
 * Everything a later caller may vary is injected: the fetch (names, CAs), the MCP client (protocol
 * version), the authorization request (scope, resource indicator, PKCE, extra parameters), the
 * browser, where screenshots go.
 *
 * @example
 * const run = await runLogin({ gatewayUrl, clientMetadataUrl, user: { username: 'alice', password }, fetch, browser, toolCalls });
 * const checks = checkLogin(run, expectationsFor(desired, { gatewayUrl }));
 */
export interface LoginOptions {
  /** The gateway's MCP URL. */
  gatewayUrl: string;
  /** The CIMD document's URL: the client_id. */
  clientMetadataUrl: string;
  user: { username: string; password: string };
  /** Every request of the MCP client and its OAuth flow goes through it. */
  fetch: FetchLike;
  browser: Browser;
  toolCalls?: readonly DesiredToolCall[];
  /**
   * Changes to the authorization request the SDK built, before the browser opens it (for negative
   * tests and other profiles): e.g. `(u) => u.searchParams.set('scope', 'mcp:fail')`, or deleting
   * `code_challenge`.
   */
  editAuthorizationUrl?: (url: URL) => void;
  /**
   * The RFC 8707 resource indicator: `'metadata'` (default) sends the protected-resource metadata's
   * `resource` as the SDK does; `'none'` sends none; a string sends that value.
   */
  resource?: 'metadata' | 'none' | string;
  /**
   * The MCP protocol version the client speaks (the SDK v2 client: `initialize` for a 2025-era version,
   * `server/discover` pinned for 2026-07-28). Default: AgentCore's default version.
   */
  mcpVersion?: string;
  /** Where the login and consent pages are saved as PNG (`<prefix>login-page.png`, `<prefix>consent-page.png`). */
  screenshots?: { directory: string; prefix?: string };
  /** The redirect URI's path on 127.0.0.1 (the port is the callback server's). Default `/oauth/callback`. */
  callbackPath?: string;
  /** Bound on each page load and on the wait for the callback; a bound, not an expectation. */
  stepTimeoutMs?: number;
  /** Called when each step starts (progress lines). */
  onStep?: (step: string) => void;
}

export const CLIENT_INFO = { name: 'keygate-login', version: '1' };

/** Runs the flow once, in its own browser context (fresh cookies), and closes what it opened. */
export async function runLogin(options: LoginOptions): Promise<LoginRun> {
  const started = Date.now();
  const run: LoginRun = { clientId: options.clientMetadataUrl, gatewayUrl: options.gatewayUrl, pages: [], requests: { client: [], browser: 0 }, screenshots: [] };
  const timeout = options.stepTimeoutMs ?? 30_000;
  const callback = await startCallbackServer(options.callbackPath ?? '/oauth/callback');
  const recording = recordingFetch(options.fetch, run);
  const provider = new LoginProvider(options, callback.redirectUri);
  const context = await options.browser.newContext();
  context.on('request', () => void run.requests.browser++);
  try {
    // 1. The SDK connects without a token: 401 → metadata → authorization request (redirectToAuthorization).
    options.onStep?.('authorization request');
    const first = new StreamableHTTPClientTransport(new URL(options.gatewayUrl), { authProvider: provider, fetch: recording });
    const client = clientOf(options);
    try {
      await client.connect(first);
      run.failure = { step: 'authorization-request', error: 'the gateway served the MCP client without a token' };
      return run;
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || !provider.authorizationUrl) {
        run.failure = { step: 'authorization-request', error: describeError(error) };
        return run;
      }
    } finally {
      await client.close().catch(() => undefined);
    }
    run.discovery = provider.discovery;
    const url = provider.authorizationUrl;
    options.editAuthorizationUrl?.(url);
    run.authorizationRequest = describeRequest(url);

    // 2. The browser: Keycloak's login page, the user's credentials, consent, the callback.
    options.onStep?.('browser login');
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    const result = await drive(page, url.href, options, callback, run, timeout);
    if (!result) {
      if (run.pages.at(-1)?.message && /metadata fetch/i.test(run.pages.at(-1)!.message!)) run.cimdProbe = await probeDocument(options.fetch, options.clientMetadataUrl);
      return run;
    }
    run.callback = { code: Boolean(result.code), stateMatches: result.state === provider.stateValue, ...(result.error ? { error: result.error } : {}), ...(result.errorDescription ? { errorDescription: result.errorDescription } : {}), ...(result.iss ? { iss: result.iss } : {}) };
    if (!result.code || result.state !== provider.stateValue) return run;

    // 3. The SDK exchanges the code (with the PKCE verifier) and connects with the token.
    options.onStep?.('token exchange');
    const exchange = new StreamableHTTPClientTransport(new URL(options.gatewayUrl), { authProvider: provider, fetch: recording });
    try {
      // The SDK v2 checks the callback's iss against the authorization server's issuer (RFC 9207;
      // MCP 2026-07-28 SEP-2468) before it redeems the code.
      await exchange.finishAuth(result.code, result.iss);
    } catch (error) {
      run.token = { ok: false, error: describeError(error) };
      return run;
    }
    const access = provider.savedTokens?.access_token;
    if (!access) {
      run.token = { ok: false, error: 'the token response carried no access_token' };
      return run;
    }
    run.token = { ok: true, claims: safeClaims(access), grantedScope: provider.savedTokens?.scope ?? null };
    options.onStep?.('MCP calls');
    const calls = await listAndCall(options, provider, recording);
    run.tools = calls.list;
    run.calls = calls.calls;
    return run;
  } catch (error) {
    run.failure = { step: 'login', error: describeError(error) };
    return run;
  } finally {
    run.wallMs = Date.now() - started;
    await context.close().catch(() => undefined);
    await callback.close();
  }
}

/**
 * Keycloak could not fetch the CIMD document: can this machine? A certificate error here says the
 * document's host is served with a certificate no standard trust store holds (Keycloak's neither,
 * unless its truststore has the CA); a success says Keycloak's own trust or network differs.
 */
async function probeDocument(fetchFn: FetchLike, url: string): Promise<NonNullable<LoginRun['cimdProbe']>> {
  try {
    const response = await fetchFn(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer().catch(() => undefined);
    return { ok: true, status: response.status };
  } catch (error) {
    const code = networkErrorText(error);
    return { ok: false, error: code, certificate: /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|ISSUER/i.test(code) };
  }
}

/** Walks Keycloak's pages until the callback is reached or a page stops the flow. */
async function drive(page: Page, url: string, options: LoginOptions, callback: CallbackServer, run: LoginRun, timeout: number): Promise<CallbackResult | undefined> {
  await page.goto(url, { waitUntil: 'load', timeout });
  let credentialsSent = false;
  for (let step = 0; step < 6; step++) {
    if (callback.result) return callback.result;
    const snapshot = await snapshotPage(page);
    const cls = classifyPage(snapshot);
    const visit: LoginPageVisit = { ...cls, snapshot };
    run.pages.push(visit);
    if (cls.kind === 'login' && !credentialsSent) {
      visit.screenshot = await screenshot(page, options, 'login-page', run);
      await page.fill('#username', options.user.username);
      await page.fill('#password', options.user.password);
      credentialsSent = true;
      await submit(page, '#kc-login', callback, timeout);
      continue;
    }
    if (cls.kind === 'consent') {
      visit.screenshot = await screenshot(page, options, 'consent-page', run);
      await submit(page, 'input[name="accept"], button[name="accept"]', callback, timeout);
      continue;
    }
    // Anything else stops the flow here: an error page, wrong credentials, a required action, an unknown page.
    return undefined;
  }
  return callback.result;
}

/** Clicks and waits for the navigation it starts: to Keycloak's next page, or to the callback. */
async function submit(page: Page, selector: string, callback: CallbackServer, timeout: number): Promise<void> {
  await Promise.all([page.waitForEvent('load', { timeout }).catch(() => undefined), page.click(selector, { timeout })]);
  if (!callback.result) await page.waitForLoadState('load', { timeout });
}

/** The page as data: ids the table knows, form fields, headings, messages, the start of the text. */
async function snapshotPage(page: Page): Promise<PageSnapshot> {
  const u = new URL(page.url());
  const inPage = (await page.evaluate(`(${SNAPSHOT_SCRIPT})(${JSON.stringify(KEYCLOAK_PAGE_IDS)})`)) as Omit<PageSnapshot, 'url'>;
  return { url: `${u.origin}${u.pathname}`, ...inPage };
}

/** Runs in the page (a string: this project compiles without the DOM library). */
const SNAPSHOT_SCRIPT = `(ids) => {
  const text = (e) => ((e && e.textContent) || '').replace(/\\s+/g, ' ').trim();
  const messageSelectors = ['#kc-error-message', '#input-error', '#input-error-username', '#input-error-password', '.kc-feedback-text', '.pf-v5-c-alert__title', '.alert-error', '.pf-c-alert__title'];
  return {
    title: document.title,
    ids: ids.filter((id) => document.getElementById(id) !== null),
    fields: [...document.querySelectorAll('form input, form button, form select')].map((e) => e.name || e.id).filter((n) => n && !n.startsWith('__')),
    headings: [...document.querySelectorAll('h1, h2')].map(text).filter(Boolean).slice(0, 4),
    messages: [...new Set(messageSelectors.flatMap((s) => [...document.querySelectorAll(s)].map(text)).filter(Boolean))].slice(0, 4),
    text: text(document.body).slice(0, 400),
  };
}`;

async function screenshot(page: Page, options: LoginOptions, name: string, run: LoginRun): Promise<string | undefined> {
  if (!options.screenshots) return undefined;
  const path = join(options.screenshots.directory, `${options.screenshots.prefix ?? ''}${name}.png`);
  await page.screenshot({ path, fullPage: true });
  run.screenshots.push(path);
  return path;
}

/** tools/list and the configured calls, with a new transport that sends the saved token. */
async function listAndCall(options: LoginOptions, provider: LoginProvider, fetchFn: FetchLike): Promise<{ list: ToolListOutcome; calls: ToolCallOutcome[] }> {
  let last: { status: number; challenge?: string } | undefined;
  const recording: FetchLike = async (input, init) => {
    const response = await fetchFn(input, init);
    if (init?.method === 'POST') last = { status: response.status, ...(response.headers.get('www-authenticate') ? { challenge: response.headers.get('www-authenticate')! } : {}) };
    return response;
  };
  provider.interactive = false;
  const client = clientOf(options);
  const transport = new StreamableHTTPClientTransport(new URL(options.gatewayUrl), { authProvider: provider, fetch: recording });
  try {
    await client.connect(transport);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    const server = client.getServerVersion();
    const negotiated = client.getNegotiatedProtocolVersion();
    const calls: ToolCallOutcome[] = [];
    for (const call of options.toolCalls ?? []) {
      try {
        const result = await client.callTool({ name: call.tool, arguments: call.arguments });
        const content = Array.isArray(result.content) ? (result.content as Array<{ type: string; text?: string }>) : [];
        calls.push({ ok: true, isError: result.isError === true, text: content.map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type}]`)).join('\n') });
      } catch (error) {
        calls.push({ ok: false, error: describeError(error) });
      }
    }
    return { list: { ok: true, tools, ...(server ? { server: `${server.name} ${server.version}` } : {}), ...(negotiated ? { protocolVersion: negotiated } : {}) }, calls };
  } catch (error) {
    const list: ToolListOutcome = { ok: false, error: describeError(error), ...(last ? { status: last.status } : {}), ...(last?.challenge ? { challenge: last.challenge } : {}), ...(last ? {} : { unreachable: true }) };
    return { list, calls: [] };
  } finally {
    await client.close().catch(() => undefined);
  }
}

const clientOf = (options: LoginOptions): Client => clientFor(options.mcpVersion ?? AGENTCORE_DEFAULT_MCP_VERSIONS[0]!, CLIENT_INFO);

/**
 * The SDK's OAuth client provider for one login: the CIMD URL as client_id (the SDK uses it when the
 * authorization server advertises client_id_metadata_document_supported), a 127.0.0.1 redirect URI,
 * state, the PKCE verifier and the tokens in memory only.
 */
class LoginProvider implements OAuthClientProvider {
  authorizationUrl?: URL;
  savedTokens?: OAuthTokens;
  discovery?: LoginRun['discovery'];
  /** Off once the token is in hand: a second authorization would need the browser again. */
  interactive = true;
  readonly stateValue = randomBytes(16).toString('base64url');
  private verifier = '';
  private client?: OAuthClientInformationMixed;
  private savedDiscovery?: OAuthDiscoveryState;

  constructor(
    private readonly options: LoginOptions,
    private readonly redirectUri: string,
  ) {}

  get clientMetadataUrl(): string {
    return this.options.clientMetadataUrl;
  }
  get redirectUrl(): string {
    return this.redirectUri;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'keygate login', redirect_uris: [this.redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  state(): string {
    return this.stateValue;
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info;
  }
  tokens(): OAuthTokens | undefined {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.savedTokens = tokens;
  }
  redirectToAuthorization(url: URL): void {
    if (!this.interactive) throw new Error('the gateway asked for a new authorization after the login: the token was refused');
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.savedDiscovery;
  }
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.savedDiscovery = state;
    const prm = state.resourceMetadata;
    const asm = state.authorizationServerMetadata as Record<string, unknown> | undefined;
    this.discovery = {
      authorizationServer: state.authorizationServerUrl,
      ...(prm ? { resource: prm.resource, authorizationServers: prm.authorization_servers ?? [], scopesSupported: prm.scopes_supported ?? [] } : {}),
      ...(asm
        ? {
            issuer: String(asm.issuer ?? ''),
            cimdSupported: asm.client_id_metadata_document_supported === true,
            pkceMethods: Array.isArray(asm.code_challenge_methods_supported) ? (asm.code_challenge_methods_supported as string[]) : [],
          }
        : {}),
    };
  }
  async validateResourceURL(serverUrl: string | URL, resource?: string): Promise<URL | undefined> {
    const choice = this.options.resource ?? 'metadata';
    if (choice === 'none') return undefined;
    if (choice !== 'metadata') return new URL(choice);
    // The SDK's own rule (same origin, path prefix), kept: a resource for another server is refused.
    if (!resource) return undefined;
    if (!checkResourceAllowed({ requestedResource: serverUrl, configuredResource: resource })) throw new Error(`protected resource ${resource} does not match the MCP server ${String(serverUrl)}`);
    return new URL(resource);
  }
}

/** The authorization request as the report may show it: parameters, never a verifier. */
function describeRequest(url: URL): LoginRequest {
  const p = url.searchParams;
  const get = (name: string) => p.get(name) ?? undefined;
  return {
    endpoint: `${url.origin}${url.pathname}`,
    ...optional('clientId', get('client_id')),
    ...optional('redirectUri', get('redirect_uri')),
    ...optional('scope', get('scope')),
    ...optional('responseType', get('response_type')),
    ...optional('codeChallengeMethod', get('code_challenge_method')),
    codeChallenge: p.has('code_challenge'),
    state: p.has('state'),
    ...optional('resource', get('resource')),
    parameters: [...new Set(p.keys())],
  };
}

const optional = <K extends string>(key: K, value: string | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, string>));

/** The access token's claim subset (iss, aud, scope, client_id, azp, iat, exp…): never the token. */
function safeClaims(token: string): Record<string, unknown> {
  try {
    return claimSubset(decodeJwt(token), decodeProtectedHeader(token) as Record<string, unknown>);
  } catch {
    return {};
  }
}

/**
 * Records each request of the client (method, origin and path, status, and an OAuth error's code and
 * description, never a body): counts for the bench, evidence for the report. The answer is handed on
 * as the runtime's own Response: the SDK v2 tells an error response from a body with `instanceof
 * Response`, which an undici Response (the edge's fetch) fails ("Invalid OAuth error response").
 */
function recordingFetch(base: FetchLike, run: LoginRun): FetchLike {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const entry: LoginRun['requests']['client'][number] = { method: init?.method ?? (input instanceof Request ? input.method : 'GET'), url: `${url.origin}${url.pathname}`, status: 0 };
    run.requests.client.push(entry);
    try {
      const answer = await base(input, init);
      const other = answer as Response;
      const response = answer instanceof Response ? answer : new Response(other.body, { status: other.status, statusText: other.statusText, headers: other.headers });
      entry.status = response.status;
      if (response.status >= 400 && /json/.test(response.headers.get('content-type') ?? '')) {
        const body = (await response.clone().json().catch(() => ({}))) as { error?: unknown; error_description?: unknown };
        if (typeof body.error === 'string') entry.error = `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 200)}` : ''}`;
      }
      return response;
    } catch (error) {
      entry.status = -1;
      throw error;
    }
  };
}

interface CallbackResult {
  code?: string;
  state?: string;
  error?: string;
  errorDescription?: string;
  iss?: string;
}

interface CallbackServer {
  redirectUri: string;
  result?: CallbackResult;
  close(): Promise<void>;
}

/** The MCP client's redirect target on 127.0.0.1 (MCP Inspector's `/oauth/callback`), on a port of its own. */
async function startCallbackServer(path: string): Promise<CallbackServer> {
  const state: CallbackServer = { redirectUri: '', close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    const q = url.searchParams;
    const pick = (name: string) => q.get(name) ?? undefined;
    state.result = Object.fromEntries(
      Object.entries({ code: pick('code'), state: pick('state'), error: pick('error'), errorDescription: pick('error_description'), iss: pick('iss') }).filter(([, v]) => v !== undefined),
    ) as CallbackResult;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>keygate login</title><p>Login complete: you can close this window.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  state.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

function describeError(error: unknown): string {
  const e = error as Error & { cause?: unknown };
  if (e?.name === 'TypeError' && /fetch failed/.test(e.message)) return `network: ${networkErrorText(error)}`;
  return String(e?.message ?? error).split('\n')[0]!.slice(0, 300);
}

export type { PageClass };
