import { observeGateway } from './adapters/agentcore/observe-gateway';
import { listGatewayTargets } from './adapters/agentcore/gateway-target-repository';
import type { DesiredState } from './core/desired/document';
import { GatewayHasTargetsError } from './core/errors';
import { undeclaredTargets } from './core/gateway/plan-deletion';
import { assertOwned } from './core/gateway/plan-gateway';
import { makeHandler, type TaskInput } from './platform/make-handler';
import { ownerEnv } from './platform/stack-env';

export interface FindGatewayInput extends TaskInput {
  desired: DesiredState;
  /** Teardown: a target the document does not declare stops the run here, before anything is deleted. */
  refuseUndeclaredTargets?: boolean;
}

/**
 * Step "Find Gateway" (teardown, rotation): the declared gateway if it exists and this stack owns it;
 * absent means done. For teardown it also refuses a gateway with undeclared targets (GatewayHasTargetsError)
 * up front: DeleteGateway would refuse it later, after the declared targets were gone.
 */
export const handler = makeHandler('find-gateway', async (input: FindGatewayInput, { logger, signal }) => {
  const { KEYGATE_OWNER } = ownerEnv();
  const name = input.desired.gateway.name;
  const { observed } = await observeGateway(name, KEYGATE_OWNER, { signal });
  if (!observed) {
    logger.info('gateway absent', { name });
    return { found: false, name };
  }
  assertOwned(observed.gateway, observed.tags, KEYGATE_OWNER);
  const { gatewayId, gatewayArn, status } = observed.gateway;
  if (input.refuseUndeclaredTargets) {
    const others = undeclaredTargets(input.desired.targets.map((t) => t.name), await listGatewayTargets(String(gatewayId), { signal }));
    if (others.length) throw new GatewayHasTargetsError(String(gatewayId), others);
  }
  logger.info('gateway found', { name, gatewayId, status });
  return { found: true, name, gatewayId: String(gatewayId), gatewayArn: String(gatewayArn), status: String(status) };
});
