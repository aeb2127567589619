import { getGatewayTarget } from './adapters/agentcore/gateway-target-repository';
import type { DesiredTarget } from './core/desired/gateway';
import { GatewayNotConvergedError } from './core/errors';
import { planTarget } from './core/gateway/plan-target';
import { targetWaitStep, type EnsureAction } from './core/gateway/provisioning';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface AwaitGatewayTargetReadyInput extends TaskInput {
  gatewayId: string;
  target: DesiredTarget;
  ensured: { targetId: string; action: EnsureAction; waitUntil?: string };
}

/**
 * Step "Await Gateway Target Ready": one GetGatewayTarget per attempt; pending is retried by the state
 * machine, *_PENDING_AUTH ends the wait as needs-consent, READY must also mean an empty plan.
 */
export const handler = makeHandler('await-gateway-target-ready', async (input: AwaitGatewayTargetReadyInput, { logger, signal }) => {
  const { gatewayId, target, ensured } = input;
  const observed = await getGatewayTarget(gatewayId, ensured.targetId, { signal });
  const outcome = targetWaitStep(observed, { name: target.name, targetId: ensured.targetId, action: ensured.action, now: new Date(), ...(ensured.waitUntil ? { deadline: ensured.waitUntil } : {}) });
  if (outcome.outcome === 'ready') {
    const plan = planTarget({ desired: target, gatewayId, observed: observed! });
    if (plan.action !== 'noop') throw new GatewayNotConvergedError(`target ${target.name} (${ensured.targetId})`, plan.action === 'update' ? plan.fields.map((f) => f.field) : [plan.action]);
  }
  logger.info('target settled', { name: target.name, targetId: ensured.targetId, status: outcome.status, outcome: outcome.outcome });
  return outcome;
});
