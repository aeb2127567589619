import { escapeStrings } from '../../functions/core/display';
import { parseResolveRoutes, resolvingFetch, type FetchLike } from '../../functions/adapters/http/fetch';
import { verifyChain, type CanarySecret } from '../../functions/adapters/verify/verify-chain';
import type { DesiredState } from '../../functions/core/desired/document';
import { buildReport, GROUP_TITLES, type Check, type VerificationReport } from '../../functions/core/verify/report';
import { styleFor, type Style } from '../format';
import { EXIT, printJson, UsageError, type CliIo } from '../io';
import { loadConfig } from '../load-config';

export const DEFAULT_SECRET_ENV = 'KEYGATE_CANARY_SECRET';

export interface VerifyOptions {
  config?: string;
  gatewayUrl?: string;
  /** NAME of the environment variable holding the canary secret (never the secret itself). */
  secretEnv?: string;
  resolve?: string[];
  /** Also log in as a user of the realm in headless Chromium (off by default). */
  login?: boolean;
  /** Which user of keycloak.realm.users (default: the first); its password is its SSM SecureString. */
  loginUser?: string;
  /** Save the login and consent pages as PNG files in this directory. */
  screenshots?: string;
  json?: boolean;
}

/** What the login needs from outside, injectable (tests: the local edge's names, CA and browser). */
export interface LoginDependencies {
  /** Reads the user's password SecureString (default: SSM GetParameter WithDecryption with your AWS credentials). */
  readSecret?: (name: string) => Promise<string | undefined>;
  /** A browser the caller owns (default: launchChromium with the machine's DNS and trust, closed at the end). */
  browser?: import('playwright-core').Browser;
  /** The MCP client's fetch (default: the one verification uses). */
  fetch?: FetchLike;
}

/**
 * `keygate verify --config FILE [--gateway-url URL] [--secret-env NAME] [--resolve HOST=ORIGIN]… [--json]`:
 * the live chain check the provisioning step runs, from an operator's machine. Exit 0 when the run
 * passes under `verify.failOn`, 1 when it fails.
 */
