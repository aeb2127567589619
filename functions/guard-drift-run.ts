import { acquireLease, releaseLease } from './adapters/dynamodb/drift-lock';
import { runningExecutions } from './adapters/stepfunctions/executions';
import type { DesiredState } from './core/desired/document';
import { DRIFT_LOCK_ID, leaseFor, leaseHolder, skippedReport } from './core/drift/guard';
import { driftMode } from './core/drift/report';
import { driftGuardEnv } from './platform/drift-env';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface GuardDriftRunInput extends TaskInput {
  /** acquire: check for deploys and take the lease; release: give the lease back. */
  action: 'acquire' | 'release';
  desired?: DesiredState;
  /** The execution input (`$$.Execution.Input`): its optional `mode` overrides drift.mode. */
  request?: unknown;
}

/**
 * Steps "Guard Drift Run" and "Release Drift Lock". Never fights a deploy: any RUNNING provisioning,
 * teardown, realm reconciliation or rotation of this stack makes the run stop early ("skipped:
 * provisioning in progress"); two drift runs never overlap: the lease is a conditional write.
 */
export const handler = makeHandler('guard-drift-run', async (input: GuardDriftRunInput, { logger, signal }) => {
  const env = driftGuardEnv();
  const owner = String(input.correlationId);
  if (input.action === 'release') {
    const released = await releaseLease(env.DRIFT_LOCK_TABLE, DRIFT_LOCK_ID, owner, { signal });
    (released === 'released' ? logger.info : logger.warn).call(logger, 'drift lock released', { released });
    return { released };
  }
  const desired = input.desired!;
  const mode = driftMode(input.request, desired);
  const siblings = [env.PROVISION_STATE_MACHINE_ARN, env.TEARDOWN_STATE_MACHINE_ARN, env.REALM_STATE_MACHINE_ARN, env.ROTATION_STATE_MACHINE_ARN].filter(Boolean);
  const running = (await Promise.all(siblings.map((arn) => runningExecutions(arn, { signal })))).flat();
  if (running.length) {
    logger.info('drift run skipped', { outcome: 'skipped: provisioning in progress', running });
    return { outcome: 'skip' as const, mode, report: skippedReport(desired, mode, 'skipped: provisioning in progress', running) };
  }
  const now = new Date();
  const lease = leaseFor(owner, now);
  const taken = await acquireLease(env.DRIFT_LOCK_TABLE, lease, now, { signal });
  if (!taken.acquired) {
    const holder = taken.holder ? [leaseHolder(taken.holder)] : [];
    logger.info('drift run skipped', { outcome: 'skipped: drift run in progress', holder: taken.holder });
    return { outcome: 'skip' as const, mode, report: skippedReport(desired, mode, 'skipped: drift run in progress', holder) };
  }
  logger.info('drift lock taken', { mode, expiresAt: lease.expiresAt });
  return { outcome: 'proceed' as const, mode, lease: { owner, expiresAt: lease.expiresAt } };
});
