import { observeAwsDrift } from './adapters/drift/observe-aws';
import type { DesiredState } from './core/desired/document';
import type { AwsObservation } from './core/drift/observations';
import { gatewayRoleArn } from './core/gateway/plan-gateway';
import { makeHandler, type TaskInput } from './platform/make-handler';
import { gatewayEnv } from './platform/stack-env';

export interface ObserveGatewayDriftInput extends TaskInput {
  desired: DesiredState;
}

/**
 * Step "Observe Gateway, Targets And Policy": read-only. Plans the gateway, the declared targets and
 * the resource policy with the provisioning planners and lists undeclared targets.
 */
export const handler = makeHandler('observe-gateway-drift', async (input: ObserveGatewayDriftInput, { logger, signal }): Promise<AwsObservation> => {
  const env = gatewayEnv();
  const desired = input.desired;
  logger.appendKeys({ gateway: desired.gateway.name });
  const observed = await observeAwsDrift(desired, { roleArn: gatewayRoleArn(desired.gateway, env.GATEWAY_ROLE_ARN), owner: env.KEYGATE_OWNER }, { signal });
  const changed = [observed.gateway, ...observed.targets].filter((o) => o.change.action !== 'noop').map((o) => o.name);
  logger.info('observed gateway, targets and policy', {
    gatewayId: observed.gateway.gatewayId,
    changed,
    resourcePolicy: observed.resourcePolicy.change?.action ?? 'unmanaged',
    unmanagedTargets: observed.unmanagedTargets.map((t) => t.name),
  });
  return observed;
});
