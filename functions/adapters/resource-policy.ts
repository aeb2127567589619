import type { DesiredState } from '../core/desired/document';
import type { RunningExecution } from '../core/drift/guard';
import { allowedVpcEndpointIds, parsePolicyText, planResourcePolicy } from '../core/policy/compare-policy';
import { buildResourcePolicy } from '../core/policy/render-resource-policy';
import { endpointsToAllow, narrows, parseVpcEndpointParameter, validVpcEndpointIds } from '../core/policy/vpc-endpoint';
import { ResourcePolicyNotConvergedError } from '../core/errors';
import { getResourcePolicy, putResourcePolicy } from './agentcore/resource-policy-repository';
import { getParameterValue } from './ssm/parameter-store';

/** The endpoint ids the document allows now: the SSM parameter's current value, or the literal ids. */
export async function currentVpcEndpointIds(desired: DesiredState, signal?: AbortSignal): Promise<string[]> {
  const source = desired.resourcePolicy?.vpcEndpoint;
  if (source?.parameterName !== undefined) return parseVpcEndpointParameter(source.parameterName, await getParameterValue(source.parameterName, { signal }));
  return validVpcEndpointIds('resourcePolicy.vpcEndpoint.ids', source?.ids ?? []);
}

export interface ApplyResult {
  action: 'created' | 'updated' | 'unchanged';
  vpcEndpointIds: string[];
  changedFields: string[];
  /** Why more endpoints than asked for stay allowed (a rotation in its grace period). */
  reason?: string;
}

/**
 * Applies the policy allowing exactly `vpcEndpointIds`: plan against the live policy, Put only when
 * it differs, then read it back and require an empty plan. A failed Put throws and leaves the
 * existing policy as it was; nothing here ever deletes the policy. With `runningRotations` (reads
 * the RUNNING executions of this stack's rotation, only when the apply would narrow the live
 * policy), it never narrows it while one runs (`endpointsToAllow`).
 */
export async function applyResourcePolicy(gatewayArn: string, vpcEndpointIds: string[], signal?: AbortSignal, runningRotations?: () => Promise<RunningExecution[]>): Promise<ApplyResult> {
  const live = await getResourcePolicy(gatewayArn, { signal });
  const liveAllowed = live === undefined ? [] : allowedVpcEndpointIds(parsePolicyText(live));
  const rotations = runningRotations && narrows(vpcEndpointIds, liveAllowed) ? await runningRotations() : [];
  const { ids, reason } = endpointsToAllow(vpcEndpointIds, liveAllowed, rotations);
  const kept = reason ? { reason } : {};
  const desired = buildResourcePolicy(gatewayArn, ids);
  const plan = planResourcePolicy(gatewayArn, desired, live);
  if (plan.action === 'noop') return { action: 'unchanged', vpcEndpointIds: ids, changedFields: [], ...kept };
  await putResourcePolicy(gatewayArn, JSON.stringify(desired), { signal });
  const after = planResourcePolicy(gatewayArn, desired, await getResourcePolicy(gatewayArn, { signal }));
  if (after.action !== 'noop') throw new ResourcePolicyNotConvergedError(gatewayArn, after.fields.map((f) => f.field));
  return { action: plan.action === 'create' ? 'created' : 'updated', vpcEndpointIds: ids, changedFields: plan.fields.map((f) => f.field), ...kept };
}
