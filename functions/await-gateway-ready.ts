import { getGateway } from './adapters/agentcore/gateway-repository';
import type { DesiredState } from './core/desired/document';
import { GatewayNotConvergedError } from './core/errors';
import { gatewayRoleArn, OWNER_TAG_KEY, planGateway } from './core/gateway/plan-gateway';
import { gatewayWaitStep } from './core/gateway/provisioning';
import { makeHandler, type TaskInput } from './platform/make-handler';
import { gatewayEnv } from './platform/stack-env';

export interface AwaitGatewayReadyInput extends TaskInput {
  gatewayId: string;
  /** ISO deadline from "Ensure Gateway" (gateway.readyTimeoutSeconds). */
  waitUntil?: string;
  desired: DesiredState;
}

/**
 * Step "Await Gateway Ready": one GetGateway per attempt. Pending throws GatewayNotReadyError, which
 * the state machine retries with backoff; READY must also mean converged: the plan against what
 * GetGateway returned is empty (house style habit 1: re-observe after apply).
 */
export const handler = makeHandler('await-gateway-ready', async (input: AwaitGatewayReadyInput, { logger, signal }) => {
  const env = gatewayEnv();
  const observed = await getGateway(input.gatewayId, { signal });
  const { status } = gatewayWaitStep(observed, { gatewayId: input.gatewayId, now: new Date(), ...(input.waitUntil ? { deadline: input.waitUntil } : {}) });
  const desired = input.desired.gateway;
  // Ownership was checked by "Ensure Gateway"; the tag is not read again on every poll.
  const plan = planGateway({ desired, roleArn: gatewayRoleArn(desired, env.GATEWAY_ROLE_ARN), owner: env.KEYGATE_OWNER, observed: { gateway: observed!, tags: { [OWNER_TAG_KEY]: env.KEYGATE_OWNER } } });
  if (plan.action !== 'noop') throw new GatewayNotConvergedError(`gateway ${input.gatewayId}`, 'fields' in plan ? plan.fields.map((f) => f.field) : [plan.action]);
  logger.info('gateway ready', { gatewayId: input.gatewayId, status });
  return { status, gatewayArn: String(observed!.gatewayArn), gatewayUrl: observed!.gatewayUrl ?? '' };
});
