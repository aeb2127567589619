import { createServer } from 'node:http';
import { AwsError, serveAwsJson, withFaults, type AwsJsonService } from '../aws-json';
import { listenLoopback } from '../http';

/**
 * The Step Functions control-plane operations keygate calls, for the real `@aws-sdk/client-sfn`
 * (awsJson1_0, `x-amz-target: AWSStepFunctions.<Operation>`, signed for `states`, through
 * `AWS_ENDPOINT_URL_SFN`): ListExecutions only, over executions that the local world registers as it
 * runs state machines (or that a test adds). Loopback only, port 0. The exact `__type` namespace of
 * the real service's errors is UNCONFIRMED; the SDK keeps the part after `#`, so bare codes are sent.
 */
export const SFN_SERVICE: AwsJsonService = { targetPrefix: 'AWSStepFunctions.', signingName: 'states', contentType: 'application/x-amz-json-1.0' };

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
const STATUSES: ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

export interface EmulatedExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
}

export interface StepFunctionsApi {
  endpoint: string;
  region: string;
  accountId: string;
  calls: Array<{ operation: string; input: any; /** The access key that signed it (emulators/http.ts callerOf). */ caller: string }>;
  /** The ARN of a state machine of this account (registers it). */
  stateMachineArn(name: string): string;
  /** Registers a RUNNING execution (what StartExecution would do) and returns it. */
  startExecution(stateMachine: string, name: string): EmulatedExecution;
  /**
   * What StartExecution answers before an execution starts: throws ExecutionLimitExceeded (the
   * service's "maximum number of running executions" / StartExecution throttling) while
   * {@link rejectStarts} has refusals left. The runner asks it for every nested execution.
   */
  admitStart(stateMachine: string): void;
  /** The next `times` starts are refused with this code (default ExecutionLimitExceeded). */
  rejectStarts(times: number, code?: string): void;
  /** The next `times` calls of `operation` (ListExecutions) answer `code` (ThrottlingException, …). */
  fail(operation: string, times: number, code: string): void;
  /** Forgets every fault not yet used up (refused starts too). */
  clearFaults(): void;
  /** Ends an execution with a terminal status. */
  stopExecution(executionArn: string, status: Exclude<ExecutionStatus, 'RUNNING'>): void;
  executions(): EmulatedExecution[];
  close(): Promise<void>;
}

const ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([\w-]{1,80})$/;
const NAME = /^[\w-]{1,80}$/;

export async function start(options: { region?: string; accountId?: string; now?: () => number } = {}): Promise<StepFunctionsApi> {
  const region = options.region ?? 'eu-central-1';
  const accountId = options.accountId ?? '111122223333';
  const now = options.now ?? Date.now;
  const machines = new Set<string>();
  const executions: EmulatedExecution[] = [];
  const calls: StepFunctionsApi['calls'] = [];
  const refusals = { left: 0, code: 'ExecutionLimitExceeded' };
  const arnOf = (nameOrArn: string) => (nameOrArn.startsWith('arn:') ? nameOrArn : `arn:aws:states:${region}:${accountId}:stateMachine:${nameOrArn}`);

  const operations = {
    ListExecutions: (input: { stateMachineArn?: string; statusFilter?: string; maxResults?: number; nextToken?: string }) => {
      if (!input.stateMachineArn || !ARN.test(input.stateMachineArn)) throw new AwsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${input.stateMachineArn ?? ''}'`);
      if (!machines.has(input.stateMachineArn)) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
      if (input.statusFilter !== undefined && !STATUSES.includes(input.statusFilter as ExecutionStatus)) throw new AwsError('ValidationException', `1 validation error detected: Value '${input.statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
      const max = input.maxResults ?? 0;
      if (!Number.isInteger(max) || max < 0 || max > 1000) throw new AwsError('ValidationException', `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
      const matching = executions
        .filter((e) => e.stateMachineArn === input.stateMachineArn && (input.statusFilter === undefined || e.status === input.statusFilter))
        // Newest first; executions started in the same millisecond by start order.
        .map((e, i) => [e, i] as const)
        .sort(([a, i], [b, j]) => b.startDate - a.startDate || j - i)
        .map(([e]) => e);
      const offset = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(offset) || offset < 0) throw new AwsError('InvalidToken', 'Invalid Token');
      const size = max === 0 ? 100 : max;
      const page = matching.slice(offset, offset + size);
      return {
        // Timestamps on the awsJson wire are epoch seconds (ssm-and-events.md §1).
        executions: page.map((e) => ({ executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: e.startDate / 1000, ...(e.stopDate ? { stopDate: e.stopDate / 1000 } : {}) })),
        ...(offset + size < matching.length ? { nextToken: Buffer.from(String(offset + size)).toString('base64url') } : {}),
      };
    },
  };

  const faultable = withFaults(operations);
  const server = createServer((req, res) => void serveAwsJson(SFN_SERVICE, req, res, faultable.operations, (operation, input, caller) => calls.push({ operation, input, caller })));
  const endpoint = await listenLoopback(server);
  return {
    endpoint,
    region,
    accountId,
    calls,
    stateMachineArn: (name) => {
      const arn = arnOf(name);
      machines.add(arn);
      return arn;
    },
    startExecution: (stateMachine, name) => {
      const stateMachineArn = arnOf(stateMachine);
      if (!NAME.test(name)) throw new TypeError(`execution name "${name}" is not 1-80 letters, digits, "-" or "_"`);
      machines.add(stateMachineArn);
      if (executions.some((e) => e.stateMachineArn === stateMachineArn && e.name === name)) throw new TypeError(`ExecutionAlreadyExists: ${name}`);
      const execution: EmulatedExecution = { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, stateMachineArn, name, status: 'RUNNING', startDate: now() };
      executions.push(execution);
      return execution;
    },
    admitStart: (stateMachine) => {
      if (refusals.left > 0) {
        refusals.left -= 1;
        throw new AwsError(refusals.code, refusals.code === 'ExecutionLimitExceeded' ? `Maximum number of running executions reached for ${arnOf(stateMachine)}` : undefined);
      }
    },
    rejectStarts: (times, code = 'ExecutionLimitExceeded') => {
      refusals.left = times;
      refusals.code = code;
    },
    fail: (operation, times, code) => faultable.fail(operation, times, code),
    clearFaults: () => {
      faultable.clear();
      refusals.left = 0;
    },
    stopExecution: (executionArn, status) => {
      const e = executions.find((x) => x.executionArn === executionArn);
      if (!e) throw new TypeError(`no execution ${executionArn}`);
      e.status = status;
      e.stopDate = now();
    },
    executions: () => executions.map((e) => ({ ...e })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
