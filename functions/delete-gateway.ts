import { deleteGateway, getGateway } from './adapters/agentcore/gateway-repository';
import { deleteGatewayTarget, listGatewayTargets } from './adapters/agentcore/gateway-target-repository';
import { GatewayDeletionPendingError } from './core/errors';
import { planGatewayDeletion } from './core/gateway/plan-deletion';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface DeleteGatewayInput extends TaskInput {
  gatewayId: string;
  /** Replacement only: the gateway is keygate's and goes with all its targets. Teardown leaves this unset. */
  deleteAllTargets?: boolean;
}

/**
 * Step "Delete Gateway": sends DeleteGateway once the gateway has no targets. In a teardown a target
 * left over is not keygate's and stops it; in a replacement the targets are deleted first, five at a
 * time, and GatewayDeletionPendingError makes the state machine come back until they are gone.
 */
export const handler = makeHandler('delete-gateway', async (input: DeleteGatewayInput, { logger, signal }) => {
  const { gatewayId } = input;
  const gateway = await getGateway(gatewayId, { signal });
  const targets = gateway ? await listGatewayTargets(gatewayId, { signal }) : [];
  const step = planGatewayDeletion(gateway, targets, { deleteAllTargets: input.deleteAllTargets === true });
  logger.info('gateway deletion', { gatewayId, step: step.step });
  if (step.step === 'delete-targets') {
    for (const id of step.targetIds) await deleteGatewayTarget(gatewayId, id, id, { signal });
    throw new GatewayDeletionPendingError(`gateway ${gatewayId}`, `waiting for ${step.remaining} target(s) to be deleted`);
  }
  const result = step.step === 'delete-gateway' ? await deleteGateway(gatewayId, { signal }) : step.step;
  return { gatewayId, action: result === 'absent' ? 'absent' : 'deleted' };
});
