import type { DesiredState } from './core/desired/document';
import { describeChange } from './core/keycloak/describe-change';
import { actionable, planRealm, type RealmChange } from './core/keycloak/plan-realm';
import { parseSnapshot } from './core/keycloak/snapshot';
import type { HostLeftover } from './core/host/program';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface PlanRealmChangesInput extends TaskInput {
  desired: DesiredState;
  snapshot: unknown;
  /** The execution input: `{"dryRun": true}` plans and reports without applying (drift report mode). */
  execution?: { dryRun?: boolean };
  /** keygate's leftovers the observe command found on the host (a dry run leaves them: they are drift then). */
  leftovers?: HostLeftover[];
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
  const dryRun = input.execution?.dryRun === true;
  // Leftovers stay only in a dry run (any other command removes them first): then they are drift to report.
  const leftovers = (input.leftovers ?? []).filter((l) => !l.removed);
  const decision = dryRun ? (changes.length || leftovers.length ? 'report' : 'converged') : changes.length ? 'apply' : 'converged';
  return { realm, decision, changeCount: changes.length, changes, lines: changes.map(describeChange), unmanaged: plan.unmanaged };
});
