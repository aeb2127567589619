import type { RunningExecution } from '../drift/guard';

// Provisioning's concurrency guard: the stack-deployed event is delivered at least once and an operator
// may start a run by hand, so two provisioning executions can overlap. Their target creates
// (ConflictException) and realm creates (HTTP 409) race; the oldest run does the work, the others exit.
// A running teardown wins too (provisioning would recreate what it deletes). A running rotation does
// not block: provisioning's Apply Resource Policy keeps the rotation's endpoints (resource-policy docs).

/** What the guard step returns: the Choice after it branches on `outcome`. */
export type ProvisionGuardDecision =
  | { outcome: 'proceed' }
  | { outcome: 'skipped'; reason: string; yieldedTo: RunningExecution };

export interface ProvisionGuardInput {
  /** This execution (`$$.Execution.Name`, `$$.Execution.StartTime`). */
  self: { name: string; startTime: string };
  /** RUNNING executions of the provisioning state machine (this one may be among them). */
  provisioning: RunningExecution[];
  /** RUNNING executions of the stack's teardown state machine. */
  teardown: RunningExecution[];
}

/** Start time in epoch ms; an unknown one counts as newest, so that nobody yields to it. */
const startOf = (e: { startDate: string | null }): number => (e.startDate ? Date.parse(e.startDate) : Number.POSITIVE_INFINITY);

/** Earliest start first; ties broken by execution name, so that two runs agree on the order. */
const earlier = (a: RunningExecution, b: RunningExecution): number => startOf(a) - startOf(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const label = (e: RunningExecution) => `${e.name} (started ${e.startDate ?? 'at an unknown time'})`;

/**
 * Whether this provisioning run goes ahead: it yields to a running teardown, and to any provisioning
 * run that started before it (same start: the smaller name goes first). This run's own start is the
 * one ListExecutions reports when it lists it (one clock for all), else `$$.Execution.StartTime`.
 *
 * @example
 * decideProvisioning({
 *   self: { name: 'b', startTime: '2026-11-22T10:00:01.000Z' },
 *   provisioning: [{ stateMachine: 'p', name: 'a', startDate: '2026-11-22T10:00:00.000Z' }],
 *   teardown: [],
 * }) // { outcome: 'skipped', reason: 'provisioning already running: a (started 2026-11-22T10:00:00.000Z)', yieldedTo: {…} }
 */
export function decideProvisioning(input: ProvisionGuardInput): ProvisionGuardDecision {
  const teardown = [...input.teardown].sort(earlier)[0];
  if (teardown) return { outcome: 'skipped', reason: `teardown running: ${label(teardown)}`, yieldedTo: teardown };
  const listed = input.provisioning.find((e) => e.name === input.self.name);
  const self: RunningExecution = listed ?? { stateMachine: '', name: input.self.name, startDate: input.self.startTime };
  const older = input.provisioning.filter((e) => e.name !== self.name && earlier(e, self) < 0).sort(earlier)[0];
  if (older) return { outcome: 'skipped', reason: `provisioning already running: ${label(older)}`, yieldedTo: older };
  return { outcome: 'proceed' };
}
