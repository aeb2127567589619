import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerOf, readText } from './http';

/**
 * An error as an awsJson service sends it: HTTP 400 (500 for internal errors) with
 * `{"__type": code, "message": …}`, plus any modeled members (DynamoDB's ConditionalCheckFailedException
 * carries `Item`). The SDK keeps what follows the last `#` of `__type` as the error name. Services
 * often omit the message, and so does the emulator when none is given (ssm-and-events.md §1).
 */
export class AwsError extends Error {
  readonly hasMessage: boolean;
  constructor(
    readonly code: string,
    message?: string,
    readonly status = /^Internal/.test(code) ? 500 : 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message ?? code);
    this.hasMessage = message !== undefined;
  }
}

export type Operation = (input: any, userAgent: string) => unknown;

/**
 * Operations that answer injected errors first: `fail(operation, times, code)` makes the next `times`
 * calls of `operation` fail with `code` (HTTP 500 for names starting Internal, else 400, as
 * {@link AwsError}); `clear()` forgets what is left. For the campaign's and the tests' faults.
 */
export function withFaults(operations: Record<string, Operation>): { operations: Record<string, Operation>; fail(operation: string, times: number, code: string): void; clear(): void } {
  const faults = new Map<string, { left: number; code: string }>();
  const wrapped = Object.fromEntries(
    Object.entries(operations).map(([name, op]) => [
      name,
      (input: unknown, ua: string) => {
        const fault = faults.get(name);
        if (fault && fault.left > 0) {
          fault.left -= 1;
          throw new AwsError(fault.code, fault.code.startsWith('Throttl') ? 'Rate exceeded' : undefined);
        }
        return op(input, ua);
      },
    ]),
  );
  return { operations: wrapped, fail: (operation, times, code) => void faults.set(operation, { left: times, code }), clear: () => faults.clear() };
}

/** What tells one awsJson service from another on the wire. */
export interface AwsJsonService {
  /** `x-amz-target` prefix up to the operation name: `AmazonSSM.`, `AWSStepFunctions.`, `DynamoDB_20120810.`. */
  targetPrefix: string;
  /** SigV4 signing name the credential scope must carry: `ssm`, `states`, `dynamodb`. */
  signingName: string;
  /** awsJson1_1 (`application/x-amz-json-1.1`) or awsJson1_0 (`application/x-amz-json-1.0`). */
  contentType: string;
  /** Prefix of `__type` in error bodies (`com.amazonaws.dynamodb.v20120810#`), empty for bare codes. */
  errorTypePrefix?: string;
}

/** Serves `POST /` with `x-amz-target: <prefix><Operation>`, checking what the SDK always sends. */
export async function serveAwsJson(service: AwsJsonService, req: IncomingMessage, res: ServerResponse, operations: Record<string, Operation>, onCall: (operation: string, input: unknown, caller: string) => void): Promise<void> {
  const requestId = randomUUID();
  const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': service.contentType, 'x-amzn-requestid': requestId }).end(JSON.stringify(body));
  const fail = (e: AwsError): void => send(e.status, { __type: `${service.errorTypePrefix ?? ''}${e.code}`, ...(e.hasMessage ? { message: e.message } : {}), ...e.extra });
  const text = await readText(req);
  const target = String(req.headers['x-amz-target'] ?? '');
  if (req.method !== 'POST' || !target.startsWith(service.targetPrefix)) return fail(new AwsError('UnknownOperationException', undefined));
  const scope = new RegExp(`^AWS4-HMAC-SHA256 Credential=[^/]+/\\d{8}/[a-z0-9-]+/${service.signingName}/aws4_request`);
  if (!scope.test(String(req.headers.authorization ?? ''))) return fail(new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token'));
  const operation = target.slice(service.targetPrefix.length);
  const handler = operations[operation];
  if (!handler) return fail(new AwsError('UnknownOperationException'));
  let input: unknown;
  try {
    input = text ? JSON.parse(text) : {};
  } catch {
    return fail(new AwsError('SerializationException', 'Start of structure or map found where not expected.'));
  }
  onCall(operation, input, callerOf(req));
  try {
    send(200, await handler(input, String(req.headers['user-agent'] ?? req.headers['x-amz-user-agent'] ?? '')));
  } catch (e) {
    if (e instanceof AwsError) return fail(e);
    fail(new AwsError('InternalServerError', (e as Error).message));
  }
}
