import { DeleteResourcePolicyCommand, GetResourcePolicyCommand, PutResourcePolicyCommand, ResourceNotFoundException } from '@aws-sdk/client-bedrock-agentcore-control';
import { callOpts, clientOf, type AgentCoreOpts } from './gateway-repository';

/**
 * The gateway's resource policy text, or undefined when it has none. "None" arrives either as a 404
 * or as a 200 without `policy` (the model marks it optional); both mean absent, as the Terraform
 * provider treats them (agentcore-gateway-api.md §10, open questions).
 */
export async function getResourcePolicy(gatewayArn: string, opts: AgentCoreOpts = {}): Promise<string | undefined> {
  try {
    const out = await clientOf(opts).send(new GetResourcePolicyCommand({ resourceArn: gatewayArn }), callOpts(opts));
    return out.policy === undefined || out.policy === '' ? undefined : out.policy;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Puts the whole policy (Put replaces the document). */
export async function putResourcePolicy(gatewayArn: string, policy: string, opts: AgentCoreOpts = {}): Promise<void> {
  await clientOf(opts).send(new PutResourcePolicyCommand({ resourceArn: gatewayArn, policy }), callOpts(opts));
}

/**
 * Removes the policy; used by teardown only, after the gateway itself is gone (nothing else ever
 * deletes it, whatever failed: a live gateway without it would take any valid token from anywhere).
 * No policy, or no gateway any more (404), means done.
 */
export async function deleteResourcePolicy(gatewayArn: string, opts: AgentCoreOpts = {}): Promise<'deleted' | 'absent'> {
  try {
    await clientOf(opts).send(new DeleteResourcePolicyCommand({ resourceArn: gatewayArn }), callOpts(opts));
    return 'deleted';
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return 'absent';
    throw error;
  }
}
