import { cimdDestinationKind } from '../desired/cimd-publish';
import type { DesiredState } from '../desired/document';
import type { DesiredTarget } from '../desired/gateway';
import { DriftInputError, DriftNotRepairedError } from '../errors';
import { describeChange } from '../keycloak/describe-change';
import type { RealmChange } from '../keycloak/plan-realm';
import type { HostLeftover } from '../host/program';
import type { AwsObservation, CimdObservation, PlannedChange, RealmObservation } from './observations';

// The one drift report: every difference between the document and what runs, across AWS and
// Keycloak, as items with stable keys (resource, field, expected, actual, and the change that
// repairs it), plus what exists without being declared (listed, never changed).

export const DRIFT_REPORT_FORMAT = 'keygate.drift-report/1';

export type DriftMode = 'report' | 'repair';
export type DriftArea = 'gateway' | 'gateway-target' | 'resource-policy' | 'keycloak' | 'cimd';
/**
 * `needs-provisioning`: the gateway does not exist (never provisioned, or torn down while the schedule
 * runs on). Drift reports it as one item and never creates a gateway, its targets or its policy (that
 * is provisioning's job); in repair mode it still repairs the Keycloak realm and the CIMD document.
 */
export type DriftOutcome = 'clean' | 'drift' | 'repaired' | 'needs-provisioning' | 'repair-failed' | 'skipped: provisioning in progress' | 'skipped: drift run in progress';

/** The change that repairs an item: the planner's action, and the apply step that carries it out. */
export interface RepairChange {
  action: 'create' | 'update' | 'replace' | 'delete';
  kind: string;
  name: string;
  reason: string;
  /** The provisioning step (and API) that applies it. */
  via: string;
  summary: string;
  /** Set when drift repair never applies it, only provisioning does (a missing gateway). */
  by?: 'provisioning';
}

export interface DriftItem {
  /** Stable key: `<resource>#<field>`. */
  id: string;
  area: DriftArea;
  /** `<kind>/<name>`, e.g. `gateway/mcp-gateway-keycloak-demo`, `keycloak/client-policy/cimd-policy`. */
  resource: string;
  field: string;
  expected: unknown;
  actual: unknown;
  change: RepairChange;
}

/** Something that exists next to what keygate manages, is not declared, and is never changed. */
export interface UnmanagedItem {
  area: DriftArea;
  resource: string;
  note: string;
}

export interface DriftReport {
  format: typeof DRIFT_REPORT_FORMAT;
  gateway: string;
  realm: string;
  mode: DriftMode;
  outcome: DriftOutcome;
  items: DriftItem[];
  unmanaged: UnmanagedItem[];
  /** Areas this run could not look at, and why (the CIMD join point until it is wired). */
  notObserved: Array<{ area: DriftArea; reason: string }>;
  counts: { drift: number; repaired: number; unmanaged: number };
  executionId?: string;
  observedAt?: string;
  /** A failed repair: the error name and its cause (which names the item). */
  failure?: { error: string; cause: string };
  /** A skipped run: the executions it yielded to. */
  running?: Array<{ stateMachine: string; name: string; startDate: string | null }>;
}

/** What the state machine branches on, and what the repair branch needs. */
export interface MergedDrift {
  report: DriftReport;
  next: 'clean' | 'report' | 'repair';
  repair: { aws: boolean; keycloak: boolean; cimd: boolean; targets: DesiredTarget[] };
  gatewayUrl: string | null;
}

export interface Observed {
  aws: AwsObservation;
  realm: RealmObservation;
  cimd: CimdObservation;
}

const VIA = {
  gateway: { create: 'CreateGateway (Ensure Gateway)', update: 'UpdateGateway (Ensure Gateway)', replace: 'provisioning with gateway.allowReplacement (drift repair does not replace gateways)' },
  target: { create: 'CreateGatewayTarget (Ensure Gateway Target)', update: 'UpdateGatewayTarget (Ensure Gateway Target)', replace: 'UpdateGatewayTarget (Ensure Gateway Target)' },
  policy: 'PutResourcePolicy (Apply Resource Policy)',
  realm: 'the realm reconciler (SSM command on the Keycloak host)',
  leftover: "the realm reconciler's first SSM command on the Keycloak host (it removes keygate's leftovers older than the Command document's timeout)",
  cimd: { host: 'Publish CIMD Document (publish-cimd-document)', s3: 'Publish CIMD To S3 (publish-cimd-to-s3)' },
} as const;

const ABSENT_FIELD = '(exists)';

