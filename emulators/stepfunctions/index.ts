import './node20';
import { StateMachine } from 'aws-local-stepfunctions';
import { readFileSync } from 'node:fs';

/**
 * Runs a real `statemachine/*.asl.json` locally (aws-local-stepfunctions) with the real Lambda
 * handlers in place of `${…FunctionArn}` Task resources, invoked the way Lambda invokes them: the
 * payload and the result go through JSON, a thrown error reaches Step Functions as
 * `{ Error: errorType, Cause: '{"errorType","errorMessage"}' }` like a Lambda function error.
 * Used by the integration tests, the bench and `keygate rehearse`.
 *
 * @example
 * const run = await runStateMachine({ file: 'statemachine/provision.asl.json', handlers: { EnsureGatewayFunctionArn: ensureGateway }, input: {} });
 * run.status // 'SUCCEEDED'
 */
/** A Lambda handler (a middy handler takes a third, optional argument). */
export type LambdaHandler = (...args: never[]) => unknown;

export interface LambdaContextLike {
  functionName: string;
  awsRequestId: string;
  invokedFunctionArn: string;
  getRemainingTimeInMillis(): number;
  [key: string]: unknown;
}

export interface RunOptions {
  /** Path of the ASL file. */
  file: string;
  /** Handler per placeholder name (`EnsureGatewayFunctionArn` → the handler of EnsureGatewayFunction). */
  handlers: Record<string, LambdaHandler>;
  /**
   * ASL file per state machine placeholder, for `arn:aws:states:::states:startExecution.sync:2` Tasks
   * (`"StateMachineArn": "${ReconcileRealmStateMachineArn}"`): the child runs here with the same handlers.
   */
  stateMachines?: Record<string, string>;
  /**
   * DefinitionSubstitutions that are plain values (not a handler or a nested machine), as template.yaml
   * sets them: each `${Name}` in the definition is replaced before the run.
   */
  substitutions?: Record<string, string>;
  input: unknown;
  executionName?: string;
  /** `$$.Execution.Id`; default `arn:aws:states:local:000000000000:execution:keygate:<executionName>`. */
  executionArn?: string | undefined;
  /** Divides every Retry interval, Retry delay cap and Wait duration (the emulators' speed). */
  timeScale?: number;
  /** aws-local-stepfunctions overrides, in milliseconds, by state name. */
  retryIntervalOverrides?: Record<string, number | number[]>;
  waitTimeOverrides?: Record<string, number>;
  /**
   * Called with every event as it happens (a live view of the execution, as the console's graph is):
   * `path` names the `startExecution.sync:2` Tasks whose nested execution the event belongs to
   * (`[]` for the execution itself, `['Reconcile Keycloak Realm']` for the realm reconciler's).
   */
  onEvent?: (event: EventLog, path: readonly string[]) => void;
  /** Aborts the execution (StopExecution): it ends ABORTED; a Task already running finishes first. */
  signal?: AbortSignal;
  /**
   * Asked before a `startExecution.sync:2` Task starts its child (the placeholder of its
   * StateMachineArn), as the service's StartExecution would be: an error it throws (an AWS error
   * code, e.g. `ExecutionLimitExceeded`) fails the Task with `StepFunctions.<code>`, the name the
   * optimized integration reports (concepts-nested-workflows).
   */
  admitNestedStart?: (stateMachine: string) => void;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
  events: EventLog[];
  /** Billed state transitions: every state entered, every retry (Step Functions pricing). */
  transitions: number;
  /** Task invocations by state name; a nested execution's as `<Task> > <state>`. */
  invocations: Record<string, number>;
  durationMs: number;
}

/** One entry of the execution's event log (aws-local-stepfunctions does not export the type). */
export type EventLog = { type: string; timestamp: number; state?: { name: string; type: string }; index?: number; [key: string]: unknown };

type Definition = { StartAt: string; States: Record<string, Record<string, unknown>> };

/** Every Task of the definition, Map and Parallel branches included, by state name. */
function tasksOf(def: Definition, out = new Map<string, string>()): Map<string, string> {
  for (const [name, state] of Object.entries(def.States)) {
    if (state.Type === 'Task') out.set(name, String(state.Resource));
    if (state.Type === 'Map') tasksOf((state.ItemProcessor ?? state.Iterator) as Definition, out);
    if (state.Type === 'Parallel') for (const b of state.Branches as Definition[]) tasksOf(b, out);
  }
  return out;
}

