import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, ERROR_STATUS, type ErrorType } from './errors';
import { MUTATING_OPERATIONS, route } from './routes';
import { AgentCoreService, DEFAULT_DELAYS, gatewayUrlOf, type Delays, type EmulatorSnapshot, type Fate, type Landing } from './service';
import { GATEWAY_ID, type Json } from './validate';
import { callerOf, readText } from '../http';

export { DEFAULT_DELAYS, MUTATING_OPERATIONS, type Landing };
export type { Delays, EmulatorSnapshot, Fate };
export type { GatewaySnapshot, TargetSnapshot } from './service';

/**
 * A local, wire-level emulator of the Amazon Bedrock AgentCore control plane (gateways, targets,
 * resource policies, tags) that the real `@aws-sdk/client-bedrock-agentcore-control` client talks
 * to through an endpoint override. Loopback only, port 0. Used by the integration tests, the bench
 * and `keygate rehearse`. Behaviour follows ../shared/reference/agentcore-gateway-api.md; where that
 * reference says UNCONFIRMED the choice is named in the code and kept in one place.
 *
 * @example
 * const emulator = await start({ speed: 100 });
 * const client = new BedrockAgentCoreControlClient({ endpoint: emulator.url, region: emulator.region, credentials });
 * // … emulator.calls, emulator.failNext({ kind: 'target', name: 'tools', reasons: ['unreachable'] }) …
 * await emulator.close();
 */
export interface EmulatorOptions {
  region?: string;
  accountId?: string;
  /** Time scale: 1 is realistic (gateway READY after 20 s, target after 30 s), 100 is 100 times faster. */
  speed?: number;
  /** Service durations at speed 1, in milliseconds. */
  delays?: Partial<Delays>;
  pageSize?: number;
  maxConcurrentTargetOperations?: number;
  missingPolicy?: 'not-found' | 'empty';
  /** Reject requests not signed for the `bedrock-agentcore` service (default true). */
  checkSigningName?: boolean;
  /** Seed for reproducible resource ids. */
  seed?: number;
  /** Fixed gateway ids by gateway name (`<name>-` + 10 lowercase letters or digits), so that the gateway's URL is known before it exists. */
  gatewayIds?: Record<string, string>;
  now?: () => number;
}

export interface CallRecord {
  seq: number;
  op: string;
  method: string;
  /** The raw request path (percent-encoded, as sent), without the query. */
  path: string;
  query: string;
  status: number;
  errorType?: string;
  mutating: boolean;
  /** ISO time the request arrived. */
  time: string;
  startedAt: number;
  durationMs: number;
  /** HTTP requests being served when this one arrived, itself included. */
  inFlight: number;
  gatewayId?: string;
  /** Targets of that gateway in CREATING/UPDATING/DELETING/SYNCHRONIZING after this call. */
  targetOperations?: number;
  /** The parsed request body of a mutating call (what was written: a policy, a gateway document …). */
  request?: Json;
  /** The access key that signed it (emulators/http.ts callerOf). */
  caller: string;
}

interface Fault {
  ops?: string[];
  remaining: number;
  type: ErrorType;
  message: string;
}

