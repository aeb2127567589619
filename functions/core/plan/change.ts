/** What a plan does to one object (Terraform's closed action set; house style habit 1). */
export type ChangeAction = 'create' | 'update' | 'delete' | 'noop';

/** One field that differs: what the document wants and what was observed. */
export interface FieldDiff {
  field: string;
  expected: unknown;
  actual: unknown;
}

/**
 * A planned change to one managed object, as data: applied by a separate step, logged before any
 * write, and re-planned after apply (an empty plan proves convergence).
 */
export interface Change<T = unknown> {
  action: ChangeAction;
  kind: string;
  name: string;
  before?: T;
  after?: T;
  /** Why this action: 'missing' | 'differs' | 'in-sync' | 'unparsable' | 'not-in-desired-state' | … */
  reason: string;
}

export const isNoop = (c: Pick<Change, 'action'>): boolean => c.action === 'noop';
