import { runStateMachine, type EventLog } from '../../emulators/stepfunctions';
import { KEYGATE_HANDLERS } from '../../emulators/stepfunctions/handlers';
import { loadAsl } from './asl';
import { fromRoot } from './paths';

export type { EventLog };

export interface MachineRun {
  output?: any;
  /** Set when the execution failed: the error name and the thrown error's message. */
  error?: { name: string; cause: string };
  events: EventLog[];
}

/**
 * Runs `statemachine/<file>` with the real handlers (emulators/stepfunctions), every Retry interval
 * 40 ms so that bounded waits stay fast; the failure's Cause is unwrapped to the error's message.
 */
export async function runMachine(file: string, input: unknown, opts: { retryIntervalMs?: number } = {}): Promise<MachineRun> {
  const tasks = Object.entries(loadAsl(file).States).filter(([, s]) => s.Type === 'Task').map(([name]) => name);
  const run = await runStateMachine({
    file: fromRoot('statemachine', file),
    handlers: KEYGATE_HANDLERS,
    input,
    retryIntervalOverrides: Object.fromEntries(tasks.map((n) => [n, opts.retryIntervalMs ?? 40])),
  });
  if (run.status === 'SUCCEEDED') return { output: run.output, events: run.events };
  return { error: { name: run.error!, cause: errorMessageOf(run.cause ?? '') }, events: run.events };
}

/** A Lambda failure's Cause is `{"errorType", "errorMessage"}`; a Fail state passes it on as text. */
function errorMessageOf(cause: string): string {
  try {
    return String((JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause);
  } catch {
    return cause;
  }
}