export interface AgentCoreEmulator {
  url: string;
  endpoint: string;
  region: string;
  accountId: string;
  /** Every API call, in arrival order (live array). */
  calls: CallRecord[];
  callLog(filter?: { op?: string; mutating?: boolean }): CallRecord[];
  resetCalls(): void;
  /** The next create or update of the named resource ends FAILED / UPDATE_UNSUCCESSFUL with these reasons. */
  /** (`serviceMs`: it lands after that many service milliseconds instead of the operation's delay.) */
  failNext(spec: { kind: 'gateway' | 'target'; name: string; reasons: string[]; times?: number; serviceMs?: number }): void;
  /** The next create or update of the named resource never lands: it stays CREATING / UPDATING. */
  holdNext(spec: { kind: 'gateway' | 'target'; name: string; times?: number }): void;
  /** Every status change that landed so far, with its service time (at speed 1). */
  landings(): Landing[];
  /** The next create or update of the named target ends CREATE_/UPDATE_PENDING_AUTH. */
  requireConsent(spec: { name: string; authorizationUrl?: string; times?: number }): void;
  /** The next `count` matching requests answer 429 ThrottlingException. */
  throttle(count: number, ops?: string[]): void;
  /** The next `count` matching requests answer with this error. */
  injectFault(spec: { type: ErrorType; message?: string; count?: number; ops?: string[] }): void;
  /** Forgets every injected fault and throttle not yet used up, and any latency. */
  clearFaults(): void;
  /** Every request (of `ops`, when given) is answered `ms` real milliseconds late (0: on time again). */
  setLatency(ms: number, ops?: string[]): void;
  editGateway(ref: string, patch: Json & { status?: string; statusReasons?: string[]; tags?: Record<string, string> }): void;
  editTarget(gatewayRef: string, targetRef: string, patch: Json & { status?: string; statusReasons?: string[] }): void;
  removeGateway(ref: string): void;
  removeTarget(gatewayRef: string, targetRef: string): void;
  setPolicy(gatewayRef: string, policy: string | undefined): void;
  /** Edits a gateway (or one of its targets) and keeps the edit: it is applied again after every update lands. */
  holdEdit(hold: { gateway: string; target?: string; patch: Json }): void;
  completeConsent(gatewayRef: string, targetRef: string): void;
  setSpeed(speed: number): void;
  /** The MCP URL the service gives the gateway with this id. */
  gatewayUrl(gatewayId: string): string;
  state(): EmulatorSnapshot;
  close(): Promise<void>;
}

