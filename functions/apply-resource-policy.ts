import { applyResourcePolicy, currentVpcEndpointIds } from './adapters/resource-policy';
import { runningExecutions } from './adapters/stepfunctions/executions';
import type { DesiredState } from './core/desired/document';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface ApplyResourcePolicyInput extends TaskInput {
  desired: DesiredState;
  gatewayArn: string;
  /** Endpoint ids to allow (a rotation phase); without it, the document's current source is read. */
  allow?: string[];
  /**
   * This stack's rotation state machine ('' when the document lists literal ids: there is none).
   * Without `allow`, a RUNNING execution of it keeps the live policy from being narrowed.
   */
  rotationStateMachineArn?: string;
}

/**
 * Step "Apply Resource Policy": converge the gateway's resource policy (provisioning, rotation,
 * repair). Provisioning and drift repair never narrow the policy while a rotation is in its grace
 * period (the rotation narrows it itself afterwards); the rotation's own calls pass `allow`.
 */
export const handler = makeHandler('apply-resource-policy', async (input: ApplyResourcePolicyInput, { logger, signal }) => {
  if (!input.desired.resourcePolicy) {
    logger.info('resource policy not managed', { gatewayArn: input.gatewayArn });
    return { action: 'unmanaged' as const, vpcEndpointIds: [], changedFields: [] };
  }
  const ids = input.allow ?? (await currentVpcEndpointIds(input.desired, signal));
  const rotation = input.allow ? '' : (input.rotationStateMachineArn ?? '');
  const result = await applyResourcePolicy(input.gatewayArn, ids, signal, rotation ? () => runningExecutions(rotation, { signal }) : undefined);
  logger.info('resource policy applied', { gatewayArn: input.gatewayArn, ...result });
  return result;
});
