import type { DesiredState } from './core/desired/document';
import { confirmRepaired, mergeDriftReport, type DriftMode, type DriftReport, type MergedDrift, type Observed } from './core/drift/report';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface MergeDriftReportInput extends TaskInput {
  desired: DesiredState;
  mode: DriftMode;
  observed: Observed;
  /** attempt 1: detect; attempt 2: after the repair, where the plan must be empty (`previous` = the first report). */
  round: { attempt: number; previous?: MergedDrift | null };
}

/**
 * Step "Merge Drift Report": one report from the gateway, targets, policy, realm and CIMD
 * observations, and what to do next. After a repair it requires an empty plan, or fails with
 * DriftNotRepairedError naming each item that would not converge.
 */
export const handler = makeHandler('merge-drift-report', async (input: MergeDriftReportInput, { logger }): Promise<MergedDrift> => {
  const merged = mergeDriftReport(input.desired, input.mode, input.observed);
  const stamp = (report: DriftReport): DriftReport => ({ ...report, ...(input.correlationId ? { executionId: input.correlationId } : {}), observedAt: new Date().toISOString() });
  if (input.round.attempt > 1 && input.round.previous) {
    const report = stamp(confirmRepaired(input.round.previous.report, merged));
    logger.info('drift repaired', { repaired: report.counts.repaired });
    // The gateway may exist only since the repair: take its URL from this observation.
    return { ...input.round.previous, report, next: 'clean', gatewayUrl: merged.gatewayUrl ?? input.round.previous.gatewayUrl };
  }
  logger.info('drift merged', { mode: input.mode, next: merged.next, ...merged.report.counts });
  return { ...merged, report: stamp(merged.report) };
});
