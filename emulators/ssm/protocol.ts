import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readText } from '../http';

/**
 * An error as the SSM service sends it on the awsJson1_1 wire: HTTP 400 (500 for InternalServerError)
 * with `{"__type": code, "message": …}`. The real service often omits the message (for example for
 * InvocationDoesNotExist), and so does the emulator when none is given (ssm-and-events.md §1).
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message?: string,
    readonly status = code === 'InternalServerError' ? 500 : 400,
  ) {
    super(message ?? code);
    this.hasMessage = message !== undefined;
  }
  readonly hasMessage: boolean;
}

export type Operation = (input: any, userAgent: string) => unknown;

/** Serves `POST /` with `x-amz-target: AmazonSSM.<Operation>`, checking what the SDK always sends. */
export async function serveJson(req: IncomingMessage, res: ServerResponse, operations: Record<string, Operation>, onCall: (operation: string, input: unknown) => void): Promise<void> {
  const requestId = randomUUID();
  const send = (status: number, body: unknown): void =>
    void res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId }).end(JSON.stringify(body));
  const fail = (e: AwsError): void => send(e.status, e.hasMessage ? { __type: e.code, message: e.message } : { __type: e.code });
  const text = await readText(req);
  const target = String(req.headers['x-amz-target'] ?? '');
  if (req.method !== 'POST' || !target.startsWith('AmazonSSM.')) return fail(new AwsError('UnknownOperationException', undefined));
  if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/ssm\/aws4_request/.test(String(req.headers.authorization ?? ''))) {
    return fail(new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token'));
  }
  const operation = target.slice('AmazonSSM.'.length);
  const handler = operations[operation];
  if (!handler) return fail(new AwsError('UnknownOperationException'));
  let input: unknown;
  try {
    input = text ? JSON.parse(text) : {};
  } catch {
    return fail(new AwsError('SerializationException', 'Start of structure or map found where not expected.'));
  }
  onCall(operation, input);
  try {
    send(200, await handler(input, String(req.headers['user-agent'] ?? req.headers['x-amz-user-agent'] ?? '')));
  } catch (e) {
    if (e instanceof AwsError) return fail(e);
    fail(new AwsError('InternalServerError', (e as Error).message));
  }
}
