import { applyResourcePolicy, currentVpcEndpointIds } from './adapters/resource-policy';
import type { DesiredState } from './core/desired/document';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface ApplyResourcePolicyInput extends TaskInput {
  desired: DesiredState;
  gatewayArn: string;
  /** Endpoint ids to allow (a rotation phase); without it, the document's current source is read. */
  allow?: string[];
}

/** Step "Apply Resource Policy": converge the gateway's resource policy (provisioning, rotation, repair). */
export const handler = makeHandler('apply-resource-policy', async (input: ApplyResourcePolicyInput, { logger, signal }) => {
  if (!input.desired.resourcePolicy) {
    logger.info('resource policy not managed', { gatewayArn: input.gatewayArn });
    return { action: 'unmanaged' as const, vpcEndpointIds: [], changedFields: [] };
  }
  const ids = input.allow ?? (await currentVpcEndpointIds(input.desired, signal));
  const result = await applyResourcePolicy(input.gatewayArn, ids, signal);
  logger.info('resource policy applied', { gatewayArn: input.gatewayArn, ...result });
  return result;
});
