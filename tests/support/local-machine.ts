import { StateMachine } from 'aws-local-stepfunctions';
import { loadAsl, type State } from './asl';
import { fromRoot } from './paths';
import { invoke } from './lambda';

/**
 * The real handler behind each Task of an ASL file: `"${PlanRealmChangesFunctionArn}"` runs
 * functions/plan-realm-changes.ts (the template's naming rule), invoked as Lambda would.
 */
export function realHandlersFor(file: string): Record<string, (input: unknown) => Promise<any>> {
  const handlers: Record<string, (input: unknown) => Promise<any>> = {};
  for (const [name, state] of Object.entries(loadAsl(file).States) as Array<[string, State]>) {
    const m = /^\$\{(\w+)FunctionArn\}$/.exec(String(state.Resource ?? ''));
    if (state.Type !== 'Task' || !m) continue;
    const entry = m[1]!.replace(/[A-Z]/g, (c, i: number) => `${i ? '-' : ''}${c.toLowerCase()}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(fromRoot('functions', `${entry}.ts`)) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
    handlers[name] = (input) => invoke(handler as never, input) as Promise<any>;
  }
  return handlers;
}

/** One event of aws-local-stepfunctions' event log (its type is not exported). */
export type EventLog = { type: string; state?: { name: string; input?: unknown; output?: unknown }; [key: string]: unknown };

export interface MachineRun {
  output?: any;
  /** Set when the execution failed: the Fail state's Error and Cause. */
  error?: { name: string; cause: string };
  events: EventLog[];
}

/** Runs an ASL file locally with its real handlers; retry intervals are 40 ms so bounded waits stay fast. */
export async function runMachine(file: string, input: unknown, opts: { retryIntervalMs?: number; overrides?: Record<string, (input: unknown) => Promise<unknown>> } = {}): Promise<MachineRun> {
  const definition = loadAsl(file);
  const handlers = { ...realHandlersFor(file), ...opts.overrides };
  const retryIntervalOverrides = Object.fromEntries(Object.keys(handlers).map((n) => [n, opts.retryIntervalMs ?? 40]));
  const execution = new StateMachine(definition as never).run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
    context: { Execution: { Id: `arn:aws:states:eu-central-1:111122223333:execution:${file}:local-${Date.now()}`, Input: input as never, Name: 'local', StartTime: new Date().toISOString() } },
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const e of execution.eventLogs) events.push(e as unknown as EventLog);
  })();
  try {
    const output = await execution.result;
    await collecting;
    return { output, events };
  } catch (e) {
    await collecting.catch(() => undefined);
    const failed = events.find((ev) => ev.type === 'ExecutionFailed') as { Error: string; Cause: unknown } | undefined;
    return { error: { name: failed?.Error ?? (e as Error).name, cause: String(failed?.Cause ?? (e as Error).message) }, events };
  }
}

/**
 * A local stand-in for `arn:aws:states:::states:startExecution.sync:2` (which aws-local-stepfunctions
 * cannot call): runs the child ASL file with its real handlers and answers like the service, with the
 * child's `Output` as JSON; a failed child fails the task with `States.TaskFailed` and the child's
 * error and cause in the Cause, as Step Functions reports it.
 */
export function startExecutionSync(file: string, opts: Parameters<typeof runMachine>[2] = {}) {
  return async (input: unknown): Promise<unknown> => {
    const { StateMachineArn, Input } = input as { StateMachineArn: string; Input: unknown };
    const child = await runMachine(file, Input, opts);
    if (child.error) {
      throw Object.assign(new Error(JSON.stringify({ Error: child.error.name, Cause: child.error.cause })), { name: 'States.TaskFailed' });
    }
    return { ExecutionArn: `${StateMachineArn.replace(':stateMachine:', ':execution:')}:local`, Input: JSON.stringify(Input), Output: child.output, Status: 'SUCCEEDED' };
  };
}
