import { observeGateway } from './adapters/agentcore/observe-gateway';
import type { DesiredState } from './core/desired/document';
import { assertOwned } from './core/gateway/plan-gateway';
import { makeHandler, type TaskInput } from './platform/make-handler';
import { ownerEnv } from './platform/stack-env';

export interface FindGatewayInput extends TaskInput {
  desired: DesiredState;
}

/** Step "Find Gateway" (teardown): the declared gateway if it exists and this stack owns it; absent means done. */
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
  logger.info('gateway found', { name, gatewayId, status });
  return { found: true, name, gatewayId: String(gatewayId), gatewayArn: String(gatewayArn), status: String(status) };
});
