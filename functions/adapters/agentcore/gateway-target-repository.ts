import {
  CreateGatewayTargetCommand,
  DeleteGatewayTargetCommand,
  GetGatewayTargetCommand,
  paginateListGatewayTargets,
  ResourceNotFoundException,
  UpdateGatewayTargetCommand,
  ValidationException,
  type GetGatewayTargetCommandOutput,
  type TargetSummary,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { GatewayNotReadyError, GatewayTargetNotReadyError } from '../../core/errors';
import type { CreateGatewayTargetRequest, UpdateGatewayTargetRequest } from '../../core/gateway/wire';
import { callOpts, clientOf, type AgentCoreOpts } from './gateway-repository';

// The CREATING race: CreateGatewayTarget on a gateway that is not READY answers a 400
// ValidationException "Cannot perform operation CreateGatewayTarget when gateway is in CREATING status"
// (awslabs/agentcore-samples#1145, #443). keygate waits for READY first; should the service still
// answer this, it is "not ready yet", retried with backoff, not a validation failure.
const GATEWAY_NOT_READY = /Cannot perform operation \w+ when gateway is in (\w+) status/;
const TARGET_NOT_SETTLED = /Cannot perform operation \w+ when target is in (\w+) status/;

function translate(error: unknown, gatewayId: string, targetName: string): never {
  if (error instanceof ValidationException) {
    const gateway = GATEWAY_NOT_READY.exec(error.message);
    if (gateway) throw new GatewayNotReadyError(gatewayId, gateway[1]!, { cause: error });
    const target = TARGET_NOT_SETTLED.exec(error.message);
    if (target) throw new GatewayTargetNotReadyError(targetName, target[1]!);
  }
  throw error;
}

/** Every target of the gateway (ListGatewayTargets, all pages). Takes the gateway ID, never its ARN. */
export async function listGatewayTargets(gatewayId: string, opts: AgentCoreOpts = {}): Promise<TargetSummary[]> {
  const all: TargetSummary[] = [];
  for await (const page of paginateListGatewayTargets({ client: clientOf(opts) }, { gatewayIdentifier: gatewayId }, callOpts(opts))) all.push(...(page.items ?? []));
  return all;
}

export async function findGatewayTargetByName(gatewayId: string, name: string, opts: AgentCoreOpts = {}): Promise<TargetSummary | undefined> {
  return (await listGatewayTargets(gatewayId, opts)).find((t) => t.name === name);
}

/** The target, or undefined when it does not exist (404 → undefined). */
export async function getGatewayTarget(gatewayId: string, targetId: string, opts: AgentCoreOpts = {}): Promise<GetGatewayTargetCommandOutput | undefined> {
  try {
    return await clientOf(opts).send(new GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId }), callOpts(opts));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

export async function createGatewayTarget(request: CreateGatewayTargetRequest, opts: AgentCoreOpts = {}) {
  try {
    return await clientOf(opts).send(new CreateGatewayTargetCommand(request), callOpts(opts));
  } catch (error) {
    return translate(error, request.gatewayIdentifier, request.name);
  }
}

/** UpdateGatewayTarget replaces the whole target: `request` is complete (core/gateway/plan-target.ts). */
export async function updateGatewayTarget(request: UpdateGatewayTargetRequest, opts: AgentCoreOpts = {}) {
  try {
    return await clientOf(opts).send(new UpdateGatewayTargetCommand(request), callOpts(opts));
  } catch (error) {
    return translate(error, request.gatewayIdentifier, request.name);
  }
}

/** Deletes the target; 'absent' when it was already gone. A target still CREATING is not deleted (GatewayTargetNotReadyError). */
export async function deleteGatewayTarget(gatewayId: string, targetId: string, name: string, opts: AgentCoreOpts = {}): Promise<'deleting' | 'absent'> {
  try {
    await clientOf(opts).send(new DeleteGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId }), callOpts(opts));
    return 'deleting';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return 'absent';
    return translate(error, gatewayId, name);
  }
}
