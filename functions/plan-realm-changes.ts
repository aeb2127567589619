import type { DesiredState } from './core/desired/document';
import { describeChange } from './core/keycloak/describe-change';
import { actionable, planRealm, type RealmChange } from './core/keycloak/plan-realm';
import { parseSnapshot } from './core/keycloak/snapshot';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface PlanRealmChangesInput extends TaskInput {
  desired: DesiredState;
  snapshot: unknown;
  /** The execution input: `{"dryRun": true}` plans and reports without applying (drift report mode). */
  execution?: { dryRun?: boolean };
}

export interface PlanRealmChangesOutput {
  realm: string;
  /** What the state machine branches on. */
  decision: 'apply' | 'report' | 'converged';
  changeCount: number;
  changes: RealmChange[];
  lines: string[];
  unmanaged: { clientProfiles: string[]; clientPolicies: string[] };
}

/** Step "Plan Realm Changes": the pure plan against the observed snapshot, logged before any write. */
export const handler = makeHandler('plan-realm-changes', async (input: PlanRealmChangesInput, { logger }): Promise<PlanRealmChangesOutput> => {
  const realm = input.desired.keycloak.realm.name;
  logger.appendKeys({ realm });
  const plan = planRealm(input.desired, parseSnapshot(input.snapshot, 'observe step output'));
  const changes = actionable(plan.changes);
  for (const c of changes) logger.info('planned change', { action: c.action, kind: c.kind, name: c.name, reason: c.reason, fields: c.diff?.map((d) => d.field) });
  for (const w of plan.warnings) logger.warn('plan warning', { warning: w });
  if (!changes.length) logger.info('no changes', { unchanged: plan.changes.length, unmanaged: plan.unmanaged });
  const decision = !changes.length ? 'converged' : input.execution?.dryRun === true ? 'report' : 'apply';
  return { realm, decision, changeCount: changes.length, changes, lines: changes.map(describeChange), unmanaged: plan.unmanaged };
});
