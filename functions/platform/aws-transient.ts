import { AWS_CALL, AWS_DOING, serviceName, type AwsCall } from '../adapters/aws-call';
import { SDK_TRANSIENT_ERROR_NAMES } from '../core/errors';

const THROTTLING = new Set(['ThrottlingException', 'SlowDown', 'ThrottledException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);
const EXPLAINED = Symbol('keygate.explained');

/**
 * Rewrites the message of a transient AWS error (throttling or 5xx, once the SDK's own attempts are
 * spent) that is about to leave a step, so that the run's failure says in words which call on which
 * resource failed, that AWS may or may not have carried it out, what the state machine and the next
 * run do, and the fix. Its `name` stays: the state machines' Retry matches it. Returns whether it did.
 * A raw `InternalServerException: Internal Server Error` names neither the resource nor a fix.
 *
 * @example
 * explainTransientAwsError(error, 'ensure-gateway');
 * // error.message: 'ensure-gateway: AWS AgentCore control plane GetGateway on gateway gw-1 in eu-west-1 answered InternalServerException (…) …'
 */
export function explainTransientAwsError(error: unknown, step: string, input?: unknown): boolean {
  if (!(error instanceof Error) || !SDK_TRANSIENT_ERROR_NAMES.includes(error.name)) return false;
  const tagged = error as Error & Record<string | symbol, unknown>;
  const call = tagged[AWS_CALL] as AwsCall | undefined;
  if (!call || tagged[EXPLAINED]) return false;
  const service = serviceName(call.service);
  const doing = typeof tagged[AWS_DOING] === 'string' ? ` while ${String(tagged[AWS_DOING])}` : '';
  const original = (error.message || error.name).split('\n')[0]!.trim();
  const where = call.region ? ` in ${call.region}` : '';
  const resource = call.resource ?? resourceOfInput(input);
  const throttled = THROTTLING.has(error.name);
  error.message =
    `${step}: AWS ${service} ${call.operation}${resource ? ` on ${resource}` : ''}${where} answered ${error.name} (${original}) after the SDK's 3 attempts${doing}. ` +
    `${throttled ? 'AWS is throttling the account' : 'A transient error on AWS\'s side'}: the state machine retries this step a few times (docs/provisioning.md, "Waits"); when it still fails, ` +
    `${/^(Get|List|Describe|Head)/.test(call.operation) ? 'nothing was changed by this call' : 'the call may or may not have taken effect'}, and the next run observes what is there and converges. ` +
    `Fix: run again later${throttled ? '; if it keeps happening, lower how many runs go at once or raise the account\'s request quota for this operation' : `; if it keeps happening, look for ${service}${where} on the AWS Health Dashboard`}.`;
  tagged[EXPLAINED] = true;
  return true;
}

/** What a step works on, from its input, for a call whose request names nothing (ListGateways): the target, else the gateway. */
function resourceOfInput(input: unknown): string | undefined {
  const i = (input ?? {}) as { target?: { name?: unknown }; desired?: { gateway?: { name?: unknown } } };
  const gateway = typeof i.desired?.gateway?.name === 'string' ? `gateway ${i.desired.gateway.name}` : undefined;
  return typeof i.target?.name === 'string' ? `target ${i.target.name}${gateway ? ` of ${gateway}` : ''}` : gateway;
}
