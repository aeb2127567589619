import type { GetGatewayCommandOutput } from '@aws-sdk/client-bedrock-agentcore-control';
import { OWNER_TAG_KEY } from '../../core/gateway/plan-gateway';
import { getGateway, getGatewayTags, listGateways, type AgentCoreOpts } from './gateway-repository';

export interface ObservedGatewayState {
  /** The gateway under the declared name, with its tags. */
  observed?: { gateway: GetGatewayCommandOutput; tags: Record<string, string> };
  /** A gateway this stack owns under another name (the document renamed it). */
  renamedFrom?: { gatewayId: string; name: string };
}

/**
 * Reads what exists for a declared gateway name: ListGateways (all pages) to find it by name (the
 * name is unique per account), then GetGateway and its tags. When the name is not found and
 * `lookForRename` is set, the other gateways' tags are read to find one this stack owns under an
 * older name: only on that path, so a converged re-run costs three read calls.
 */
export async function observeGateway(name: string, owner: string, opts: AgentCoreOpts & { lookForRename?: boolean } = {}): Promise<ObservedGatewayState> {
  const all = await listGateways(opts);
  const match = all.find((g) => g.name === name);
  if (match?.gatewayId) {
    const gateway = await getGateway(match.gatewayId, opts);
    if (!gateway?.gatewayArn) return {};
    return { observed: { gateway, tags: await getGatewayTags(gateway.gatewayArn, opts) } };
  }
  if (!opts.lookForRename) return {};
  for (const candidate of all.filter((g) => g.gatewayId && g.status !== 'DELETING')) {
    const gateway = await getGateway(candidate.gatewayId!, opts);
    if (gateway?.gatewayArn && (await getGatewayTags(gateway.gatewayArn, opts))[OWNER_TAG_KEY] === owner) {
      return { renamedFrom: { gatewayId: candidate.gatewayId!, name: String(candidate.name) } };
    }
  }
  return {};
}
