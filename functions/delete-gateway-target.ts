import { deleteGatewayTarget, findGatewayTargetByName } from './adapters/agentcore/gateway-target-repository';
import { planTargetDeletion } from './core/gateway/plan-deletion';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface DeleteGatewayTargetInput extends TaskInput {
  gatewayId: string;
  target: { name: string };
}

/**
 * Step "Delete Gateway Target" (teardown Map item): deletes one declared target. Absent is done; a
 * target still CREATING or UPDATING throws GatewayTargetNotReadyError and is retried, never deleted.
 */
export const handler = makeHandler('delete-gateway-target', async (input: DeleteGatewayTargetInput, { logger, signal }) => {
  const { gatewayId } = input;
  const name = input.target.name;
  const found = await findGatewayTargetByName(gatewayId, name, { signal });
  const step = planTargetDeletion(found);
  const targetId = found?.targetId ? String(found.targetId) : undefined;
  const result = step === 'delete' ? await deleteGatewayTarget(gatewayId, targetId!, name, { signal }) : step;
  const action = result === 'absent' ? 'absent' : 'deleted';
  logger.info('target deletion', { name, targetId, action });
  return { name, action, ...(targetId && action === 'deleted' ? { targetId } : {}) };
});