/** A copy of the definition with every duration divided by `scale` (fractional seconds run locally). */
export function scaleDefinitionTime(def: Definition, scale: number): Definition {
  const copy = structuredClone(def);
  const visit = (d: Definition) => {
    for (const state of Object.values(d.States)) {
      for (const r of (state.Retry as Array<Record<string, number>> | undefined) ?? []) {
        r.IntervalSeconds = (r.IntervalSeconds ?? 1) / scale;
        if (r.MaxDelaySeconds !== undefined) r.MaxDelaySeconds = r.MaxDelaySeconds / scale;
      }
      if (typeof state.Seconds === 'number') state.Seconds = state.Seconds / scale;
      if (state.Type === 'Map') visit((state.ItemProcessor ?? state.Iterator) as Definition);
      if (state.Type === 'Parallel') (state.Branches as Definition[]).forEach(visit);
    }
  };
  visit(copy);
  return copy;
}

class LambdaFunctionError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(JSON.stringify({ errorType, errorMessage }));
    this.name = errorType;
  }
}

export async function runStateMachine(options: RunOptions): Promise<RunResult> {
  const raw = JSON.parse(substitute(readFileSync(options.file, 'utf8'), options.substitutions ?? {})) as Definition;
  const scale = options.timeScale ?? 1;
  const definition = scale === 1 ? raw : scaleDefinitionTime(raw, scale);
  const invocations: Record<string, number> = {};
  const localHandlers: Record<string, (input: unknown) => Promise<never>> = {};
  // Invocations still running when the execution ends (an abort does not wait for them; the runner does).
  const inFlight = new Set<Promise<unknown>>();
  let ended = false;
  let requests = 0;
  let nestedTransitions = 0;
  for (const [stateName, resource] of tasksOf(raw)) {
    if (resource === START_EXECUTION_SYNC) {
      localHandlers[stateName] = async (input) => {
        invocations[stateName] = (invocations[stateName] ?? 0) + 1;
        const child = await runNested(options, input as { StateMachineArn: string; Input: unknown }, stateName);
        nestedTransitions += child.transitions;
        for (const [name, count] of Object.entries(child.invocations)) invocations[`${stateName} > ${name}`] = (invocations[`${stateName} > ${name}`] ?? 0) + count;
        return child.result as never;
      };
      continue;
    }
    const placeholder = /^\$\{(\w+)\}$/.exec(resource)?.[1];
    const handler = placeholder ? options.handlers[placeholder] : undefined;
    if (!handler) throw new TypeError(`no handler for Task "${stateName}" (${resource}): pass handlers.${placeholder ?? resource}`);
    const functionName = placeholder!.replace(/Arn$/, '');
    localHandlers[stateName] = async (input) => {
      // A stopped or ended execution starts no Task: aws-local-stepfunctions may still wake a pending
      // retry, e.g. of a Map branch still polling when a sibling failed the execution (in AWS the
      // execution's end stops its branches); run, it would call services the caller has closed since.
      if (options.signal?.aborted || ended) throw new LambdaFunctionError('States.Runtime', 'the execution was stopped');
      invocations[stateName] = (invocations[stateName] ?? 0) + 1;
      const context: LambdaContextLike = {
        functionName,
        awsRequestId: `local-${++requests}`,
        invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
        getRemainingTimeInMillis: () => 60_000,
        callbackWaitsForEmptyEventLoop: true,
      };
      try {
        const invoke = handler as unknown as (event: unknown, ctx: LambdaContextLike) => Promise<unknown>;
        const pending = invoke(JSON.parse(JSON.stringify(input)), context);
        inFlight.add(pending);
        void pending.catch(() => undefined).finally(() => inFlight.delete(pending));
        const result = await pending;
        return (result === undefined ? null : JSON.parse(JSON.stringify(result))) as never;
      } catch (error) {
        const e = error as Error;
        throw new LambdaFunctionError(e.name || 'Error', e.message);
      }
    };
  }
  // Scaled definitions carry fractional durations, which the validator (rightly, for AWS) rejects.
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: scale !== 1 } });
  const started = Date.now();
  const executionId = options.executionArn ?? `arn:aws:states:local:000000000000:execution:keygate:${options.executionName ?? `run-${started}`}`;
  const execution = machine.run(options.input as never, {
    overrides: {
      taskResourceLocalHandlers: localHandlers as never,
      ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
      ...(options.waitTimeOverrides ? { waitTimeOverrides: options.waitTimeOverrides } : {}),
    },
    // Input as in AWS: a state may read the execution input through $$.Execution.Input,
    // and its state machine through $$.StateMachine.Id (the ARN the execution's own names).
    context: { Execution: { Id: executionId, Name: options.executionName ?? `run-${started}`, Input: options.input as never }, StateMachine: { Id: stateMachineOf(executionId), Name: executionId.split(':').at(-2) ?? '' } },
  });
  const abort = () => execution.abort();
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      events.push(event as EventLog);
      options.onEvent?.(event as EventLog, []);
    }
  })();
  let output: unknown;
  try {
    output = await execution.result;
  } catch {
    // The failure is read from the ExecutionFailed event below.
  } finally {
    ended = true;
  }
  await collecting;
  options.signal?.removeEventListener('abort', abort);
  await Promise.allSettled([...inFlight]);
  const failed = events.find((e) => e.type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
  const transitions = events.filter((e) => e.type === 'StateEntered' || e.type === 'StateRetried').length + nestedTransitions;
  const base = { events, transitions, invocations, durationMs: Date.now() - started };
  if (events.some((e) => e.type === 'ExecutionAborted')) return { ...base, status: 'ABORTED', error: 'ExecutionAborted', cause: 'the execution was stopped' };
  if (failed) return { ...base, status: 'FAILED', error: String(failed.Error), cause: typeof failed.Cause === 'string' ? failed.Cause : JSON.stringify(failed.Cause) };
  return { ...base, status: 'SUCCEEDED', output };
}

