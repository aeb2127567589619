import type { DesiredState } from '../desired/document';
import { GatewayNotReadyError, GatewayTargetNotReadyError } from '../errors';
import { planGateway, type ObservedGateway } from '../gateway/plan-gateway';
import { planTarget, type ObservedTarget } from '../gateway/plan-target';
import { describeChange } from '../keycloak/describe-change';
import { actionable, planRealm, type RealmChange } from '../keycloak/plan-realm';
import type { ObservedRealm } from '../keycloak/snapshot';
import type { HostLeftover } from '../host/program';
import type { FieldDiff } from '../plan/change';
import { planResourcePolicy } from '../policy/compare-policy';
import { buildResourcePolicy } from '../policy/render-resource-policy';
import { gatewayReadiness, targetReadiness } from '../readiness';

// What the drift run observed, planned with the planners provisioning uses (plan-gateway.ts,
// plan-target.ts, compare-policy.ts, plan-realm.ts) and kept compact: the differing fields, never
// the rendered request bodies (Step Functions carries at most 256 KB between states).

/** A planned change without its request body: what differs and why. */
export interface PlannedChange {
  action: 'create' | 'update' | 'replace' | 'delete' | 'noop';
  reason: string;
  fields: FieldDiff[];
}

export interface GatewayObservation {
  name: string;
  gatewayId: string | null;
  gatewayArn: string | null;
  gatewayUrl: string | null;
  status: string | null;
  change: PlannedChange;
}

export interface TargetObservation {
  name: string;
  targetId: string | null;
  status: string | null;
  change: PlannedChange;
}

/** A target on the gateway that the document does not declare: listed, never changed. */
export interface UnmanagedTarget {
  name: string;
  targetId: string;
  status: string | null;
}

export interface PolicyObservation {
  /** false: the document has no resourcePolicy section, so keygate neither reads nor changes it. */
  managed: boolean;
  vpcEndpointIds: string[];
  change: PlannedChange | null;
}

/** Output of the "Observe Gateway, Targets And Policy" step. */
export interface AwsObservation {
  gateway: GatewayObservation;
  targets: TargetObservation[];
  unmanagedTargets: UnmanagedTarget[];
  resourcePolicy: PolicyObservation;
}

/** Output of the nested realm reconciler run with `{"dryRun": true}` (reconcile-realm.asl.json). */
export interface RealmObservation {
  realm: string;
  outcome: 'converged' | 'drift' | 'applied';
  changeCount: number;
  summary: string[];
  changes: RealmChange[];
  unmanaged: { clientProfiles: string[]; clientPolicies: string[] };
  /**
   * keygate's own leftovers of killed commands on the Keycloak host (work directories, temporary files
   * of interrupted writes), older than the Command document's timeout: a dry run lists them (`removed:
   * false`), the reconciler's first command of any other run removes them.
   */
  leftovers?: HostLeftover[];
}

/**
 * Output of the CIMD branch. Until it is wired, the join point says it did not look. Wired, it is the
 * output of `publish-cimd-document` with `{"mode": "observe"}` (functions/adapters/cimd/reconcile-cimd.ts
 * `CimdOutcome`, structurally): `skipped` when keygate does not publish the document, else the plan.
 */
export type CimdObservation =
  | { observed: false; reason: string }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'in-sync' | 'drifted'; url: string; destination: string; plan: { action: PlannedChange['action']; reason: string; fields: FieldDiff[] } };

/** What the adapters read for the AWS side (the SDK outputs are structurally these). */
export interface AwsReadings {
  gateway?: { gateway: ObservedGateway; tags: Record<string, string> };
  /** The declared targets, each with what GetGatewayTarget returned (undefined: not found by name). */
  targets: Array<{ name: string; observed?: ObservedTarget }>;
  /** ListGatewayTargets entries whose name the document does not declare. */
  otherTargets: Array<{ name?: string | undefined; targetId?: string | undefined; status?: string | undefined }>;
  /** Absent when the document does not manage the policy or the gateway does not exist. */
  policy?: { text: string | undefined; vpcEndpointIds: string[] };
}

const compact = (plan: { action: PlannedChange['action']; reason: string; fields?: FieldDiff[] }): PlannedChange => ({ action: plan.action, reason: plan.reason, fields: plan.fields ?? [] });

