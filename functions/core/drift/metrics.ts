import type { DriftReport } from './report';

/**
 * CloudWatch metrics of a drift run (Powertools metrics, embedded metric format). The template's
 * alarms name the same namespace, metric names and dimensions (a test keeps them equal).
 */
export const DRIFT_METRICS = {
  namespace: 'keygate',
  /** Dimensions besides Powertools' own `service`. */
  stackDimension: 'stack',
  driftItems: 'DriftItems',
  repairedItems: 'RepairedItems',
  unmanagedItems: 'UnmanagedItems',
  repairFailed: 'RepairFailed',
} as const;

/**
 * The values one run emits (every run that observed anything emits all four, zeros included, so that
 * a missing data point means "no run", not "no drift").
 *
 * @example
 * driftMetricValues(report) // { DriftItems: 2, RepairedItems: 2, UnmanagedItems: 1, RepairFailed: 0 }
 */
export function driftMetricValues(report: DriftReport): Record<string, number> {
  return {
    [DRIFT_METRICS.driftItems]: report.counts.drift,
    [DRIFT_METRICS.repairedItems]: report.counts.repaired,
    [DRIFT_METRICS.unmanagedItems]: report.counts.unmanaged,
    [DRIFT_METRICS.repairFailed]: report.outcome === 'repair-failed' ? 1 : 0,
  };
}

/**
 * The readable part of a Step Functions error Cause: a Lambda error's `errorMessage`, a nested
 * execution's own Cause (`States.TaskFailed` wraps the child's `{Error, Cause}`), else the text.
 *
 * @example
 * causeText('{"errorType":"GatewayNotConvergedError","errorMessage":"gateway gw-1: allowedAudiences"}') // 'gateway gw-1: allowedAudiences'
 */
export function causeText(cause: string | undefined, depth = 0): string {
  if (!cause || depth > 3) return cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string; Error?: string; Cause?: string };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
    if (typeof parsed.Cause === 'string') return `${parsed.Error ? `${parsed.Error}: ` : ''}${causeText(parsed.Cause, depth + 1)}`;
  } catch {
    // Not JSON: the cause is already text.
  }
  return cause;
}
