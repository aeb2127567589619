import {
  CreateGatewayCommand,
  DeleteGatewayCommand,
  GetGatewayCommand,
  ListTagsForResourceCommand,
  paginateListGateways,
  ResourceNotFoundException,
  UpdateGatewayCommand,
  type BedrockAgentCoreControlClient,
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

export async function createGateway(request: CreateGatewayRequest, opts: AgentCoreOpts = {}) {
  return clientOf(opts).send(new CreateGatewayCommand(request), callOpts(opts));
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
