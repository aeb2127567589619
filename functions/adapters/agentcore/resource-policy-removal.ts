import { DeleteResourcePolicyCommand, ResourceNotFoundException } from '@aws-sdk/client-bedrock-agentcore-control';
import { callOpts, clientOf, type AgentCoreOpts } from './gateway-repository';

/**
 * Removes the gateway's resource policy before the gateway itself is deleted (teardown).
 * No policy (404) means done.
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
