import { deleteResourcePolicy } from './adapters/agentcore/resource-policy-repository';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface DeleteResourcePolicyInput extends TaskInput {
  gatewayArn: string;
}

/**
 * Step "Delete Resource Policy" (teardown), after "Await Gateway Deleted": removes what may be left of
 * the policy of a gateway that is gone. Whether AgentCore deletes a gateway's policy with the gateway
 * is UNCONFIRMED (agentcore-gateway-api.md §9 and §10 say nothing about it), hence this tolerant
 * delete: not found (no policy, or the ARN no longer resolves) means done.
 */
export const handler = makeHandler('delete-resource-policy', async (input: DeleteResourcePolicyInput, { logger, signal }) => {
  const action = await deleteResourcePolicy(input.gatewayArn, { signal });
  logger.info('resource policy deletion', { gatewayArn: input.gatewayArn, action });
  return { action };
});
