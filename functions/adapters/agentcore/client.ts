import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { withAwsCallRecord } from '../aws-call';

// One instance per container (house style habit 7), created on first use so that an endpoint override
// in the environment (AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL, as the local emulators and `keygate
// rehearse` set) is read when it is built. Its own module, not a shared object of clients: a function
// bundles only the SDK clients it uses (npm run bench: 80–110 KiB less per function).
// aws-sdk-client-mock patches the prototype, so it stays mockable.
let agentcore: BedrockAgentCoreControlClient | undefined;
export const agentcoreClient = (): BedrockAgentCoreControlClient => (agentcore ??= withAwsCallRecord(new BedrockAgentCoreControlClient({})));

/** Forget the built client (tests and the rehearsal change endpoints between runs). */
export function resetAgentCoreClient(): void {
  agentcore = undefined;
}
