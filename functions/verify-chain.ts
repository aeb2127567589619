import { getSecureParameterValue } from './adapters/ssm/secure-parameter';
import { verifyChain, type CanarySecret } from './adapters/verify/verify-chain';
import { ChainUnreachableError, ChainVerificationFailedError, DesiredStateInvalidError, VerifyInputError } from './core/errors';
import { checkDesiredState } from './core/desired/check';
import { failingChecks, type VerificationReport } from './core/verify/report';
import { UNREACHABLE_DIAGNOSIS } from './core/verify/observation';
import { verifyEnv } from './platform/verify-env';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface VerifyChainInput extends TaskInput {
  /** The loaded desired state (`$.loaded.desired`). */
  desired: unknown;
  /** The gateway's MCP URL as provisioning observed it (GetGateway `gatewayUrl`). */
  gatewayUrl?: string | null;
}

export type VerifyChainOutput = VerificationReport | { outcome: 'skipped'; reason: string };

/** Step "Verify Chain": proves the live chain works; fails the execution when a check fails (verify.failOn). */
export const handler = makeHandler('verify-chain', async (input: VerifyChainInput, { logger, signal }): Promise<VerifyChainOutput> => {
  const env = verifyEnv();
  if (input?.desired === undefined) throw new VerifyInputError('missing "desired": pass "desired.$": "$.loaded.desired"', 'desired');
  const { desired } = checkDesiredState(input.desired, 'verify input');
  if (!desired.verify.enabled) return { outcome: 'skipped', reason: 'verify.enabled is false' };
  if (input.gatewayUrl && !/^https:\/\//.test(input.gatewayUrl)) throw new VerifyInputError(`gatewayUrl "${input.gatewayUrl}" is not an https URL`, 'gatewayUrl');
  const report = await verifyChain(desired, {
    ...(input.gatewayUrl ? { gatewayUrl: input.gatewayUrl } : {}),
    ...(desired.keycloak.realm.canaryClient ? { canarySecret: await readCanarySecret(desired.keycloak.realm.canaryClient.secretParameter, signal) } : {}),
    fetch: env.fetch,
    now: () => new Date(),
    signal,
  });
  logger.info('chain verified', { outcome: report.outcome, failed: report.failed, summary: report.summary, gatewayUrl: report.gatewayUrl });
  const failing = failingChecks(report, desired.verify.failOn);
  for (const c of failing) logger.warn('check did not pass', { id: c.id, status: c.status, diagnosis: c.diagnosis, evidence: c.evidence, fix: c.fix });
  if (!report.failed) return report;
  if (failing.every((c) => c.diagnosis === UNREACHABLE_DIAGNOSIS)) throw new ChainUnreachableError(failing);
  throw new ChainVerificationFailedError(failing);
});

async function readCanarySecret(name: string, signal: AbortSignal): Promise<CanarySecret> {
  const env = verifyEnv();
  // The stack's IAM policy allows GetParameter on the parameter it was deployed with, and no other.
  if (env.CANARY_SECRET_PARAMETER_NAME !== name) {
    throw new DesiredStateInvalidError('verify input', [
      {
        path: 'keycloak.realm.canaryClient.secretParameter',
        message: `is "${name}", but this stack may read "${env.CANARY_SECRET_PARAMETER_NAME}" only`,
        fix: 'redeploy with the parameters from "keygate parameters --config FILE"',
      },
    ]);
  }
  const value = await getSecureParameterValue(name, { signal });
  if (value) return { value };
  return { missing: `the SSM parameter ${name} does not exist`, fix: 'run the Keycloak realm reconciliation: it creates the canary client and stores its secret there', severity: 'fail' };
}
