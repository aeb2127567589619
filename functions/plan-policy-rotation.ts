import { getResourcePolicy } from './adapters/agentcore/resource-policy-repository';
import { currentVpcEndpointIds } from './adapters/resource-policy';
import type { DesiredState } from './core/desired/document';
import { allowedVpcEndpointIds, parsePolicyText } from './core/policy/compare-policy';
import { planRotation } from './core/policy/vpc-endpoint';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface PlanPolicyRotationInput extends TaskInput {
  desired: DesiredState;
  gatewayArn: string;
  /** On the second call, after the grace period: the ids the first call planned to keep. */
  expected?: string[];
}

/**
 * Steps "Plan Rotation" and "Confirm Rotation". First call: read the endpoint parameter (the new
 * value B) and the ids the live policy allows (A), and return what to allow during and after the
 * grace period. Second call (`expected` set): read the parameter again and say whether it still
 * holds B; if a newer change arrived, that change's own rotation narrows the policy.
 */
export const handler = makeHandler('plan-policy-rotation', async (input: PlanPolicyRotationInput, { logger, signal }) => {
  const next = await currentVpcEndpointIds(input.desired, signal);
  if (input.expected) {
    const stillCurrent = JSON.stringify(next) === JSON.stringify([...input.expected].sort());
    logger.info('rotation confirmation', { gatewayArn: input.gatewayArn, expected: input.expected, current: next, stillCurrent });
    return { stillCurrent, current: next };
  }
  const live = await getResourcePolicy(input.gatewayArn, { signal });
  const currentlyAllowed = live === undefined ? [] : allowedVpcEndpointIds(parsePolicyText(live));
  const plan = planRotation(currentlyAllowed, next);
  const gracePeriodSeconds = input.desired.resourcePolicy?.rotationGracePeriodSeconds ?? 0;
  logger.info('rotation planned', { gatewayArn: input.gatewayArn, currentlyAllowed, ...plan, gracePeriodSeconds });
  return { ...plan, currentlyAllowed, gracePeriodSeconds };
});