/** In the middle of a change: being created, updated, synchronized or deleted (agentcore-gateway-api.md §5, §6). */
const inFlux = (readiness: { state: string }, status: unknown) => readiness.state === 'pending' || status === 'DELETING';

/**
 * Plans the gateway, each declared target and the resource policy against what was read, with the
 * provisioning planners. A gateway or target in the middle of a change (CREATING, UPDATING, DELETING, …)
 * is not judged: the retryable NotReady error makes the state machine observe again a little later
 * (a deletion then reads as absent, planned as a create).
 *
 * @example
 * planAwsDrift(desired, { roleArn, owner: 'keygate-dev' }, { targets: [{ name: 'tools' }], otherTargets: [] }).gateway.change.action // 'create'
 */
export function planAwsDrift(desired: DesiredState, stack: { roleArn: string; owner: string }, read: AwsReadings): AwsObservation {
  const g = read.gateway?.gateway;
  if (g && inFlux(gatewayReadiness(g.status, g.statusReasons), g.status)) throw new GatewayNotReadyError(String(g.gatewayId), String(g.status));
  const gatewayPlan = planGateway({ desired: desired.gateway, roleArn: stack.roleArn, owner: stack.owner, ...(read.gateway ? { observed: read.gateway } : {}) });
  const gatewayId = g?.gatewayId ?? null;
  const targets = read.targets.map(({ name, observed }): TargetObservation => {
    const target = desired.targets.find((t) => t.name === name)!;
    if (observed && inFlux(targetReadiness(observed.status, observed.statusReasons), observed.status)) throw new GatewayTargetNotReadyError(name, String(observed.status));
    const plan = planTarget({ desired: target, gatewayId: gatewayId ?? '(not created yet)', ...(observed ? { observed } : {}) });
    return { name, targetId: observed?.targetId ?? null, status: observed?.status ?? null, change: compact(plan) };
  });
  return {
    gateway: {
      name: desired.gateway.name,
      gatewayId,
      gatewayArn: g?.gatewayArn ? String(g.gatewayArn) : null,
      gatewayUrl: g?.gatewayUrl ? String(g.gatewayUrl) : null,
      status: g?.status ?? null,
      change: compact(gatewayPlan),
    },
    targets,
    unmanagedTargets: read.otherTargets.map((t) => ({ name: String(t.name), targetId: String(t.targetId), status: t.status ?? null })),
    resourcePolicy: planPolicyDrift(desired, g?.gatewayArn ? String(g.gatewayArn) : null, read.policy),
  };
}

function planPolicyDrift(desired: DesiredState, gatewayArn: string | null, read: AwsReadings['policy']): PolicyObservation {
  if (!desired.resourcePolicy) return { managed: false, vpcEndpointIds: [], change: null };
  if (!gatewayArn || !read) {
    // No gateway, so no policy: provisioning (or the repair) creates it right after the gateway.
    return { managed: true, vpcEndpointIds: [], change: { action: 'create', reason: 'missing', fields: [{ field: 'policy', expected: '(the VPC endpoint policy, once the gateway exists)', actual: null }] } };
  }
  const plan = planResourcePolicy(gatewayArn, buildResourcePolicy(gatewayArn, read.vpcEndpointIds), read.text);
  return { managed: true, vpcEndpointIds: read.vpcEndpointIds, change: compact(plan) };
}

/**
 * The realm observation from a snapshot, in the shape the realm reconciler's dry run returns (its
 * "Plan Realm Changes" step plans the same way): for `keygate drift`, which observes from an
 * operator's machine without the state machine.
 *
 * @example
 * realmObservationOf(desired, snapshot).outcome // 'converged'
 */
export function realmObservationOf(desired: DesiredState, snapshot: ObservedRealm, leftovers: HostLeftover[] = []): RealmObservation {
  const plan = planRealm(desired, snapshot);
  const changes = actionable(plan.changes);
  const drift = changes.length > 0 || leftovers.some((l) => !l.removed);
  return { realm: plan.realm, outcome: drift ? 'drift' : 'converged', changeCount: changes.length, summary: changes.map(describeChange), changes, unmanaged: plan.unmanaged, leftovers };
}
