import type { DesiredState } from '../desired/document';
import { DRIFT_REPORT_FORMAT, type DriftMode, type DriftOutcome, type DriftReport } from './report';

// The drift run's concurrency guard (ssm-and-events.md §8): it never fights a deploy (a provisioning,
// teardown, rotation or realm execution of this stack is RUNNING: skip), and two drift runs never
// overlap (a lease in DynamoDB, taken with a conditional write).

/** The key of the one lease item in the stack's lock table. */
export const DRIFT_LOCK_ID = 'drift';

/**
 * TimeoutSeconds of statemachine/drift.asl.json (a test keeps them equal): derived from the machine's
 * own waits, its longest legitimate run (a repair of AgentCore's 100 targets, each waiting up to its
 * READY budget, and the second look; tests/support/execution-budget.ts).
 */
export const DRIFT_RUN_TIMEOUT_SECONDS = 165_360;

/**
 * How long a lease holds. Every exit of a run releases it (Catch → release), except a timeout, which
 * runs no Catch: the lease outlasts the longest run, so such a lock frees itself a little later.
 */
export const DRIFT_LEASE_SECONDS = DRIFT_RUN_TIMEOUT_SECONDS + 300;

export interface DriftLease {
  lockId: string;
  /** The execution that holds it (`$$.Execution.Id`). */
  owner: string;
  acquiredAt: string;
  /** ISO 8601 UTC: ISO strings of one format compare in time order, which the condition relies on. */
  expiresAt: string;
  /** The same instant in epoch seconds, for DynamoDB's TTL, which deletes expired items (late, in the background). */
  expiresAtEpoch: number;
}

/**
 * The lease a run asks for.
 *
 * @example
 * leaseFor('arn:…:execution:drift:run-1', new Date('2026-11-21T10:00:00Z'), 3600).expiresAt // '2026-11-21T11:00:00.000Z'
 */
export function leaseFor(owner: string, now: Date, seconds = DRIFT_LEASE_SECONDS): DriftLease {
  const expires = new Date(now.getTime() + seconds * 1000);
  return { lockId: DRIFT_LOCK_ID, owner, acquiredAt: now.toISOString(), expiresAt: expires.toISOString(), expiresAtEpoch: Math.floor(expires.getTime() / 1000) };
}

export interface RunningExecution {
  stateMachine: string;
  name: string;
  startDate: string | null;
}

/**
 * The report of a run that stopped before observing anything: what it yielded to.
 *
 * @example
 * skippedReport(desired, 'repair', 'skipped: provisioning in progress', running).items // []
 */
export function skippedReport(desired: DesiredState, mode: DriftMode, outcome: Extract<DriftOutcome, `skipped: ${string}`>, running: RunningExecution[]): DriftReport {
  return {
    format: DRIFT_REPORT_FORMAT,
    gateway: desired.gateway.name,
    realm: desired.keycloak.realm.name,
    mode,
    outcome,
    items: [],
    unmanaged: [],
    notObserved: [],
    counts: { drift: 0, repaired: 0, unmanaged: 0 },
    running,
  };
}

/** The state machine's name in an ARN (`…:stateMachine:<name>`), for messages. */
export const stateMachineName = (arn: string): string => arn.slice(arn.lastIndexOf(':') + 1);

/**
 * The drift run holding a lease, as a skipped run reports it: from its execution ARN
 * (`…:execution:<state machine>:<name>`) and when it took the lease.
 *
 * @example
 * leaseHolder({ owner: 'arn:aws:states:r:1:execution:keygate-dev-DriftStateMachine:run-1', acquiredAt: 't' })
 * // { stateMachine: 'keygate-dev-DriftStateMachine', name: 'run-1', startDate: 't' }
 */
export function leaseHolder(holder: { owner: string; acquiredAt: string | null }): RunningExecution {
  const parts = holder.owner.split(':');
  return { stateMachine: parts.at(-2) ?? '', name: parts.at(-1) ?? holder.owner, startDate: holder.acquiredAt };
}
