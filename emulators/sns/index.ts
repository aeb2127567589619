import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { callerOf, listenLoopback, readText } from '../http';

/**
 * The SNS operation keygate calls, Publish, for the real `@aws-sdk/client-sns` through
 * `AWS_ENDPOINT_URL_SNS`. SNS speaks the AWS query protocol: a form-encoded `POST /` with
 * `Action=Publish&Version=2010-03-31&…`, signed for `sns`, answered with XML (`PublishResponse`, or an
 * `ErrorResponse` with Type, Code and Message). Limits as in the Publish API reference: a message of
 * 1 byte to 256 KB, a subject under 100 characters without line breaks or control characters.
 * Topics are created through the emulator. Loopback only, port 0.
 */
export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
  messageId: string;
}

export interface SnsEmulator {
  endpoint: string;
  calls: Array<{ action: string; params: Record<string, string>; /** The access key that signed it (emulators/http.ts callerOf). */ caller: string }>;
  /** Every message published, in order. */
  messages: PublishedMessage[];
  createTopic(name: string): string;
  /** The next `times` calls of `action` (Publish) answer `code`: Throttled (HTTP 400), InternalError (500). */
  fail(action: string, times: number, code: string): void;
  /** Forgets every fault not yet used up. */
  clearFaults(): void;
  close(): Promise<void>;
}

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function start(options: { region?: string; accountId?: string } = {}): Promise<SnsEmulator> {
  const region = options.region ?? 'eu-central-1';
  const accountId = options.accountId ?? '111122223333';
  const topics = new Set<string>();
  const messages: PublishedMessage[] = [];
  const calls: SnsEmulator['calls'] = [];
  const faults = new Map<string, { left: number; code: string }>();

  const publish = (p: Record<string, string>): string => {
    const topicArn = p.TopicArn ?? p.TargetArn;
    if (!topicArn) throw new QueryError('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(topicArn)) throw new QueryError('InvalidParameter', 'Invalid parameter: TopicArn');
    if (!topics.has(topicArn)) throw new QueryError('NotFound', 'Topic does not exist', 404);
    const message = p.Message;
    if (!message) throw new QueryError('InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(message, 'utf8') > 262_144) throw new QueryError('InvalidParameter', 'Invalid parameter: Message too long');
    const subject = p.Subject;
    if (subject !== undefined && (subject.length === 0 || subject.length >= 100 || /[\x00-\x1f\x7f]/.test(subject))) throw new QueryError('InvalidParameter', 'Invalid parameter: Subject');
    const messageId = randomUUID();
    messages.push({ topicArn, ...(subject !== undefined ? { subject } : {}), message, messageId });
    return messageId;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const reply = (status: number, xml: string) => void res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(xml);
    const fail = (e: QueryError) =>
      reply(e.status, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
    const params = Object.fromEntries(new URLSearchParams(await readText(req)));
    if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/sns\/aws4_request/.test(String(req.headers.authorization ?? ''))) return fail(new QueryError('MissingAuthenticationToken', 'Missing Authentication Token', 403));
    if (req.method !== 'POST' || params.Version !== '2010-03-31') return fail(new QueryError('InvalidAction', `Could not find operation ${params.Action ?? ''} for version ${params.Version ?? ''}`));
    calls.push({ action: params.Action ?? '', params, caller: callerOf(req) });
    const fault = faults.get(params.Action ?? '');
    if (fault && fault.left > 0) {
      fault.left -= 1;
      return fail(new QueryError(fault.code, fault.code === 'Throttled' ? 'Rate exceeded' : 'Request could not be completed', fault.code.startsWith('Internal') ? 500 : 400));
    }
    try {
      if (params.Action !== 'Publish') throw new QueryError('InvalidAction', `Could not find operation ${params.Action ?? ''} for version 2010-03-31`);
      const messageId = publish(params);
      reply(200, `<PublishResponse xmlns="${NS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`);
    } catch (e) {
      fail(e instanceof QueryError ? e : new QueryError('InternalError', (e as Error).message, 500));
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  const endpoint = await listenLoopback(server);
  return {
    endpoint,
    calls,
    messages,
    createTopic: (name) => {
      const arn = `arn:aws:sns:${region}:${accountId}:${name}`;
      topics.add(arn);
      return arn;
    },
    fail: (action, times, code) => void faults.set(action, { left: times, code }),
    clearFaults: () => faults.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
