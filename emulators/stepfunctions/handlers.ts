import { deployedHandlers } from '../lambda';
import type { LambdaHandler } from './index';

/**
 * The deployed handlers behind each `${…FunctionArn}` placeholder of the state machines, as
 * template.yaml wires them (DefinitionSubstitutions): each function's bundle as `sam build` makes it
 * (emulators/lambda), loaded on its first invocation.
 */
export const KEYGATE_HANDLERS: Record<string, LambdaHandler> = deployedHandlers();

/**
 * Points the functions at local emulators the way a deployed stack's environment would configure
 * them: the SDK's per-service endpoint variables, fake credentials, and the stack's own values.
 * Returns a function that restores the previous environment. A loaded function rebuilds its SDK
 * clients when their configuration changes (functions/platform/env.ts perEnvironment).
 */
export function useLocalEnvironment(values: { agentcoreUrl: string; region: string; owner: string; gatewayRoleArn: string; extra?: Record<string, string> }): () => void {
  const next: Record<string, string> = {
    AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: values.agentcoreUrl,
    AWS_REGION: values.region,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALEMULATOR',
    AWS_SECRET_ACCESS_KEY: 'local-emulator-secret-not-a-credential',
    KEYGATE_OWNER: values.owner,
    GATEWAY_ROLE_ARN: values.gatewayRoleArn,
    DESIRED_STATE_PARAMETER: `/keygate/${values.owner}/desired-state`,
    ...values.extra,
  };
  const previous = Object.fromEntries(Object.keys(next).map((k) => [k, process.env[k]]));
  Object.assign(process.env, next);
  return () => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