export async function start(options: EmulatorOptions = {}): Promise<AgentCoreEmulator> {
  const region = options.region ?? 'eu-central-1';
  const accountId = options.accountId ?? '111122223333';
  const service = new AgentCoreService({
    region,
    accountId,
    speed: options.speed ?? 1,
    delays: { ...DEFAULT_DELAYS, ...options.delays },
    pageSize: options.pageSize ?? 10,
    maxConcurrentTargetOperations: options.maxConcurrentTargetOperations ?? 5,
    missingPolicy: options.missingPolicy ?? 'not-found',
    now: options.now ?? Date.now,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.gatewayIds ? { gatewayIds: checkGatewayIds(options.gatewayIds) } : {}),
  });
  const calls: CallRecord[] = [];
  const faults: Fault[] = [];
  let latency: { ms: number; ops?: string[] } = { ms: 0 };
  let inFlight = 0;
  let seq = 0;
  let requestCounter = 0;

  const takeFault = (op: string): Fault | undefined => {
    const f = faults.find((x) => x.remaining > 0 && (!x.ops || x.ops.includes(op)));
    if (f) f.remaining -= 1;
    return f;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    inFlight += 1;
    const startedAt = Date.now();
    const record: CallRecord = {
      seq: ++seq,
      op: 'Unknown',
      method: req.method ?? 'GET',
      path: '',
      query: '',
      status: 0,
      mutating: false,
      time: new Date(startedAt).toISOString(),
      startedAt,
      durationMs: 0,
      inFlight,
      caller: callerOf(req),
    };
    calls.push(record);
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const rawPath = (req.url ?? '/').split('?')[0]!;
    record.path = rawPath;
    record.query = url.search;
    let status: number;
    let body: Json | undefined;
    const headers: Record<string, string> = { 'x-amzn-requestid': `emulated-${++requestCounter}` };
    try {
      const text = await readText(req);
      const r = route(record.method, rawPath);
      record.op = r.op;
      record.mutating = MUTATING_OPERATIONS.has(r.op);
      if (r.gatewayId) record.gatewayId = r.gatewayId;
      checkSignature(req, options.checkSigningName ?? true);
      if (latency.ms > 0 && (!latency.ops || latency.ops.includes(r.op))) await new Promise((resolve) => setTimeout(resolve, latency.ms));
      const fault = takeFault(r.op);
      if (fault) throw new ApiError(fault.type, fault.message);
      let parsed: Json = {};
      if (text) {
        try {
          parsed = JSON.parse(text) as Json;
        } catch {
          throw new ApiError('ValidationException', 'Could not parse request body', { reason: 'CannotParse' });
        }
      }
      if (record.mutating && text) record.request = parsed;
      service.settle();
      const reply = r.run(service, parsed, url.searchParams);
      status = reply.status;
      body = reply.body;
      if (reply.gatewayId) record.gatewayId = reply.gatewayId;
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError('InternalServerException', `emulator: ${(error as Error).message}`);
      status = e.status;
      body = { message: e.message, ...e.extra };
      headers['x-amzn-errortype'] = e.type;
      record.errorType = e.type;
      if (!(error instanceof ApiError)) process.emitWarning(`agentcore emulator: ${(error as Error).stack}`);
    }
    if (record.gatewayId) record.targetOperations = service.transitionalTargets(record.gatewayId);
    record.status = status;
    record.durationMs = Date.now() - startedAt;
    inFlight -= 1;
    const payload = body === undefined || status === 204 ? '' : JSON.stringify(body);
    res.writeHead(status, { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : { 'content-length': 0 }) });
    res.end(payload);
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    endpoint: url,
    region,
    accountId,
    calls,
    callLog: (filter = {}) => calls.filter((c) => (filter.op === undefined || c.op === filter.op) && (filter.mutating === undefined || c.mutating === filter.mutating)),
    resetCalls: () => {
      calls.length = 0;
    },
    failNext: ({ kind, name, reasons, times, serviceMs }) => service.addFate({ kind, name, outcome: 'fail', reasons, ...(times ? { times } : {}), ...(serviceMs !== undefined ? { serviceMs } : {}) }),
    holdNext: ({ kind, name, times }) => service.addFate({ kind, name, outcome: 'hold', reasons: [], ...(times ? { times } : {}) }),
    landings: () => (service.settle(), [...service.landings]),
    requireConsent: ({ name, authorizationUrl, times }) =>
      service.addFate({ kind: 'target', name, outcome: 'consent', reasons: [], ...(authorizationUrl ? { authorizationUrl } : {}), ...(times ? { times } : {}) }),
    throttle: (count, ops) => faults.push({ remaining: count, type: 'ThrottlingException', message: 'Rate exceeded', ...(ops ? { ops } : {}) }),
    injectFault: ({ type, message, count, ops }) => faults.push({ remaining: count ?? 1, type, message: message ?? `Injected ${type}`, ...(ops ? { ops } : {}) }),
    clearFaults: () => {
      faults.splice(0);
      latency = { ms: 0 };
    },
    setLatency: (ms, ops) => {
      if (!(ms >= 0)) throw new TypeError('latency must be 0 or more milliseconds');
      latency = { ms, ...(ops ? { ops } : {}) };
    },
    editGateway: (ref, patch) => service.editGateway(ref, patch),
    editTarget: (gatewayRef, targetRef, patch) => service.editTarget(gatewayRef, targetRef, patch),
    removeGateway: (ref) => service.removeGateway(ref),
    removeTarget: (gatewayRef, targetRef) => service.removeTarget(gatewayRef, targetRef),
    setPolicy: (gatewayRef, policy) => service.setPolicy(gatewayRef, policy),
    holdEdit: (hold) => service.holdEdit(hold),
    completeConsent: (gatewayRef, targetRef) => service.completeConsent(gatewayRef, targetRef),
    setSpeed: (speed) => {
      if (!(speed > 0)) throw new TypeError('speed must be a positive number');
      service.options.speed = speed;
    },
    gatewayUrl: (gatewayId) => gatewayUrlOf(gatewayId, region),
    state: () => service.snapshot(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A fixed id must be one the service could have chosen: `<name>-` + 10 lowercase letters or digits. */
function checkGatewayIds(ids: Record<string, string>): Record<string, string> {
  for (const [name, id] of Object.entries(ids)) {
    if (!id.startsWith(`${name.toLowerCase()}-`) || id.length !== name.length + 11 || !GATEWAY_ID.test(id)) throw new TypeError(`gatewayIds.${name} "${id}" is not ${name.toLowerCase()}- followed by 10 lowercase letters or digits`);
  }
  return ids;
}

/**
 * Any SigV4 signature is accepted, but it must be scoped to the signing name `bedrock-agentcore`
 * (not `bedrock-agentcore-control`, §1): a client configured with the wrong name fails here as in AWS.
 */
function checkSignature(req: IncomingMessage, enabled: boolean): void {
  if (!enabled) return;
  const auth = req.headers.authorization ?? '';
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  if (!auth.startsWith('AWS4-HMAC-SHA256 ') || !scope) throw new ApiError('InvalidSignatureException', 'Missing or malformed SigV4 Authorization header');
  if (scope[1] !== 'bedrock-agentcore') throw new ApiError('InvalidSignatureException', `Credential should be scoped to correct service: 'bedrock-agentcore', not '${scope[1]}'`);
}

export { ERROR_STATUS };
