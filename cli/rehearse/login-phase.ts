import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEdge } from '../../emulators/edge';
import type { DesiredState } from '../../functions/core/desired/document';
import type { DesiredToolCall } from '../../functions/core/desired/verify';
import { validateDesiredStateShape } from '../../functions/core/desired/load';
import { expectationsFor, TOOL_NAME_SEPARATOR } from '../../functions/core/verify/expectations';
import { checkLogin } from '../../functions/core/verify/login';
import type { Check as VerifyCheck } from '../../functions/core/verify/report';
import { loadLocalCa } from '../../scripts/tls/local-ca';
import { ChromiumNotFoundError, launchChromium } from '../login/browser';
import { runLogin } from '../login/flow';

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

export async function runLoginPhase(input: LoginPhaseInput): Promise<LoginPhaseResult> {
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
    try {
      const directory = input.screenshotDirectory ?? mkdtempSync(join(tmpdir(), 'keygate-rehearsal-screenshots-'));
      const run = await runLogin({ gatewayUrl: edge.gatewayUrl, clientMetadataUrl: desired.cimd!.url, user: { username: user.username, password: input.password }, fetch: edge.fetch, browser, toolCalls: calls, screenshots: { directory } });
      const checks = checkLogin(run, { ...expectationsFor(desired, { gatewayUrl: edge.gatewayUrl }), toolCalls: calls }, new Date());
      const keycloakToCimd = edge.cimd?.calls.length ?? 0;
      return {
        user: user.username,
        clientId: desired.cimd!.url,
        gatewayUrl: edge.gatewayUrl,
        screenshots: run.screenshots,
        checks,
        wallMs: run.wallMs ?? 0,
        requests: { client: run.requests.client.length, browser: run.requests.browser, keycloakToCimd, total: run.requests.client.length + run.requests.browser + keycloakToCimd },
        browser: `${chromium.source} (${chromium.executablePath})`,
      };
    } finally {
      await browser.close();
    }
  } finally {
    await edge.close();
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