/** The state machine of an execution ARN (`…:execution:<machine>:<name>` → `…:stateMachine:<machine>`). */
const stateMachineOf = (executionArn: string): string => executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]*$/, '');

const START_EXECUTION_SYNC = 'arn:aws:states:::states:startExecution.sync:2';

/** The definition text with each `${Name}` of `values` replaced (inside JSON strings, escaped as such). */
function substitute(text: string, values: Record<string, string>): string {
  return Object.entries(values).reduce((out, [name, value]) => out.replaceAll(`\${${name}}`, JSON.stringify(value).slice(1, -1)), text);
}

/**
 * `states:startExecution.sync:2`: runs the child machine to its end and answers like the service, with
 * the child's Output as JSON; a failed child fails the Task with `States.TaskFailed` and the child's
 * Error and Cause in the Cause.
 */
async function runNested(options: RunOptions, input: { StateMachineArn: string; Input: unknown }, task: string): Promise<{ result: unknown; transitions: number; invocations: Record<string, number> }> {
  const placeholder = /^\$\{(\w+)\}$/.exec(input.StateMachineArn)?.[1] ?? input.StateMachineArn;
  const file = options.stateMachines?.[placeholder];
  if (!file) throw new TypeError(`no ASL file for the nested state machine ${input.StateMachineArn}: pass stateMachines.${placeholder}`);
  try {
    options.admitNestedStart?.(placeholder);
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).name;
    throw Object.assign(new Error(JSON.stringify({ errorType: code, errorMessage: (error as Error).message })), { name: `StepFunctions.${code}` });
  }
  const onEvent = options.onEvent;
  const child = await runStateMachine({
    ...options,
    file,
    input: input.Input,
    executionName: undefined,
    executionArn: undefined,
    ...(onEvent ? { onEvent: (event: EventLog, path: readonly string[]) => onEvent(event, [task, ...path]) } : {}),
  });
  if (child.status !== 'SUCCEEDED') {
    throw Object.assign(new Error(JSON.stringify({ Error: child.error, Cause: child.cause })), { name: 'States.TaskFailed' });
  }
  const executionArn = `arn:aws:states:local:000000000000:execution:${placeholder}:nested-${Date.now()}`;
  return { result: { ExecutionArn: executionArn, Input: JSON.stringify(input.Input), Output: child.output, Status: 'SUCCEEDED' }, transitions: child.transitions, invocations: child.invocations };
}
