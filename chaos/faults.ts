import { parameterStoreEvent, type LocalWorld } from '../emulators/world';
import type { LambdaHandler, RunResult } from '../emulators/stepfunctions';
import { KEYGATE_HANDLERS } from '../emulators/stepfunctions/handlers';
import type { HostFault } from '../emulators/ssm';
import type { Random } from './random';

// The faults the campaign injects: each at a named point (a call of an emulated service, the n-th
// admin write, a point of the host executor, the n-th invocation of a handler), never at a time, so a
// seed replays the same run. Each fault is armed before the fault run and undone before the clean run.

/** What a fault needs: the world, the run's generator, and where the run starts from. */
export interface FaultContext {
  world: LocalWorld;
  rng: Random;
  /** The document of the fault run (the world's, live verification off). */
  document: Record<string, any>;
  /** Where the run starts: an empty world, a realm made by someone else, or a provisioned system with drift. */
  start: 'empty' | 'adopted' | 'drifted';
  /** Whether the realm's observe output is over 24,000 characters in this run (read from S3). */
  longOutput: boolean;
}

export interface Armed {
  /** The point and the fault, in words (printed per run). */
  what: string;
  /** Handlers of the fault run in place of the real ones (a wrapped handler). */
  handlers?: Record<string, LambdaHandler>;
  /** Executions started together with the fault run. */
  alongside?: Array<() => Promise<RunResult>>;
  /** Undone before the clean run: what comes back by itself in AWS (an instance, Keycloak, an endpoint). */
  undo?: () => Promise<void> | void;
  /**
   * Whether the fault met the fault run (asked right after it): a point the seed picks can lie beyond what
   * the run does (the 12th admin write of a repair that makes three), and a fault a run rides out leaves no
   * trace in its outcome. Absent for the kinds that always run (the concurrency kinds).
   */
  fired: ((faultRun: RunResult) => boolean) | undefined;
}

export interface FaultKind {
  name: string;
  /** Where it is injected: agentcore, ssm, keycloak, host, s3, states, lambda, dynamodb/sns, concurrency. */
  area: string;
  /** What the run must have for the fault to apply: output over 24,000 characters (a realm with many entries). */
  needs?: 'long-output';
  arm(ctx: FaultContext): Armed;
}

const AGENTCORE_OPS = ['ListGateways', 'GetGateway', 'CreateGateway', 'UpdateGateway', 'ListGatewayTargets', 'GetGatewayTarget', 'CreateGatewayTarget', 'UpdateGatewayTarget', 'GetResourcePolicy', 'PutResourcePolicy'];

/** The Tasks of provisioning and of the nested realm reconciler, by their handler placeholder. */
const TASKS = [
  'GuardProvisioningRunFunctionArn', 'LoadDesiredStateFunctionArn', 'EnsureGatewayFunctionArn', 'AwaitGatewayReadyFunctionArn', 'EnsureGatewayTargetFunctionArn',
  'AwaitGatewayTargetReadyFunctionArn', 'SummarizeProvisioningFunctionArn', 'ApplyResourcePolicyFunctionArn', 'SendRealmCommandFunctionArn', 'GetRealmCommandResultFunctionArn',
  'PlanRealmChangesFunctionArn', 'VerifyRealmConvergedFunctionArn', 'PublishCimdDocumentFunctionArn', 'VerifyChainFunctionArn', 'ConfirmProvisioningFunctionArn',
];

/**
 * The handlers with one replaced by a wrapper that runs `act` before the real handler's `nth` invocation
 * (`when: 'before'`: the work is never done) or after its `nth` invocation that answered (`'after'`: done,
 * its answer lost; an invocation that failed by itself has no answer to lose, so it is not counted).
 * `fired()` says whether `act` ran.
 */
