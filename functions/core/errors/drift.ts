import { KeygateError } from './base';

// Errors of drift detection and repair (statemachine/drift.asl.json). Names are string literals:
// Step Functions matches them.

/** One drift item that a repair left in place, as the error names it. */
export interface UnrepairedItem {
  resource: string;
  field: string;
  expected: unknown;
  actual: unknown;
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

/**
 * Terminal: after the repair applied its changes, observing again still finds drift. Names every
 * item that would not converge (resource, field, expected and found), so that the person paged by
 * the alarm knows where to look: something outside keygate keeps changing it, or the service does
 * not keep what keygate writes.
 */
export class DriftNotRepairedError extends KeygateError {
  override readonly name = 'DriftNotRepairedError';
  readonly code = 'ERR_DRIFT_NOT_REPAIRED';

  constructor(readonly items: UnrepairedItem[]) {
    super(
      `drift remains after repair (${items.length} item${items.length === 1 ? '' : 's'}): ${items.map((i) => `${i.resource} ${i.field}: expected ${show(i.expected)}, found ${show(i.actual)}`).join('; ')}. ` +
        'Something outside keygate changes it again, or the service does not keep the value: find the writer (CloudTrail, Keycloak admin events), then run drift repair again.',
    );
  }
}

/**
 * The execution input asks for something the drift run cannot do (an unknown mode). A TypeError:
 * a caller's mistake, never retried; the run stops before it takes the lock or observes anything.
 */
export class DriftInputError extends TypeError {
  override readonly name = 'DriftInputError';
  readonly code = 'ERR_DRIFT_INPUT';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
