import { deleteResourcePolicy } from './adapters/agentcore/resource-policy-repository';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface DeleteResourcePolicyInput extends TaskInput {
  gatewayArn: string;
}

/** Step "Delete Resource Policy" (teardown): removes the gateway's policy; none means done. */
export const handler = makeHandler('delete-resource-policy', async (input: DeleteResourcePolicyInput, { logger, signal }) => {
  const action = await deleteResourcePolicy(input.gatewayArn, { signal });
  logger.info('resource policy deletion', { gatewayArn: input.gatewayArn, action });
  return { action };
});
