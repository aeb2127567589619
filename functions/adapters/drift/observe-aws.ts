import { planAwsDrift, type AwsObservation, type AwsReadings } from '../../core/drift/observations';
import type { DesiredState } from '../../core/desired/document';
import type { AgentCoreOpts } from '../agentcore/gateway-repository';
import { getGatewayTarget, listGatewayTargets } from '../agentcore/gateway-target-repository';
import { observeGateway } from '../agentcore/observe-gateway';
import { getResourcePolicy } from '../agentcore/resource-policy-repository';
import { currentVpcEndpointIds } from '../resource-policy';

/**
 * Reads the gateway (by name), its targets and its resource policy, then plans them with the
 * provisioning planners. Read-only: ListGateways, GetGateway, ListTagsForResource, ListGatewayTargets,
 * one GetGatewayTarget per declared target (in parallel), GetResourcePolicy and the endpoint parameter.
 * Used by the drift state machine's observe step and by `keygate drift` on an operator's machine.
 */
export async function observeAwsDrift(desired: DesiredState, stack: { roleArn: string; owner: string }, opts: AgentCoreOpts = {}): Promise<AwsObservation> {
  const { observed } = await observeGateway(desired.gateway.name, stack.owner, opts);
  const gatewayId = observed?.gateway.gatewayId;
  const gatewayArn = observed?.gateway.gatewayArn;
  const declared = new Set(desired.targets.map((t) => t.name));
  const [summaries, policy] = await Promise.all([
    gatewayId ? listGatewayTargets(gatewayId, opts) : Promise.resolve([]),
    gatewayArn && desired.resourcePolicy
      ? Promise.all([getResourcePolicy(gatewayArn, opts), currentVpcEndpointIds(desired, opts.signal)]).then(([text, vpcEndpointIds]) => ({ text, vpcEndpointIds }))
      : Promise.resolve(undefined),
  ]);
  const targets = await Promise.all(
    desired.targets.map(async (t) => {
      const summary = summaries.find((s) => s.name === t.name);
      const detail = gatewayId && summary?.targetId ? await getGatewayTarget(gatewayId, summary.targetId, opts) : undefined;
      return detail ? { name: t.name, observed: detail } : { name: t.name };
    }),
  );
  const readings: AwsReadings = {
    ...(observed ? { gateway: observed } : {}),
    targets,
    otherTargets: summaries.filter((s) => !declared.has(String(s.name))),
    ...(policy ? { policy } : {}),
  };
  return planAwsDrift(desired, stack, readings);
}
