import { getGateway } from './adapters/agentcore/gateway-repository';
import { getGatewayTarget } from './adapters/agentcore/gateway-target-repository';
import { GatewayDeletionPendingError, GatewayFailedError, GatewayTargetFailedError } from './core/errors';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface AwaitDeletionInput extends TaskInput {
  gatewayId: string;
  /** Wait for this target (the output of "Delete Gateway Target"); without it, wait for the gateway. */
  target?: { name: string; targetId?: string; action: 'deleted' | 'absent' };
  /** The gateway's deletion result ('absent' when there was nothing to delete). */
  action?: 'deleted' | 'absent';
}

/** Steps "Await Gateway Target Deleted" / "Await Gateway Deleted": gone (404) ends the wait; DELETING is retried. */
export const handler = makeHandler('await-deletion', async (input: AwaitDeletionInput, { logger, signal }) => {
  const { gatewayId, target } = input;
  if ((target ?? input).action === 'absent') return { gone: true };
  const targetId = target?.targetId;
  const resource = target ? (targetId ? await getGatewayTarget(gatewayId, targetId, { signal }) : undefined) : await getGateway(gatewayId, { signal });
  const label = target ? `target ${target.name} (${targetId})` : `gateway ${gatewayId}`;
  if (!resource) {
    logger.info('deleted', { resource: label });
    return { gone: true };
  }
  const status = String(resource.status);
  if (status === 'DELETING') throw new GatewayDeletionPendingError(label, status);
  const reasons = [`${status} after its delete was accepted`, ...(resource.statusReasons ?? [])];
  throw target ? new GatewayTargetFailedError(target.name, String(targetId), status, reasons) : new GatewayFailedError(gatewayId, status, reasons);
});