export async function verifyCommand(io: CliIo, opts: VerifyOptions, fetchFn: FetchLike = fetch, now: () => Date = () => new Date(), loginDeps: LoginDependencies = {}): Promise<number> {
  const { desired } = loadConfig(io, opts.config, { requireClean: true });
  const loginUser = opts.login ? loginUserOf(desired, opts) : undefined;
  if (!opts.login && (opts.loginUser !== undefined || opts.screenshots !== undefined)) throw new UsageError(`${opts.loginUser !== undefined ? '--login-user' : '--screenshots'} goes with --login`);
  if (opts.gatewayUrl !== undefined && !/^https:\/\/[^/]+/.test(opts.gatewayUrl)) {
    throw new UsageError(`--gateway-url "${opts.gatewayUrl}" is not an https URL (the gateway's MCP URL, for example https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp)`);
  }
  let routes: Record<string, string>;
  try {
    routes = parseResolveRoutes(opts.resolve ?? []);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const verifyFetch = Object.keys(routes).length ? resolvingFetch(routes, fetchFn) : fetchFn;
  let report = await verifyChain(desired, {
    ...(opts.gatewayUrl ? { gatewayUrl: opts.gatewayUrl } : {}),
    ...canarySecretFrom(io, desired, opts.secretEnv ?? DEFAULT_SECRET_ENV),
    fetch: verifyFetch,
    now,
  });
  if (loginUser) {
    const { loginChecks } = await import('../login/verify-login');
    const started = new Date(report.startedAt);
    const gatewayUrl = report.gatewayUrl ?? opts.gatewayUrl ?? desired.verify.gatewayUrl!;
    const login = await loginChecks(desired, { gatewayUrl, user: loginUser, fetch: loginDeps.fetch ?? verifyFetch, now, ...(opts.screenshots ? { screenshots: opts.screenshots } : {}), ...loginDeps });
    report = buildReport({ issuer: report.issuer, gatewayUrl, checks: [...report.checks, ...login], failOn: desired.verify.failOn, startedAt: started, finishedAt: now() });
  }
  if (opts.json) printJson(io, 'keygate.verification/1', !report.failed, report);
  else io.stdout(formatReport(escapeStrings(report), opts.config!, styleFor(io.isTTY, io.env)));
  return report.failed ? EXIT.findings : EXIT.ok;
}

/** The user --login logs in as: --login-user, or the first of keycloak.realm.users; it needs a gateway URL and a CIMD client. */
function loginUserOf(desired: DesiredState, opts: VerifyOptions): { username: string; passwordParameter: string } {
  const users = desired.keycloak.realm.users;
  const user = opts.loginUser === undefined ? users[0] : users.find((u) => u.username === opts.loginUser);
  if (!user) {
    throw new UsageError(
      opts.loginUser === undefined
        ? '--login needs a test user: declare one in keycloak.realm.users (its passwordParameter names the SSM SecureString with its password)'
        : `--login-user ${JSON.stringify(opts.loginUser)} is not in keycloak.realm.users (${users.map((u) => u.username).join(', ') || 'none declared'}): the login reads the password from that user's passwordParameter`,
    );
  }
  if (!desired.cimd) throw new UsageError('--login logs in as the document\'s CIMD client: the document has no cimd section');
  if (!opts.gatewayUrl && !desired.verify.gatewayUrl) throw new UsageError('--login needs the gateway\'s MCP URL: --gateway-url URL, or verify.gatewayUrl in the document');
  return { username: user.username, passwordParameter: user.passwordParameter };
}

function canarySecretFrom(io: CliIo, desired: DesiredState, name: string): { canarySecret?: CanarySecret } {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError('--secret-env takes the NAME of an environment variable (letters, digits, underscores), never the secret itself');
  const canary = desired.keycloak.realm.canaryClient;
  if (!canary) return {};
  const value = io.env[name];
  if (value) return { canarySecret: { value } };
  // The name is echoed only when it looks like a conventional variable name: a secret pasted into
  // the flag by mistake must not be printed back.
  const shown = /^[A-Z][A-Z0-9_]{0,63}$/.test(name) ? name : 'named by --secret-env';
  return {
    canarySecret: {
      missing: `the environment variable ${shown} is not set`,
      fix: `export ${/^[A-Z][A-Z0-9_]{0,63}$/.test(name) ? name : DEFAULT_SECRET_ENV}="$(aws ssm get-parameter --with-decryption --name ${canary.secretParameter} --query Parameter.Value --output text)"`,
      severity: 'skip',
    },
  };
}

const LABEL: Record<Check['status'], (s: Style) => string> = {
  pass: (s) => s.green('PASS'),
  fail: (s) => s.red('FAIL'),
  warn: (s) => s.yellow('WARN'),
  skip: (s) => s.dim('skip'),
};

/** The readable report: one line per check, grouped, with the fix under every check that did not pass. */
export function formatReport(report: VerificationReport, source: string, style: Style): string {
  const width = Math.max(...report.checks.map((c) => c.id.length));
  const lines = [`${style.bold('keygate verify')} ${source}`, `  issuer   ${report.issuer}`, `  gateway  ${report.gatewayUrl ?? '(none given)'}`];
  let group: string | undefined;
  for (const c of report.checks) {
    if (c.group !== group) {
      group = c.group;
      lines.push('', style.bold(GROUP_TITLES[c.group]));
    }
    lines.push(`  ${LABEL[c.status](style)}  ${c.id.padEnd(width)}  ${c.evidence}${c.diagnosis ? ` ${style.bold(`[${c.diagnosis}]`)}` : ''}`);
    if (c.fix && c.status !== 'pass') lines.push(`        ${' '.repeat(width)}  ${style.dim('fix:')} ${c.fix}`);
  }
  const { pass, fail, warn, skip } = report.summary;
  const verdict = report.outcome === 'fail' ? style.red('FAIL') : report.outcome === 'warn' ? style.yellow('WARN') : style.green('PASS');
  lines.push('', `Result: ${verdict} (${fail} failed, ${warn} warning${warn === 1 ? '' : 's'}, ${pass} passed, ${skip} skipped)${report.failed ? '' : report.outcome === 'pass' ? '' : ' — not failing under verify.failOn'}`);
  return `${lines.join('\n')}\n`;
}
