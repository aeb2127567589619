import { GatewayChangedAfterReadyError, GatewayFailedError, GatewayNotReadyError, GatewayTargetFailedError, GatewayTargetNotReadyError, GatewayWaitTimeoutError } from '../errors';
import { gatewayReadiness, targetReadiness } from '../readiness';
import type { ObservedGateway } from './plan-gateway';
import type { ObservedTarget } from './plan-target';

/** What `ensure*` reports for a resource (house style: created | updated | unchanged). */
export type EnsureAction = 'created' | 'updated' | 'unchanged';

export const ensureActionOf = (action: 'create' | 'update' | 'noop'): EnsureAction => ({ create: 'created', update: 'updated', noop: 'unchanged' } as const)[action];

/**
 * The end of a bounded wait, as an ISO timestamp carried in the execution state.
 *
 * @example
 * waitDeadline(new Date('2026-11-21T10:00:00Z'), 600) // '2026-11-21T10:10:00.000Z'
 */
export function waitDeadline(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}

const pastDeadline = (deadline: string | undefined, now: Date) => deadline !== undefined && now.getTime() > Date.parse(deadline);

/**
 * One poll of a gateway wait, from the readiness vocabulary: returns when READY, throws the
 * retryable GatewayNotReadyError while pending, and a terminal error when failed, gone or out of time.
 *
 * @example
 * gatewayWaitStep({ status: 'READY' }, { gatewayId: 'gw-1', now }) // { status: 'READY' }
 */
export function gatewayWaitStep(observed: ObservedGateway | undefined, ctx: { gatewayId: string; deadline?: string; now: Date }): { status: string } {
  if (!observed) throw new GatewayFailedError(ctx.gatewayId, 'DELETED', ['the gateway no longer exists (deleted while provisioning?)']);
  const r = gatewayReadiness(observed.status, observed.statusReasons);
  if (r.state === 'ready') return { status: r.status };
  if (r.state === 'pending') {
    if (pastDeadline(ctx.deadline, ctx.now)) throw new GatewayWaitTimeoutError(`gateway ${ctx.gatewayId}`, r.status, ctx.deadline!);
    throw new GatewayNotReadyError(ctx.gatewayId, r.status);
  }
  throw new GatewayFailedError(ctx.gatewayId, r.status, r.state === 'failed' ? r.reasons : []);
}

export interface TargetOutcome {
  name: string;
  targetId: string;
  status: string;
  action: EnsureAction;
  outcome: 'ready' | 'needs-consent';
  authorizationUrl?: string;
}

/**
 * One poll of a target wait. `*_PENDING_AUTH` ends the wait (it is stable until a person consents),
 * reported as `needs-consent` rather than thrown, so that the other targets still converge.
 *
 * @example
 * targetWaitStep({ status: 'CREATE_PENDING_AUTH' }, { name: 't', targetId: 'T', action: 'created', now }).outcome // 'needs-consent'
 */
export function targetWaitStep(observed: ObservedTarget | undefined, ctx: { name: string; targetId: string; action: EnsureAction; deadline?: string; now: Date }): TargetOutcome {
  const { name, targetId, action } = ctx;
  if (!observed) throw new GatewayTargetFailedError(name, targetId, 'DELETED', ['the target no longer exists (deleted while provisioning?)']);
  const authorizationUrl = (observed.authorizationData as { oauth2?: { authorizationUrl?: string } } | undefined)?.oauth2?.authorizationUrl;
  const r = targetReadiness(observed.status, observed.statusReasons, authorizationUrl);
  switch (r.state) {
    case 'ready':
      return { name, targetId, status: r.status, action, outcome: 'ready' };
    case 'needs-consent':
      return { name, targetId, status: r.status, action, outcome: 'needs-consent', ...(r.authorizationUrl ? { authorizationUrl: r.authorizationUrl } : {}) };
    case 'pending':
      if (pastDeadline(ctx.deadline, ctx.now)) throw new GatewayWaitTimeoutError(`target ${name} (${targetId})`, r.status, ctx.deadline!);
      throw new GatewayTargetNotReadyError(name, r.status);
    default:
      throw new GatewayTargetFailedError(name, targetId, r.status, r.reasons);
  }
}

export interface ProvisioningSummary {
  gatewayId: string;
  gatewayArn: string;
  gatewayUrl: string;
  action: EnsureAction;
  targets: Array<{ name: string; targetId: string; status: string; action: EnsureAction }>;
}

