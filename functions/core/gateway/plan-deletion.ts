import { GatewayHasTargetsError, GatewayNotReadyError, GatewayTargetNotReadyError } from '../errors';
import { targetReadiness } from '../readiness';

export interface TargetState {
  targetId?: string | undefined;
  name?: string | undefined;
  status?: string | undefined;
}

/**
 * The next teardown step for one declared target: absent is done, a target still being created or
 * updated is waited for (never deleted while CREATING, agentcore-gateway-api.md §8), a DELETING one
 * is already on its way, anything else is deleted.
 *
 * @example
 * planTargetDeletion({ name: 'tools', targetId: 'T', status: 'READY' }) // 'delete'
 */
export function planTargetDeletion(target: TargetState | undefined): 'absent' | 'deleting' | 'delete' {
  if (!target) return 'absent';
  if (target.status === 'DELETING') return 'deleting';
  if (targetReadiness(target.status).state === 'pending') throw new GatewayTargetNotReadyError(String(target.name), String(target.status));
  return 'delete';
}

/**
 * The targets on the gateway that the document does not declare: teardown deletes only declared
 * targets and DeleteGateway is refused while any target remains, so these stop a teardown. Checked
 * first, before anything is deleted: a teardown that cannot finish changes nothing (the resource
 * policy above all: a READY gateway must never be left without it).
 *
 * @example
 * undeclaredTargets(['tools'], [{ name: 'tools' }, { name: 'legacy' }]) // ['legacy']
 */
export function undeclaredTargets(declared: readonly string[], targets: readonly TargetState[]): string[] {
  const names = new Set(declared);
  return targets.filter((t) => !names.has(String(t.name))).map((t) => String(t.name ?? t.targetId));
}

export type GatewayDeletionStep =
  | { step: 'absent' }
  | { step: 'deleting' }
  | { step: 'delete-gateway' }
  /** Replacement only: delete these targets first (at most the free concurrent-operation slots), then come back. */
  | { step: 'delete-targets'; targetIds: string[]; remaining: number };

/**
 * The next step to delete a gateway. DeleteGateway is never sent while targets exist (§9). In a
 * teardown the declared targets are already gone, so any target left is not keygate's and stops the
 * teardown; a replacement (`deleteAllTargets`) deletes them, at most `maxConcurrent` at a time (§11).
 *
 * @example
 * planGatewayDeletion({ status: 'READY' }, [], { deleteAllTargets: false }) // { step: 'delete-gateway' }
 */
export function planGatewayDeletion(
  gateway: { gatewayId?: string | undefined; status?: string | undefined } | undefined,
  targets: readonly TargetState[],
  opts: { deleteAllTargets: boolean; maxConcurrent?: number },
): GatewayDeletionStep {
  if (!gateway) return { step: 'absent' };
  if (gateway.status === 'DELETING') return { step: 'deleting' };
  if (gateway.status === 'CREATING' || gateway.status === 'UPDATING') throw new GatewayNotReadyError(String(gateway.gatewayId), gateway.status);
  if (!targets.length) return { step: 'delete-gateway' };
  if (!opts.deleteAllTargets) throw new GatewayHasTargetsError(String(gateway.gatewayId), targets.map((t) => String(t.name)));
  const busy = targets.filter((t) => t.status === 'DELETING' || targetReadiness(t.status).state === 'pending').length;
  const free = Math.max(0, (opts.maxConcurrent ?? 5) - busy);
  const deletable = targets.filter((t) => t.status !== 'DELETING' && targetReadiness(t.status).state !== 'pending').slice(0, free);
  return { step: 'delete-targets', targetIds: deletable.map((t) => String(t.targetId)), remaining: targets.length };
}
