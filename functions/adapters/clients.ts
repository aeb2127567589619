import { resetAgentCoreClient } from './agentcore/client';
import { resetSsmClient } from './ssm/client';

// The SDK clients live beside their adapters (agentcore/client.ts, ssm/client.ts, s3/object-reader.ts, …)
// so that each function bundles only the clients it uses. This module is for the local world and the
// tests, which change endpoints between runs; no function imports it.

/** Forget the built AgentCore and SSM clients. */
export function resetClients(): void {
  resetAgentCoreClient();
  resetSsmClient();
}