/**
 * The execution's result, and whether it ends converged or waiting for a person's OAuth consent.
 *
 * @example
 * summarizeProvisioning({ gatewayId, gatewayArn, gatewayUrl, action: 'unchanged' }, outcomes).outcome // 'converged'
 */
export function summarizeProvisioning(
  gateway: { gatewayId: string; gatewayArn: string; gatewayUrl?: string; action: EnsureAction },
  targets: readonly TargetOutcome[],
): { result: ProvisioningSummary; outcome: 'converged' | 'needs-consent'; message?: string } {
  const result: ProvisioningSummary = {
    gatewayId: gateway.gatewayId,
    gatewayArn: gateway.gatewayArn,
    gatewayUrl: gateway.gatewayUrl ?? '',
    action: gateway.action,
    targets: targets.map(({ name, targetId, status, action }) => ({ name, targetId, status, action })),
  };
  const waiting = targets.filter((t) => t.outcome === 'needs-consent');
  if (!waiting.length) return { result, outcome: 'converged' };
  const lines = waiting.map((t) => `target ${t.name} (${t.targetId}) is ${t.status}: complete the OAuth consent${t.authorizationUrl ? ` at ${t.authorizationUrl}` : ' shown in the AgentCore console'}`);
  return { result, outcome: 'needs-consent', message: `${lines.join('; ')}. Then run provisioning again.` };
}

/** What the final look read: the gateway and each target the run made READY (undefined: not found). */
export interface FinalReading {
  gatewayId: string;
  gateway: ObservedGateway | undefined;
  targets: Array<{ name: string; targetId: string; observed: ObservedTarget | undefined }>;
}

/** The statuses the final look confirmed. */
export interface FinalObservation {
  gateway: { gatewayId: string; status: string };
  targets: Array<{ name: string; targetId: string; status: string }>;
}

const reasons = (list: readonly string[]) => (list.length ? `: ${list.join('; ')}` : ' (no status reasons)');

/**
 * The last step before provisioning reports success: the gateway and every target must still be READY.
 * A resource can flip after its own READY check (a failed synchronization, someone's update, a
 * deletion): a failed, missing or consent-waiting one ends the run with
 * {@link GatewayChangedAfterReadyError} naming each and its status reasons; one in the middle of a change
 * (UPDATING, SYNCHRONIZING, …) throws the retryable NotReady error, so the state machine looks again.
 *
 * @example
 * confirmStillReady({ gatewayId: 'gw-1', gateway: { status: 'READY' }, targets: [] }) // { gateway: { gatewayId: 'gw-1', status: 'READY' }, targets: [] }
 */
export function confirmStillReady(read: FinalReading): FinalObservation {
  const changed: string[] = [];
  let pending: Error | undefined;
  const g = read.gateway;
  const gatewayState = g ? gatewayReadiness(g.status, g.statusReasons) : undefined;
  if (!g) changed.push(`gateway ${read.gatewayId} no longer exists`);
  else if (gatewayState!.state === 'pending') pending = new GatewayNotReadyError(read.gatewayId, gatewayState!.status);
  else if (gatewayState!.state !== 'ready') changed.push(`gateway ${read.gatewayId} is ${gatewayState!.status}${reasons(gatewayState!.state === 'failed' ? gatewayState!.reasons : [])}`);
  for (const t of read.targets) {
    const label = `target ${t.name} (${t.targetId})`;
    if (!t.observed) {
      changed.push(`${label} no longer exists`);
      continue;
    }
    const r = targetReadiness(t.observed.status, t.observed.statusReasons);
    if (r.state === 'pending') pending ??= new GatewayTargetNotReadyError(t.name, r.status);
    else if (r.state === 'needs-consent') changed.push(`${label} is ${r.status} (it waits for OAuth consent again)`);
    else if (r.state !== 'ready') changed.push(`${label} is ${r.status}${reasons(r.state === 'failed' ? r.reasons : [])}`);
  }
  if (changed.length) throw new GatewayChangedAfterReadyError(changed);
  if (pending) throw pending;
  return {
    gateway: { gatewayId: read.gatewayId, status: String(g!.status) },
    targets: read.targets.map((t) => ({ name: t.name, targetId: t.targetId, status: String(t.observed!.status) })),
  };
}
