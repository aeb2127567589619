/** Which AWS call an error came from: what an operator needs to read it (the SDK's errors do not say). */
export interface AwsCall {
  /** The SDK client's service (`SSM`, `BedrockAgentCoreControl`, `S3`). */
  service: string;
  /** The operation (`SendCommand`). */
  operation: string;
  region?: string;
  /** The endpoint the request went to, once the SDK resolved it (not yet when credentials were missing). */
  endpoint?: string;
}

/** The property an SDK error carries its {@link AwsCall} under, once {@link recordAwsCalls} is on its client. */
export const AWS_CALL = 'keygateAwsCall';

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string; override: boolean }): void };
  config: { region?: unknown };
}

/**
 * Makes every error a client's calls throw carry the service, operation, region and endpoint
 * (`error[AWS_CALL]`), so that the CLI can say in one line which call failed where. Added once per
 * client, at the first step, so that it sees credential, network and service errors alike.
 *
 * @example
 * recordAwsCalls(ssmClient());
 * // later: (error as any)[AWS_CALL] → { service: 'SSM', operation: 'SendCommand', region: 'eu-west-1' }
 */
export function recordAwsCalls(client: MiddlewareClient): void {
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string; endpointV2?: { url?: URL } }) =>
    async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        if (error && typeof error === 'object' && !(AWS_CALL in error)) {
          const call: AwsCall = {
            service: (context.clientName ?? 'AWS').replace(/Client$/, ''),
            operation: (context.commandName ?? 'call').replace(/Command$/, ''),
            ...(await regionOf(client)),
            ...(context.endpointV2?.url ? { endpoint: context.endpointV2.url.origin } : {}),
          };
          Object.defineProperty(error, AWS_CALL, { value: call, enumerable: false });
        }
        throw error;
      }
    };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'keygateRecordAwsCall', override: true });
}

async function regionOf(client: MiddlewareClient): Promise<{ region?: string }> {
  try {
    const region = client.config.region;
    const value = typeof region === 'function' ? await (region as () => Promise<unknown>)() : region;
    return typeof value === 'string' && value ? { region: value } : {};
  } catch {
    return {}; // no region configured: the error itself says so
  }
}
