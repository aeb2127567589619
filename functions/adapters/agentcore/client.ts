import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { perEnvironment, sdkClientEnv } from '../../platform/env';
import { withAwsCallRecord } from '../aws-call';

// One instance per container (house style habit 7), built on first use and again only if its
// configuration in the environment changes (AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: the local world
// points a loaded bundle at new emulators between runs). Its own module, not a shared object of
// clients: a function bundles only the SDK clients it uses (npm run bench: 80–110 KiB less per
// function). aws-sdk-client-mock patches the prototype, so it stays mockable.
export const agentcoreClient = /* @__PURE__ */ perEnvironment(/* @__PURE__ */ sdkClientEnv('BEDROCK_AGENTCORE_CONTROL'), () => withAwsCallRecord(new BedrockAgentCoreControlClient({})));
