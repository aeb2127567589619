import { escapeForDisplay } from '../display';
import type { DriftItem, DriftReport } from './report';

// The human-readable drift report: the SNS message and `keygate drift` print the same text.

/** SNS Publish: a Subject is text without line breaks or control characters, "less than 100 characters long" (API reference). */
export const MAX_SUBJECT_LENGTH = 99;
const MAX_VALUE_LENGTH = 240;

/**
 * A value on one line, cut with an ellipsis when long (a whole policy document would drown the message).
 *
 * @example
 * showValue(['mcp-gateway-demo']) // '["mcp-gateway-demo"]'
 */
export function showValue(value: unknown): string {
  const text = value === undefined ? '(absent)' : value === null ? '(none)' : JSON.stringify(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const VERDICT: Record<DriftReport['outcome'], string> = {
  clean: 'no drift',
  drift: 'drift found (report mode: nothing changed)',
  repaired: 'drift found and repaired (observed again: no drift left)',
  'needs-provisioning': 'the gateway does not exist: run provisioning (drift repair does not create gateways; anything else found was repaired in repair mode)',
  'repair-failed': 'drift found; the repair FAILED',
  'skipped: provisioning in progress': 'skipped: provisioning in progress',
  'skipped: drift run in progress': 'skipped: drift run in progress',
};

/**
 * One short line for an SNS subject or a log: the outcome, the counts and the gateway.
 *
 * @example
 * driftSubject(report) // 'keygate drift: 2 items repaired on mcp-gateway-keycloak-demo'
 */
export function driftSubject(report: DriftReport): string {
  const n = report.counts.drift;
  const what =
    report.outcome === 'repaired' ? `${plural(n, 'item')} repaired` : report.outcome === 'repair-failed' ? `repair failed (${plural(n, 'item')})` : report.outcome === 'drift' ? `${plural(n, 'item')} drifted` : report.outcome;
  const text = report.outcome === 'needs-provisioning' ? `keygate drift: gateway ${report.gateway} missing, run provisioning` : `keygate drift: ${what} on ${report.gateway}`;
  const subject = text.replace(/[^\x20-\x7e]/g, '?');
  return subject.length > MAX_SUBJECT_LENGTH ? `${subject.slice(0, MAX_SUBJECT_LENGTH - 3)}...` : subject;
}

function itemLines(item: DriftItem): string[] {
  return [
    `DRIFT  ${item.resource}  ${item.field}`,
    `       expected  ${showValue(item.expected)}`,
    `       found     ${showValue(item.actual)}`,
    item.change.by === 'provisioning' ? `       repair    ${item.change.summary}: drift repair does not do this` : `       repair    ${item.change.summary} via ${item.change.via}`,
  ];
}

/**
 * The whole report as text: every drift item (resource, field, expected, found, the repairing
 * change), every unmanaged resource, what was not observed, and the verdict.
 *
 * @example
 * renderDriftReport(report).split('\n')[0] // 'keygate drift report: gateway mcp-gateway-keycloak-demo, realm mcp-demo, mode repair'
 */
export function renderDriftReport(report: DriftReport): string {
  const lines = [`keygate drift report: gateway ${report.gateway}, realm ${report.realm}, mode ${report.mode}`];
  if (report.executionId) lines.push(`execution ${report.executionId}${report.observedAt ? ` at ${report.observedAt}` : ''}`);
  lines.push('');
  for (const item of report.items) lines.push(...itemLines(item));
  for (const u of report.unmanaged) lines.push(`UNMANAGED  ${u.resource}  ${u.note}`);
  for (const n of report.notObserved) lines.push(`NOT OBSERVED  ${n.area}: ${n.reason}`);
  for (const r of report.running ?? []) lines.push(`RUNNING  ${r.stateMachine} ${r.name}${r.startDate ? ` since ${r.startDate}` : ''}`);
  if (report.failure) lines.push(`FAILED  ${report.failure.error}: ${report.failure.cause}`);
  if (lines.at(-1) !== '') lines.push('');
  const { drift, repaired, unmanaged } = report.counts;
  lines.push(`Result: ${VERDICT[report.outcome]} (${plural(drift, 'drift item')}, ${repaired} repaired, ${unmanaged} unmanaged)`);
  // Values come from AWS, Keycloak and the host as they were found: escaped, so a hand edit cannot repaint a reader's terminal.
  return `${escapeForDisplay(lines.join('\n'))}\n`;
}
