/** Which AWS call an error came from: what an operator needs to read it (the SDK's errors do not say). */
export interface AwsCall {
  /** The SDK client's service (`SSM`, `BedrockAgentCoreControl`, `S3`). */
  service: string;
  /** The operation (`SendCommand`). */
  operation: string;
  region?: string;
  /** The endpoint the request went to, once the SDK resolved it (not yet when credentials were missing). */
  endpoint?: string;
  /** What the call was about, from the request's identifiers only (never a value): `gateway my-gw-abc`, `s3://bucket/key`. */
  resource?: string;
}

/**
 * Request members that identify what a call is about, and how they are shown. Only identifiers:
 * nothing that can hold a value (SSM `Value`, SendCommand `Parameters`, SNS `Message`) is ever read.
 */
const IDENTIFIERS: Array<[string, (v: string) => string]> = [
  ['gatewayIdentifier', (v) => `gateway ${v}`],
  ['targetId', (v) => `target ${v}`],
  ['resourceArn', (v) => v],
  ['CommandId', (v) => `command ${v}`],
  ['DocumentName', (v) => `document ${v}`],
  ['stateMachineArn', (v) => v],
  ['TableName', (v) => `table ${v}`],
  ['TopicArn', (v) => v],
];

/** The resource a request names, from its identifier members (S3: the object's URL; SSM parameters: the name). */
export function resourceOfRequest(input: unknown, service?: string): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const i = input as Record<string, unknown>;
  if (typeof i.Bucket === 'string') return `s3://${i.Bucket}${typeof i.Key === 'string' ? `/${i.Key}` : ''}`;
  if (service === 'SSM' && typeof i.Name === 'string') return `parameter ${i.Name}`;
  const parts = IDENTIFIERS.flatMap(([key, show]) => (typeof i[key] === 'string' ? [show(i[key] as string)] : []));
  if (Array.isArray(i.InstanceIds) && typeof i.InstanceIds[0] === 'string') parts.push(`instance ${i.InstanceIds[0]}`);
  if (!parts.length && typeof i.name === 'string') parts.push(i.name);
  return parts.length ? parts.join(', ') : undefined;
}

/** How people name the services keygate calls (the SDK's names are `BedrockAgentCoreControl`, `SFN`). */
const SERVICE_NAMES: Record<string, string> = { BedrockAgentCoreControl: 'AgentCore control plane', SSM: 'SSM', S3: 'S3', SFN: 'Step Functions', DynamoDB: 'DynamoDB', SNS: 'SNS' };

/** The service of an {@link AwsCall} as people name it: `AgentCore control plane`, `SSM`. */
export const serviceName = (service: string): string => SERVICE_NAMES[service] ?? service;

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
          const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
          const resource = resourceOfRequest((args as { input?: unknown } | undefined)?.input, service);
          const call: AwsCall = {
            service,
            operation: (context.commandName ?? 'call').replace(/Command$/, ''),
            ...(await regionOf(client)),
            ...(context.endpointV2?.url ? { endpoint: context.endpointV2.url.origin } : {}),
            ...(resource ? { resource } : {}),
          };
          Object.defineProperty(error, AWS_CALL, { value: call, enumerable: false });
        }
        throw error;
      }
    };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'keygateRecordAwsCall', override: true });
}

/** {@link recordAwsCalls} on a client, returning it: for the module-scope client factories. */
export function withAwsCallRecord<C extends MiddlewareClient>(client: C): C {
  recordAwsCalls(client);
  return client;
}

/** The property an error carries what keygate was doing when a call failed (`reading the full output of …`). */
export const AWS_DOING = 'keygateDoing';

/** Marks what keygate was doing when `error` (an SDK error, passed on unchanged) happened; returns it. */
export function annotateAwsError<E>(error: E, doing: string): E {
  if (error && typeof error === 'object' && !(AWS_DOING in error)) Object.defineProperty(error, AWS_DOING, { value: doing, enumerable: false });
  return error;
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