/** What to do about a missing gateway: drift repair does not create gateways (nor their targets and policy). */
export const RUN_PROVISIONING = 'run provisioning (sam deploy / the provision state machine)';

/** The one item of a missing gateway: its targets and policy are implied, and only provisioning creates them. */
function missingGatewayItem(name: string): DriftItem {
  const resource = `gateway/${name}`;
  const change: RepairChange = { action: 'create', kind: 'gateway', name, reason: 'missing', via: 'provisioning (drift repair never creates a gateway)', summary: RUN_PROVISIONING, by: 'provisioning' };
  return { id: `${resource}#${ABSENT_FIELD}`, area: 'gateway', resource, field: ABSENT_FIELD, expected: true, actual: null, change };
}

const repairable = (item: DriftItem) => item.change.by !== 'provisioning';

/** Items for one planned AWS change: one per differing field; a missing resource is one item, a failed one is one item on its status. */
function itemsOf(area: DriftArea, resource: string, change: PlannedChange, via: string, kind: string, name: string, status: string | null = null): DriftItem[] {
  if (change.action === 'noop') return [];
  const repair: RepairChange = { action: change.action, kind, name, reason: change.reason, via, summary: `${change.action} ${kind} ${name} (${change.reason})` };
  const fields = change.fields.length
    ? change.fields
    : change.action === 'create'
      ? [{ field: ABSENT_FIELD, expected: true, actual: false }]
      : [{ field: 'status', expected: 'READY', actual: status }];
  return fields.map((f) => ({ id: `${resource}#${f.field}`, area, resource, field: f.field, expected: f.expected, actual: f.actual ?? null, change: repair }));
}

/** Items for one realm change: one per diff entry; a create or delete is one item. */
function realmItems(realm: string, c: RealmChange): DriftItem[] {
  const resource = `keycloak/${c.kind}/${c.name}`;
  const change: RepairChange = { action: c.action as RepairChange['action'], kind: c.kind, name: c.name, reason: c.reason, via: `${VIA.realm}, realm ${realm}`, summary: describeChange(c) };
  const fields = c.diff?.length ? c.diff : [{ field: ABSENT_FIELD, expected: c.action !== 'delete', actual: c.action === 'delete' }];
  return fields.map((f) => ({ id: `${resource}#${f.field}`, area: 'keycloak', resource, field: f.field, expected: f.expected, actual: f.actual ?? null, change }));
}

/**
 * A leftover of a killed command on the Keycloak host: resource `keycloak-host/<instance>`, field its
 * path; expected absent, found its kind and age (never its content).
 */
function leftoverItem(instanceId: string, l: HostLeftover): DriftItem {
  const resource = `keycloak-host/${instanceId}`;
  const change: RepairChange = { action: 'delete', kind: 'host-leftover', name: l.path, reason: 'leftover of a killed command', via: VIA.leftover, summary: `remove ${l.kind} ${l.path} (${Math.round(l.ageSeconds / 60)} min old)` };
  return { id: `${resource}#${l.path}`, area: 'keycloak', resource, field: l.path, expected: null, actual: `${l.kind}, ${l.ageSeconds} s old${l.bytes !== undefined ? `, ${l.bytes} bytes` : ''}`, change };
}

/** A password reset on every run (`resetPassword: true`) is requested, not drift. */
const isDrift = (c: RealmChange) => c.action !== 'noop' && c.reason !== 'reset-requested';

/**
 * Merges the observations of one drift run into one report, and decides what the state machine does
 * next: nothing (clean), report, or repair (only in repair mode, only the areas that drifted).
 *
 * @example
 * const merged = mergeDriftReport(desired, 'report', observed);
 * merged.report.items.map((i) => `${i.resource} ${i.field}`) // ['gateway-target/tools endpoint']
 */
