import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEdge } from '../../emulators/edge';
import type { DesiredState } from '../../functions/core/desired/document';
import type { DesiredToolCall } from '../../functions/core/desired/verify';
import { validateDesiredStateShape } from '../../functions/core/desired/check';
import { expectationsFor, TOOL_NAME_SEPARATOR } from '../../functions/core/verify/expectations';
import { checkLogin, type LoginRun } from '../../functions/core/verify/login';
import type { Check as VerifyCheck } from '../../functions/core/verify/report';
import { loadLocalCa } from '../../scripts/tls/local-ca';
import { ChromiumNotFoundError, launchChromium } from '../login/browser';
import { runLogin } from '../login/flow';
import { declaredMcpVersions } from '../../functions/core/gateway/mcp-versions';

/**
 * The rehearsal's login phase (`keygate rehearse --keycloak real`): the seed article's MCP Inspector
 * session against the realm keygate just provisioned on the real Keycloak. The local load balancer
 * puts Keycloak, the CIMD document (the document's, rendered by keygate) and the gateway peer under
 * the document's public names with its port, over TLS from the run's CA (in Keycloak's truststore);
 * the realm's first user logs in on Keycloak's login page in headless Chromium, with the password
 * keygate gave it (its SSM SecureString in the local world); the screenshots are kept.
 */
export interface LoginPhaseInput {
  /** The document as parsed (the edge rewrites its public URLs to carry the balancer's port). */
  document: Record<string, any>;
  desired: DesiredState;
  keycloakUrl: string;
  /** The CA files Keycloak's truststore holds. */
  tls: { caCertFile: string; caKeyFile: string };
  password: string;
  /** Where the screenshots go (default: a new directory under the temporary directory, kept). */
  screenshotDirectory?: string;
}

export interface LoginPhaseResult {
  user: string;
  clientId: string;
  gatewayUrl: string;
  screenshots: string[];
  checks: VerifyCheck[];
  wallMs: number;
  /** HTTP requests: the MCP client's (discovery, token, MCP), the browser's, and Keycloak's fetches of the CIMD document. */
  requests: { client: number; browser: number; keycloakToCimd: number; total: number };
  browser: string;
}

/** One login (see {@link LoginRig.login}): the judged checks, with the requests it made. */
export interface LoginSample {
  run: LoginRun;
  checks: VerifyCheck[];
  wallMs: number;
  requests: LoginPhaseResult['requests'];
}

/**
 * The login's setting, opened once for any number of logins (the rehearsal logs in once, the bench
 * several times): the edge around Keycloak (balancer, CIMD host, gateway peer) and one headless
 * Chromium; each login gets a fresh browser context. Close it at the end.
 */
export interface LoginRig {
  user: string;
  clientId: string;
  gatewayUrl: string;
  /** `<source> (<executable>)`. */
  browser: string;
  /** One login flow as the realm's first user, judged; screenshots only when a directory is given. */
  login(screenshots?: { directory: string; prefix?: string }): Promise<LoginSample>;
  close(): Promise<void>;
}

export async function openLoginRig(input: Omit<LoginPhaseInput, 'screenshotDirectory'>): Promise<LoginRig> {
  const user = input.desired.keycloak.realm.users[0];
  if (!user) throw new TypeError('the document declares no user in keycloak.realm.users: the login phase needs one to log in as');
  if (!input.desired.cimd) throw new TypeError('the document declares no cimd section: the login phase logs in as its CIMD client');
  const ca = loadLocalCa(readFileSync(input.tls.caCertFile, 'utf8'), readFileSync(input.tls.caKeyFile, 'utf8'));
  const edge = await startEdge({ ca, keycloakUrl: input.keycloakUrl });
  try {
    const raw = structuredClone(input.document);
    edge.pointDocument(raw, input.desired.keycloak.realm.name);
    const desired = validateDesiredStateShape(raw, 'login');
    await edge.serve(desired);
    const calls = loginToolCalls(desired);
    const { browser, chromium } = await launchChromium(edge.browser);
    return {
      user: user.username,
      clientId: desired.cimd!.url,
      gatewayUrl: edge.gatewayUrl,
      browser: `${chromium.source} (${chromium.executablePath})`,
      async login(screenshots) {
        const fetchedBefore = edge.cimd?.calls.length ?? 0;
        const run = await runLogin({ gatewayUrl: edge.gatewayUrl, clientMetadataUrl: desired.cimd!.url, user: { username: user.username, password: input.password }, fetch: edge.fetch, browser, toolCalls: calls, mcpVersion: declaredMcpVersions(desired.gateway)[0]!, ...(screenshots ? { screenshots } : {}) });
        const checks = checkLogin(run, { ...expectationsFor(desired, { gatewayUrl: edge.gatewayUrl }), toolCalls: calls }, new Date());
        const keycloakToCimd = (edge.cimd?.calls.length ?? 0) - fetchedBefore;
        return { run, checks, wallMs: run.wallMs ?? 0, requests: { client: run.requests.client.length, browser: run.requests.browser, keycloakToCimd, total: run.requests.client.length + run.requests.browser + keycloakToCimd } };
      },
      async close() {
        await browser.close();
        await edge.close();
      },
    };
  } catch (error) {
    await edge.close();
    throw error;
  }
}

export async function runLoginPhase(input: LoginPhaseInput): Promise<LoginPhaseResult> {
  const rig = await openLoginRig(input);
  try {
    const directory = input.screenshotDirectory ?? mkdtempSync(join(tmpdir(), 'keygate-rehearsal-screenshots-'));
    const { run, checks, wallMs, requests } = await rig.login({ directory });
    return { user: rig.user, clientId: rig.clientId, gatewayUrl: rig.gatewayUrl, screenshots: run.screenshots, checks, wallMs, requests, browser: rig.browser };
  } finally {
    await rig.close();
  }
}

/**
 * The calls the article makes in MCP Inspector: the document's verify.toolCalls, and
 * `multiply_numbers(2, 3)` = 6 on the first target when the document does not call it (the local
 * peers serve the seed's tools on every target).
 */
export function loginToolCalls(desired: DesiredState): DesiredToolCall[] {
  const first = desired.targets[0]?.name;
  const multiply = `${first}${TOOL_NAME_SEPARATOR}multiply_numbers`;
  const calls = [...desired.verify.toolCalls];
  if (first && !calls.some((c) => c.tool === multiply)) calls.push({ tool: multiply, arguments: { a: 2, b: 3 }, expectText: '6' });
  return calls;
}

export { ChromiumNotFoundError };