export function wrapHandler(placeholder: string, nth: number, when: 'before' | 'after', act: () => unknown): { handlers: Record<string, LambdaHandler>; fired: () => boolean } {
  const real = KEYGATE_HANDLERS[placeholder] as (...args: unknown[]) => Promise<unknown>;
  if (!real) throw new TypeError(`no handler ${placeholder}`);
  let calls = 0;
  let fired = false;
  const wrapped = async (...args: unknown[]) => {
    if (when === 'before' && ++calls === nth) {
      fired = true;
      await act();
    }
    const out = await real(...args);
    if (when === 'after' && ++calls === nth) {
      fired = true;
      await act();
    }
    return out;
  };
  return { handlers: { ...KEYGATE_HANDLERS, [placeholder]: wrapped as LambdaHandler }, fired: () => fired };
}

/** Whether `op` was called since `from` (the length of the call log when the fault was armed). */
const agentcoreCalled = (world: LocalWorld, from: number, ops: string[], errored = false) =>
  world.agentcore.callLog().slice(from).some((c) => ops.includes(c.op) && (!errored || c.errorType !== undefined));
const ssmCalled = (world: LocalWorld, from: number, op: string) => world.ssm.calls.slice(from).some((c) => c.operation === op);
/** The n-th admin write from arming was made: it is in the call log (a dropped one is not: the stand-in's own flag says). */
const keycloakWriteMet = (world: LocalWorld) => !world.keycloak.writeFaultPending();
const hostFaultMet = (world: LocalWorld) => world.ssm.hostFaultFired() !== undefined;

/** An error as Lambda reports a function that timed out or ran out of memory (Step Functions: `Lambda.Unknown`). */
function lambdaUnknown(kind: 'timeout' | 'oom'): Error {
  const error = new Error(kind === 'timeout' ? 'Task timed out after 30.03 seconds' : 'Runtime exited with error: signal: killed (Runtime.ExitError: out of memory)');
  error.name = 'Lambda.Unknown';
  return error;
}