export function mergeDriftReport(desired: DesiredState, mode: DriftMode, observed: Observed): MergedDrift {
  const { aws, realm, cimd } = observed;
  const gw = aws.gateway;
  // No gateway: one item saying so, nothing for its targets and policy, and no AWS repair (provisioning's job).
  const missing = gw.gatewayId === null;
  const gatewayItems = missing ? [missingGatewayItem(gw.name)] : itemsOf('gateway', `gateway/${gw.name}`, gw.change, VIA.gateway[gw.change.action as 'create' | 'update' | 'replace'] ?? VIA.gateway.update, 'gateway', gw.name, gw.status);
  const targetItems = missing ? [] : aws.targets.flatMap((t) => itemsOf('gateway-target', `gateway-target/${t.name}`, t.change, VIA.target[t.change.action as 'create'] ?? VIA.target.update, 'gateway-target', t.name, t.status));
  const policy = aws.resourcePolicy.change;
  const policyItems = policy && !missing ? itemsOf('resource-policy', `resource-policy/${gw.name}`, policy, VIA.policy, 'resource-policy', gw.name) : [];
  const keycloakItems = [
    ...realm.changes.filter(isDrift).flatMap((c) => realmItems(realm.realm, c)),
    ...(realm.leftovers ?? []).filter((l) => !l.removed).map((l) => leftoverItem(desired.keycloak.instanceId, l)),
  ];
  const cimdItems = 'plan' in cimd ? itemsOf('cimd', `cimd/${cimd.url}`, { ...cimd.plan, fields: cimd.plan.fields }, `${VIA.cimd[cimdDestinationKind(desired.cimd) === 's3' ? 's3' : 'host']} to ${cimd.destination}`, 'cimd-document', cimd.url) : [];
  const items = [...gatewayItems, ...targetItems, ...policyItems, ...keycloakItems, ...cimdItems];
  const unmanaged: UnmanagedItem[] = [
    ...aws.unmanagedTargets.map((t) => ({ area: 'gateway-target' as const, resource: `gateway-target/${t.name}`, note: `target ${t.targetId} on the gateway is not declared in the document: listed, never changed` })),
    ...realm.unmanaged.clientProfiles.map((n) => ({ area: 'keycloak' as const, resource: `keycloak/client-profile/${n}`, note: 'client profile keygate neither declares nor created: listed, never changed' })),
    ...realm.unmanaged.clientPolicies.map((n) => ({ area: 'keycloak' as const, resource: `keycloak/client-policy/${n}`, note: 'client policy keygate neither declares nor created: listed, never changed' })),
  ];
  const driftedTargets = new Set(targetItems.map((i) => i.change.name));
  const report: DriftReport = {
    format: DRIFT_REPORT_FORMAT,
    gateway: gw.name,
    realm: realm.realm,
    mode,
    outcome: missing ? 'needs-provisioning' : items.length ? 'drift' : 'clean',
    items,
    unmanaged,
    notObserved: 'reason' in cimd ? [{ area: 'cimd', reason: cimd.reason }] : [],
    counts: { drift: items.length, repaired: 0, unmanaged: unmanaged.length },
  };
  return {
    report,
    next: !items.length ? 'clean' : mode === 'repair' && items.some(repairable) ? 'repair' : 'report',
    repair: {
      aws: !missing && gatewayItems.length + targetItems.length + policyItems.length > 0,
      keycloak: keycloakItems.length > 0,
      cimd: cimdItems.length > 0,
      targets: desired.targets.filter((t) => driftedTargets.has(t.name)),
    },
    gatewayUrl: gw.gatewayUrl,
  };
}

/**
 * After a repair, the fresh observation must plan nothing that drift repairs (a missing gateway is
 * left to provisioning, and the outcome then stays `needs-provisioning`). Returns the first report
 * marked repaired; throws {@link DriftNotRepairedError} naming each item that would not converge.
 *
 * @example
 * confirmRepaired(before.report, mergeDriftReport(desired, 'repair', observedAgain)).outcome // 'repaired'
 */
export function confirmRepaired(before: DriftReport, after: MergedDrift): DriftReport {
  const left = after.report.items.filter(repairable);
  if (left.length) throw new DriftNotRepairedError(left.map(({ resource, field, expected, actual }) => ({ resource, field, expected, actual })));
  const outcome = after.report.outcome === 'needs-provisioning' ? 'needs-provisioning' : 'repaired';
  return { ...before, outcome, unmanaged: after.report.unmanaged, counts: { ...before.counts, repaired: before.items.filter(repairable).length, unmanaged: after.report.unmanaged.length } };
}

/**
 * The drift mode of a run: the execution input's `mode` when given (an operator's one-off), else the
 * document's `drift.mode`. Anything else is refused before the run takes its lock.
 *
 * @example
 * driftMode({ mode: 'report' }, desired) // 'report'
 */
export function driftMode(request: unknown, desired: Pick<DesiredState, 'drift'>): DriftMode {
  const mode = request && typeof request === 'object' ? (request as { mode?: unknown }).mode : undefined;
  if (mode === undefined) return desired.drift.mode;
  if (mode === 'report' || mode === 'repair') return mode;
  throw new DriftInputError('mode', `${JSON.stringify(mode)} is not a drift mode: pass "report" (list drift only) or "repair" (apply and re-verify), or leave it out to use drift.mode from the document`);
}
