import {
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
  type BedrockAgentCoreControlClient,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { clients } from '../clients';

interface Opts {
  client?: BedrockAgentCoreControlClient;
  signal?: AbortSignal;
}

/**
 * The gateway's resource policy text, or undefined when it has none. "None" arrives either as a 404
 * or as a 200 without `policy` (the model marks it optional); both mean absent, as the Terraform
 * provider treats them (agentcore-gateway-api.md §10, open questions).
 */
export async function getResourcePolicy(gatewayArn: string, opts: Opts = {}): Promise<string | undefined> {
  const client = opts.client ?? clients.agentcore();
  try {
    const out = await client.send(new GetResourcePolicyCommand({ resourceArn: gatewayArn }), { abortSignal: opts.signal });
    return out.policy === undefined || out.policy === '' ? undefined : out.policy;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Puts the whole policy (Put replaces the document). */
export async function putResourcePolicy(gatewayArn: string, policy: string, opts: Opts = {}): Promise<void> {
  const client = opts.client ?? clients.agentcore();
  await client.send(new PutResourcePolicyCommand({ resourceArn: gatewayArn, policy }), { abortSignal: opts.signal });
}