const label = (name: string) => name.replace(/FunctionArn$/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
const ordinal = (n: number) => `${n}${[11, 12, 13].includes(n % 100) ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th'}`;
/** An admin write of the apply: the seed's apply makes 12 from an empty realm, a drift repair a few. */
const nthWrite = (ctx: FaultContext) => ctx.rng.int(1, ctx.start === 'drifted' ? 3 : 12);

function hostFault(ctx: FaultContext, action: HostFault['action']): HostFault {
  const { rng } = ctx;
  const point = rng.pick(['keycloak-write', 'rename', 'fsync', 'start'] as const);
  if (point === 'keycloak-write') return { at: point, nth: nthWrite(ctx), when: rng.pick(['before', 'after'] as const), command: 'apply', action };
  if (point === 'start') return { at: point, command: rng.pick(['observe', 'apply', 'publish'] as const), action };
  return { at: point, nth: rng.int(1, 2), command: 'publish', action };
}

const showHostFault = (f: HostFault) => `${f.action} at ${f.nth ? `the ${ordinal(f.nth)} ` : ''}${f.at}${f.when ? ` (${f.when})` : ''}${f.command ? ` of ${f.command} command` : ''}${f.end ? `, SSM ends it ${f.end}` : ''}`;

export const FAULTS: FaultKind[] = [
  // ── AgentCore control plane ─────────────────────────────────────────────────────────────────────
  {
    name: 'agentcore-throttling',
    area: 'agentcore',
    arm: ({ world, rng }) => {
      const op = rng.pick(AGENTCORE_OPS);
      const n = rng.int(1, 8);
      const from = world.agentcore.callLog().length;
      world.agentcore.throttle(n, [op]);
      return { what: `AgentCore answers ThrottlingException to the next ${n} ${op}`, fired: () => agentcoreCalled(world, from, [op], true) };
    },
  },
  {
    name: 'agentcore-5xx',
    area: 'agentcore',
    arm: ({ world, rng }) => {
      const op = rng.pick(AGENTCORE_OPS);
      const n = rng.pick([1, 2, 4, 8, 30]);
      const from = world.agentcore.callLog().length;
      world.agentcore.injectFault({ type: 'InternalServerException', count: n, ops: [op] });
      return { what: `AgentCore answers InternalServerException to the next ${n} ${op}${n > 18 ? ' (more than every retry)' : ''}`, fired: () => agentcoreCalled(world, from, [op], true) };
    },
  },
  {
    name: 'agentcore-gateway-failed',
    area: 'agentcore',
    arm: ({ world }) => {
      const from = world.agentcore.callLog().length;
      world.agentcore.failNext({ kind: 'gateway', name: 'mcp-gateway-keycloak-demo', reasons: ['chaos: role validation failed'] });
      return { what: 'the next gateway create or update ends FAILED', fired: () => agentcoreCalled(world, from, ['CreateGateway', 'UpdateGateway']) };
    },
  },
  {
    name: 'agentcore-target-failed',
    area: 'agentcore',
    arm: ({ world }) => {
      const from = world.agentcore.callLog().length;
      world.agentcore.failNext({ kind: 'target', name: 'my-mcp-server', reasons: ['chaos: tools/list timed out'] });
      return { what: 'the next target create or update ends FAILED', fired: () => agentcoreCalled(world, from, ['CreateGatewayTarget', 'UpdateGatewayTarget']) };
    },
  },
  {
    name: 'agentcore-flip-after-ready',
    area: 'agentcore',
    arm: ({ world, rng }) => {
      const which = rng.pick(['gateway', 'target'] as const);
      const at = rng.pick(['ApplyResourcePolicyFunctionArn', 'PublishCimdDocumentFunctionArn', 'VerifyChainFunctionArn']);
      const { handlers, fired } = wrapHandler(at, 1, 'before', () => {
        if (which === 'gateway') world.agentcore.editGateway('mcp-gateway-keycloak-demo', { status: 'FAILED', statusReasons: ['chaos: failed after READY'] });
        else world.agentcore.editTarget('mcp-gateway-keycloak-demo', 'my-mcp-server', { status: 'FAILED', statusReasons: ['chaos: failed after READY'] });
      });
      return { what: `the ${which} turns FAILED after its READY check (at ${label(at)})`, handlers, fired };
    },
  },
  {
    name: 'agentcore-latency',
    area: 'agentcore',
    arm: ({ world, rng }) => {
      const ms = rng.pick([20, 50, 150]);
      const ops = rng.chance(0.5) ? [rng.pick(AGENTCORE_OPS)] : undefined;
      const from = world.agentcore.callLog().length;
      world.agentcore.setLatency(ms, ops);
      return {
        what: `AgentCore answers ${ops ? ops[0] : 'every call'} ${ms} ms late`,
        undo: () => world.agentcore.setLatency(0),
        fired: () => (ops ? agentcoreCalled(world, from, ops) : world.agentcore.callLog().length > from),
      };
    },
  },
  // ── SSM ────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'ssm-throttling-or-5xx',
    area: 'ssm',
    arm: ({ world, rng }) => {
      const op = rng.pick(['SendCommand', 'GetCommandInvocation', 'GetParameter']);
      const code = rng.pick(['ThrottlingException', 'InternalServerError']);
      const n = rng.int(1, 6);
      const from = world.ssm.calls.length;
      world.ssm.fail(op, n, code);
      return { what: `SSM answers ${code} to the next ${n} ${op}`, fired: () => ssmCalled(world, from, op) };
    },
  },
  {
    name: 'ssm-invocation-does-not-exist',
    area: 'ssm',
    arm: ({ world, rng }) => {
      const n = rng.int(1, 6);
      const from = world.ssm.calls.length;
      world.ssm.fail('GetCommandInvocation', n, 'InvocationDoesNotExist');
      return { what: `GetCommandInvocation answers InvocationDoesNotExist ${n} times more`, fired: () => ssmCalled(world, from, 'GetCommandInvocation') };
    },
  },
  {
    name: 'ssm-command-fails-before-the-executor',
    area: 'ssm',
    arm: ({ world }) => {
      const from = world.ssm.calls.length;
      world.ssm.failNextCommand({ status: 'Failed', exitCode: 1, stderr: 'bash: line 9: /tmp/keygate-host.Xy12Ab34Cd/executor.py: No space left on device\n' });
      return { what: 'the next command fails before the executor runs (a full disk: exit 1)', fired: () => ssmCalled(world, from, 'SendCommand') };
    },
  },
  {
    name: 'ssm-command-timed-out-or-cancelled',
    area: 'ssm',
    arm: (ctx) => {
      const fault = { ...hostFault(ctx, 'hold'), end: ctx.rng.pick(['TimedOut', 'Cancelled'] as const) };
      ctx.world.ssm.injectHostFault(fault);
      return { what: `the command stands at a point until SSM ends it: ${showHostFault(fault)}`, fired: () => hostFaultMet(ctx.world) };
    },
  },
  {
    name: 'ssm-instance-offline',
    area: 'ssm',
    arm: ({ world, document, rng }) => {
      const how = rng.pick(['offline', 'never picks up commands'] as const);
      const from = world.ssm.calls.length;
      world.ssm.setInstance(document.keycloak.instanceId, how === 'offline' ? { online: false } : { stalled: true });
      return {
        what: `the Keycloak instance is ${how}`,
        undo: () => world.ssm.setInstance(document.keycloak.instanceId, { online: true, stalled: false }),
        fired: () => ssmCalled(world, from, 'SendCommand'),
      };
    },
  },
  // ── Keycloak (the stand-in's answers; what a real server does: docs/../keycloak-fidelity.md) ───────
  {
    name: 'keycloak-refuses-write',
    area: 'keycloak',
    arm: (ctx) => {
      const n = nthWrite(ctx);
      const status = ctx.rng.pick([500, 409, 400]);
      ctx.world.keycloak.failWrite(n, { status, body: status === 500 ? { error: 'unknown_error' } : { errorMessage: `chaos: refused (${status})` } });
      return { what: `Keycloak answers HTTP ${status} to the ${ordinal(n)} admin write from now`, fired: () => keycloakWriteMet(ctx.world) };
    },
  },
  {
    name: 'keycloak-connection-lost',
    area: 'keycloak',
    arm: (ctx) => {
      const n = nthWrite(ctx);
      const how = ctx.rng.pick(['drop', 'drop-after-apply'] as const);
      ctx.world.keycloak.failWrite(n, how);
      return {
        what: `the connection of the ${ordinal(n)} admin write from now drops ${how === 'drop' ? 'before Keycloak acts' : 'after Keycloak applied it (its answer is lost)'}`,
        fired: () => keycloakWriteMet(ctx.world),
      };
    },
  },
  {
    name: 'keycloak-timeout',
    area: 'keycloak',
    arm: (ctx) => {
      const fault: HostFault = { at: 'keycloak-write', nth: nthWrite(ctx), when: ctx.rng.pick(['before', 'after'] as const), command: 'apply', action: 'time-out' };
      ctx.world.ssm.injectHostFault(fault);
      return { what: `an admin API call times out: ${showHostFault(fault)}`, fired: () => hostFaultMet(ctx.world) };
    },
  },
  {
    name: 'keycloak-down',
    area: 'keycloak',
    arm: ({ world }) => {
      const from = world.ssm.calls.length;
      void world.keycloak.setDown(true);
      return { what: 'Keycloak is down (connection refused on the host loopback)', undo: () => world.keycloak.setDown(false), fired: () => ssmCalled(world, from, 'SendCommand') };
    },
  },
  // ── The Keycloak host ──────────────────────────────────────────────────────────────────────────
  {
    name: 'host-command-killed',
    area: 'host',
    arm: (ctx) => {
      const fault = hostFault(ctx, ctx.rng.pick(['kill-group', 'kill-executor'] as const));
      ctx.world.ssm.injectHostFault(fault);
      return { what: `the host command is killed: ${showHostFault(fault)}`, fired: () => hostFaultMet(ctx.world) };
    },
  },
  {
    name: 'host-disk-full',
    area: 'host',
    arm: ({ world, rng }) => {
      const fault: HostFault = { at: 'fsync', nth: rng.int(1, 2), command: 'publish', action: 'disk-full' };
      world.ssm.injectHostFault(fault);
      return { what: `the host's disk is full when the CIMD write is flushed: ${showHostFault(fault)}`, fired: () => hostFaultMet(world) };
    },
  },
  // ── S3 (long command output) ───────────────────────────────────────────────────────────────────
  {
    name: 's3-transient-on-long-output',
    area: 's3',
    needs: 'long-output',
    arm: ({ world, rng }) => {
      const code = rng.pick(['SlowDown', 'InternalError', 'ServiceUnavailable'] as const);
      const n = rng.int(1, 8);
      world.s3.failNext({ code, method: 'GET', times: n });
      const before = world.s3.calls.length;
      return {
        what: `S3 answers ${code} to the next ${n} reads of command output over 24,000 characters`,
        fired: () => world.s3.calls.slice(before).some((c) => c.method === 'GET' && c.status >= 500),
      };
    },
  },
  // ── Step Functions ─────────────────────────────────────────────────────────────────────────────
  {
    name: 'nested-start-refused',
    area: 'states',
    arm: ({ world, rng }) => {
      const n = rng.int(1, 8);
      world.stepfunctions.rejectStarts(n);
      return {
        what: `StartExecution of the nested realm reconciler refused ${n} times (ExecutionLimitExceeded)`,
        fired: (run) => run.events.some((e) => e.type === 'StateFailed' && e.state?.name === 'Reconcile Keycloak Realm'),
      };
    },
  },
  {
    name: 'list-executions-fault',
    area: 'states',
    arm: ({ world, rng }) => {
      const n = rng.int(1, 8);
      const from = world.stepfunctions.calls.length;
      world.stepfunctions.fail('ListExecutions', n, 'ThrottlingException');
      return { what: `ListExecutions (the provisioning guard) answers ThrottlingException ${n} times`, fired: () => world.stepfunctions.calls.slice(from).some((c) => c.operation === 'ListExecutions') };
    },
  },
  // ── Lambda ─────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'lambda-timeout-or-oom',
    area: 'lambda',
    arm: ({ rng }) => {
      const task = rng.pick(TASKS);
      const kind = rng.pick(['timeout', 'oom'] as const);
      const when = rng.pick(['before', 'after'] as const);
      const nth = rng.int(1, 2);
      const { handlers, fired } = wrapHandler(task, nth, when, () => {
        throw lambdaUnknown(kind);
      });
      return { what: `${label(task)} ${kind === 'timeout' ? 'times out' : 'runs out of memory'} at its ${ordinal(nth)} invocation, ${when === 'before' ? 'before doing anything' : 'after its work, before answering'} (Lambda.Unknown)`, handlers, fired };
    },
  },
  // ── Runs at the same time (and the drift run's own services: the DynamoDB lease, SNS) ─────────────
  {
    name: 'concurrent-drift',
    area: 'concurrency',
    arm: ({ world, rng, document }) => {
      const lease = rng.chance(0.5) ? rng.int(1, 6) : 0;
      const sns = rng.chance(0.5) ? rng.int(1, 6) : 0;
      if (lease) world.dynamodb.fail('PutItem', lease, rng.pick(['ProvisionedThroughputExceededException', 'ThrottlingException', 'InternalServerError']));
      if (sns) world.sns.fail('Publish', sns, rng.pick(['Throttled', 'InternalError']));
      const mode = rng.pick(['report', 'repair']);
      return {
        what: `a drift run (${mode}) at the same time${lease ? `, its lease write failing ${lease} times` : ''}${sns ? `, SNS failing ${sns} times` : ''}`,
        fired: undefined,
        alongside: [() => world.run('drift', { input: { desiredState: document, mode } })],
      };
    },
  },
  {
    name: 'concurrent-provisioning',
    area: 'concurrency',
    arm: ({ world, document }) => ({ what: 'a second provisioning run at the same time', alongside: [() => world.run('provision', { document })], fired: undefined }),
  },
  {
    name: 'concurrent-rotation',
    area: 'concurrency',
    arm: ({ world, rng, document }) => {
      world.setVpcEndpoint(`vpce-0${rng.int(0x1000000, 0xfffffff).toString(16)}9abcdef01`);
      const event = parameterStoreEvent(document.resourcePolicy.vpcEndpoint.parameterName, 'Update');
      return { what: 'the VPC endpoint changes and its rotation runs at the same time', alongside: [() => world.run('rotate-gateway-policy', { input: event })], fired: undefined };
    },
  },
];
