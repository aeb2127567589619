import type { Browser } from 'playwright-core';
import type { FetchLike } from '../../functions/adapters/http/fetch';
import type { DesiredState } from '../../functions/core/desired/document';
import { expectationsFor } from '../../functions/core/verify/expectations';
import { checkLogin, type LoginRun } from '../../functions/core/verify/login';
import { checksFor, forMcpVersion, type Check } from '../../functions/core/verify/report';
import { ChromiumNotFoundError, launchChromium } from './browser';
import { runLogin } from './flow';

/**
 * `keygate verify --login`: the seed's login against a live deployment, as checks of the verify
 * report. The password comes from the user's SSM SecureString (read with the operator's AWS
 * credentials, kept in memory, typed into Keycloak's password field only); the report holds no
 * password, code or token (a last scrub makes sure of it).
 */
export interface VerifyLoginOptions {
  gatewayUrl: string;
  user: { username: string; passwordParameter: string };
  fetch: FetchLike;
  now: () => Date;
  screenshots?: string;
  readSecret?: (name: string) => Promise<string | undefined>;
  /** A browser the caller started and closes (default: launchChromium here, closed at the end). */
  browser?: Browser;
}

const c = checksFor('login');

export async function loginChecks(desired: DesiredState, options: VerifyLoginOptions): Promise<Check[]> {
  const readSecret = options.readSecret ?? (async (name: string) => (await import('../../functions/adapters/ssm/secure-parameter')).getSecureParameterValue(name));
  const password = await readSecret(options.user.passwordParameter);
  if (!password) {
    return [
      c.fail('password', `the SSM SecureString ${options.user.passwordParameter} (the password of ${options.user.username}) does not exist`, `create it (aws ssm put-parameter --type SecureString --name ${options.user.passwordParameter} …) with the user's password, or name another user with --login-user`, { diagnosis: 'login-password-missing' }),
    ];
  }
  const expect = { ...expectationsFor(desired, { gatewayUrl: options.gatewayUrl }) };
  const several = expect.mcpVersions.length > 1;
  let own: Browser | undefined;
  const checks = [c.pass('password', `read ${options.user.username}'s password from the SSM SecureString ${options.user.passwordParameter} (never shown)`)];
  // One login per declared MCP version: the same user and CIMD client, the MCP client speaking that version.
  for (const version of expect.mcpVersions) {
    let run: LoginRun;
    try {
      const browser = options.browser ?? (own ??= (await launchChromium()).browser);
      run = await runLogin({
        gatewayUrl: options.gatewayUrl,
        clientMetadataUrl: desired.cimd!.url,
        user: { username: options.user.username, password },
        fetch: options.fetch,
        browser,
        toolCalls: desired.verify.toolCalls,
        mcpVersion: version,
        ...(options.screenshots ? { screenshots: { directory: options.screenshots, ...(several ? { prefix: `${version}-` } : {}) } } : {}),
      });
    } catch (error) {
      if (!(error instanceof ChromiumNotFoundError)) throw error;
      run = { clientId: desired.cimd!.url, gatewayUrl: options.gatewayUrl, browserMissing: error.message, pages: [], requests: { client: [], browser: 0 }, screenshots: [] };
    }
    checks.push(...forMcpVersion(checkLogin(run, expect, options.now()), version, several));
    if (run.browserMissing) break;
  }
  await own?.close();
  // A second guard: nothing the run kept may hold the password.
  return JSON.parse(JSON.stringify(checks).split(JSON.stringify(password).slice(1, -1)).join('[redacted]')) as Check[];
}
