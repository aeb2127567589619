import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { publishMessage } from './adapters/sns/notify';
import { causeText, DRIFT_METRICS, driftMetricValues } from './core/drift/metrics';
import { driftSubject, renderDriftReport } from './core/drift/render';
import type { DriftReport, MergedDrift } from './core/drift/report';
import { driftReportEnv } from './platform/drift-env';
import { makeHandler, type TaskInput } from './platform/make-handler';
import { metrics } from './platform/metrics';

export interface PublishDriftReportInput extends TaskInput {
  merged: MergedDrift;
  /** Set by "Report Repair Failure": the error that stopped the repair (`{Error, Cause}` from the Catch). */
  failure?: { Error: string; Cause?: string };
}

const NONE = '(none)';

/**
 * Steps "Publish Drift Report" and "Report Repair Failure": one log line per drift item and per
 * unmanaged resource (stable keys, correlation id = execution id), the run's metrics, and, when a
 * topic is configured and there is something to say, a readable summary on SNS.
 */
export const handler = makeHandler('publish-drift-report', async (input: PublishDriftReportInput, { logger, signal }): Promise<DriftReport> => {
  const env = driftReportEnv();
  const report: DriftReport = input.failure
    ? { ...input.merged.report, outcome: 'repair-failed', counts: { ...input.merged.report.counts, repaired: 0 }, failure: { error: input.failure.Error, cause: causeText(input.failure.Cause) } }
    : input.merged.report;
  logger.appendKeys({ gateway: report.gateway, realm: report.realm, mode: report.mode });
  for (const item of report.items) {
    const { id, area, resource, field, expected, actual, change } = item;
    // Powertools drops null and empty attributes; "(none)" keeps every key on every line.
    logger.info('drift item', { driftItem: id, area, resource, field, expected: expected ?? NONE, actual: actual ?? NONE, change: { action: change.action, kind: change.kind, name: change.name, reason: change.reason, via: change.via }, outcome: report.outcome });
  }
  for (const u of report.unmanaged) logger.info('unmanaged resource', { resource: u.resource, area: u.area, note: u.note });
  (report.failure ? logger.error : logger.info).call(logger, 'drift run', { outcome: report.outcome, ...report.counts, ...(report.failure ? { failure: report.failure } : {}) });
  metrics.addDimension(DRIFT_METRICS.stackDimension, env.KEYGATE_OWNER);
  for (const [name, value] of Object.entries(driftMetricValues(report))) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
  if (env.DRIFT_TOPIC_ARN && (report.items.length || report.failure)) {
    const messageId = await publishMessage(env.DRIFT_TOPIC_ARN, driftSubject(report), renderDriftReport(report), { signal });
    logger.info('drift summary sent', { topicArn: env.DRIFT_TOPIC_ARN, messageId });
  }
  return report;
});
