import { createGateway, updateGateway } from './adapters/agentcore/gateway-repository';
import { observeGateway } from './adapters/agentcore/observe-gateway';
import type { DesiredState } from './core/desired/document';
import { GatewayMissingError, GatewayNotConvergedError, GatewayNotReadyError } from './core/errors';
import { deriveClientToken } from './core/gateway/client-token';
import { gatewayRoleArn, planGateway } from './core/gateway/plan-gateway';
import { ensureActionOf, waitDeadline } from './core/gateway/provisioning';
import { gatewayReadiness } from './core/readiness';
import { makeHandler, type HandlerContext, type TaskInput } from './platform/make-handler';
import { gatewayEnv } from './platform/stack-env';

export interface EnsureGatewayInput extends TaskInput {
  desired: DesiredState;
  /** Set after a replacement removed the old gateway: a second replacement in one run is an error. */
  replacedGatewayId?: string;
  /** false (drift repair): a missing gateway fails with GatewayMissingError instead of being created. */
  createIfMissing?: boolean;
}

/**
 * Step "Ensure Gateway": observe by name, plan, create or update (full replacement), report the action.
 * Two provisioning runs may plan the same create (the deploy event is at-least-once): the one whose
 * CreateGateway finds the name taken observes and plans once more, against the gateway the other
 * created (ours: unchanged or an update; someone else's: refused by the plan).
 */
export const handler = makeHandler('ensure-gateway', async (input: EnsureGatewayInput, { logger, signal }) => {
  const first = await ensureOnce(input, logger, signal);
  if (!('nameTaken' in first)) return first;
  logger.info('gateway name taken while creating: planning again against what exists now', { name: input.desired.gateway.name });
  const second = await ensureOnce(input, logger, signal);
  if (!('nameTaken' in second)) return second;
  // Still not listed: let the state machine's Retry look again shortly.
  throw new GatewayNotReadyError(input.desired.gateway.name, `being created elsewhere (CreateGateway: ${second.nameTaken.message})`, { cause: second.nameTaken });
});

async function ensureOnce(input: EnsureGatewayInput, logger: HandlerContext['logger'], signal: AbortSignal) {
  const env = gatewayEnv();
  const desired = input.desired.gateway;
  const roleArn = gatewayRoleArn(desired, env.GATEWAY_ROLE_ARN);
  const seen = await observeGateway(desired.name, env.KEYGATE_OWNER, { signal, lookForRename: true });
  const current = seen.observed?.gateway;
  if (current?.status === 'DELETING') throw new GatewayNotReadyError(String(current.gatewayId), 'DELETING');
  const plan = planGateway({ desired, roleArn, owner: env.KEYGATE_OWNER, ...seen });
  logger.info('planned change', { action: plan.action, kind: plan.kind, name: plan.name, reason: plan.reason, fields: 'fields' in plan ? plan.fields : [] });
  if (plan.action === 'create' && input.createIfMissing === false) throw new GatewayMissingError(desired.name);
  const waitUntil = waitDeadline(new Date(), desired.readyTimeoutSeconds);
  if (plan.action === 'replace') {
    if (input.replacedGatewayId) throw new GatewayNotConvergedError(`gateway ${desired.name}`, plan.fields.map((f) => f.field));
    return { action: 'replace' as const, gatewayId: plan.gatewayId, name: desired.name };
  }
  if (plan.action === 'update' && gatewayReadiness(current?.status).state === 'pending') throw new GatewayNotReadyError(plan.gatewayId, String(current?.status));
  const out =
    plan.action === 'create'
      ? await createGateway({ ...plan.after, clientToken: deriveClientToken('gateway', { request: plan.after, execution: input.correlationId ?? '' }) }, { signal })
      : plan.action === 'update'
        ? await updateGateway(plan.after, { signal })
        : current!;
  if ('nameTaken' in out) return out;
  const action = ensureActionOf(plan.action);
  logger.info('gateway ensured', { gatewayId: out.gatewayId, action, status: out.status });
  return { action, gatewayId: String(out.gatewayId), gatewayArn: String(out.gatewayArn), gatewayUrl: out.gatewayUrl ?? '', name: desired.name, status: String(out.status), waitUntil };
}
