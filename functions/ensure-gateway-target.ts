import { createGatewayTarget, findGatewayTargetByName, getGatewayTarget, updateGatewayTarget } from './adapters/agentcore/gateway-target-repository';
import type { DesiredTarget } from './core/desired/gateway';
import { GatewayTargetNotReadyError } from './core/errors';
import { deriveClientToken } from './core/gateway/client-token';
import { planTarget } from './core/gateway/plan-target';
import { ensureActionOf, waitDeadline } from './core/gateway/provisioning';
import { targetReadiness } from './core/readiness';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface EnsureGatewayTargetInput extends TaskInput {
  /** The gateway ID (never its ARN: agentcore-gateway-api.md §2). */
  gatewayId: string;
  target: DesiredTarget;
}

/** Step "Ensure Gateway Target" (one Map item): observe by name, plan, create or update, report the action. */
export const handler = makeHandler('ensure-gateway-target', async (input: EnsureGatewayTargetInput, { logger, signal }) => {
  const { gatewayId, target } = input;
  const summary = await findGatewayTargetByName(gatewayId, target.name, { signal });
  const observed = summary?.targetId ? await getGatewayTarget(gatewayId, summary.targetId, { signal }) : undefined;
  if (observed?.status === 'DELETING') throw new GatewayTargetNotReadyError(target.name, 'DELETING');
  const plan = planTarget({ desired: target, gatewayId, ...(observed ? { observed } : {}) });
  logger.info('planned change', { action: plan.action, kind: plan.kind, name: plan.name, reason: plan.reason, fields: 'fields' in plan ? plan.fields : [] });
  if (plan.action === 'update' && targetReadiness(observed?.status).state === 'pending') throw new GatewayTargetNotReadyError(target.name, String(observed?.status));
  const out =
    plan.action === 'create'
      ? await createGatewayTarget({ ...plan.after, clientToken: deriveClientToken('target', { request: plan.after, execution: input.correlationId ?? '' }) }, { signal })
      : plan.action === 'update'
        ? await updateGatewayTarget(plan.after, { signal })
        : observed!;
  const action = ensureActionOf(plan.action);
  logger.info('target ensured', { name: target.name, targetId: out.targetId, action, status: out.status });
  return { name: target.name, targetId: String(out.targetId), status: String(out.status), action, waitUntil: waitDeadline(new Date(), target.readyTimeoutSeconds) };
});
