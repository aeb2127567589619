import {
  ConflictException,
  CreateGatewayCommand,
  DeleteGatewayCommand,
  GetGatewayCommand,
  ListTagsForResourceCommand,
  paginateListGateways,
  ResourceNotFoundException,
  UpdateGatewayCommand,
  type BedrockAgentCoreControlClient,
  type CreateGatewayCommandOutput,
  type GatewaySummary,
  type GetGatewayCommandOutput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { CreateGatewayRequest, UpdateGatewayRequest } from '../../core/gateway/wire';
import { agentcoreClient } from './client';

export interface AgentCoreOpts {
  client?: BedrockAgentCoreControlClient;
  signal?: AbortSignal;
}

export const clientOf = (opts: AgentCoreOpts): BedrockAgentCoreControlClient => opts.client ?? agentcoreClient();
export const callOpts = (opts: AgentCoreOpts) => ({ abortSignal: opts.signal });

/** Every gateway of the account (ListGateways, all pages: the key is `items`). */
export async function listGateways(opts: AgentCoreOpts = {}): Promise<GatewaySummary[]> {
  const all: GatewaySummary[] = [];
  for await (const page of paginateListGateways({ client: clientOf(opts) }, {}, callOpts(opts))) {
    all.push(...(page.items ?? []));
  }
  return all;
}

/** The gateway, or undefined when it does not exist (404 → undefined). */
export async function getGateway(gatewayId: string, opts: AgentCoreOpts = {}): Promise<GetGatewayCommandOutput | undefined> {
  try {
    return await clientOf(opts).send(new GetGatewayCommand({ gatewayIdentifier: gatewayId }), callOpts(opts));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

export async function getGatewayTags(gatewayArn: string, opts: AgentCoreOpts = {}): Promise<Record<string, string>> {
  const out = await clientOf(opts).send(new ListTagsForResourceCommand({ resourceArn: gatewayArn }), callOpts(opts));
  return out.tags ?? {};
}

/**
 * Creates the gateway; 'name-taken' when a gateway with that name appeared since it was looked up
 * (another provisioning run won the race: names are unique per account, and the clientTokens of two
 * executions differ). The service's error for a duplicate name is UNCONFIRMED: AWS samples catch
 * ConflictException (409) and fall back to ListGateways (agentcore-gateway-api.md §7), as the
 * emulator answers; this is the one place that name is relied on.
 */
export async function createGateway(request: CreateGatewayRequest, opts: AgentCoreOpts = {}): Promise<CreateGatewayCommandOutput | { nameTaken: ConflictException }> {
  try {
    return await clientOf(opts).send(new CreateGatewayCommand(request), callOpts(opts));
  } catch (error) {
    if (error instanceof ConflictException) return { nameTaken: error };
    throw error;
  }
}

/** UpdateGateway replaces the whole gateway: `request` is the complete document (core/gateway/plan-gateway.ts). */
export async function updateGateway(request: UpdateGatewayRequest, opts: AgentCoreOpts = {}) {
  return clientOf(opts).send(new UpdateGatewayCommand(request), callOpts(opts));
}

/** Deletes the gateway; 'absent' when it was already gone. */
export async function deleteGateway(gatewayId: string, opts: AgentCoreOpts = {}): Promise<'deleting' | 'absent'> {
  try {
    await clientOf(opts).send(new DeleteGatewayCommand({ gatewayIdentifier: gatewayId }), callOpts(opts));
    return 'deleting';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return 'absent';
    throw error;
  }
}
