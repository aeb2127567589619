import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { SSMClient } from '@aws-sdk/client-ssm';

// One instance per SDK client per container (house style habit 7), created on first use so that an
// endpoint override in the environment (AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL,
// as the local emulators and `keygate rehearse` set) is read when the client is built.
// aws-sdk-client-mock patches the prototypes, so these stay mockable.
let ssm: SSMClient | undefined;
let agentcore: BedrockAgentCoreControlClient | undefined;

export const clients = {
  ssm: (): SSMClient => (ssm ??= new SSMClient({})),
  agentcore: (): BedrockAgentCoreControlClient => (agentcore ??= new BedrockAgentCoreControlClient({})),
};

/** Forget the built clients (tests and the rehearsal change endpoints between runs). */
export function resetClients(): void {
  ssm = undefined;
  agentcore = undefined;
}
