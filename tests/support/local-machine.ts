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
export async function runMachine(file: string, input: unknown, opts: { retryIntervalMs?: number; pendingIntervalMs?: number } = {}): Promise<MachineRun> {
  const states = Object.entries(loadAsl(file).States).filter(([, s]) => s.Type === 'Task');
  const interval = opts.retryIntervalMs ?? 40;
  // `pendingIntervalMs`: the polls of a running SSM command at their own pace (a real Keycloak takes
  // seconds to apply a realm; 56 polls of 40 ms would give up on it), per retrier of the state.
  const intervals = (retry: Array<{ ErrorEquals: string[] }> = []) =>
    opts.pendingIntervalMs === undefined ? interval : retry.map((r) => (r.ErrorEquals.includes('SsmCommandPendingError') ? opts.pendingIntervalMs! : interval));
  const run = await runStateMachine({
    file: fromRoot('statemachine', file),
    handlers: KEYGATE_HANDLERS,
    input,
    retryIntervalOverrides: Object.fromEntries(states.map(([n, s]) => [n, intervals(s.Retry as Array<{ ErrorEquals: string[] }> | undefined)])),
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
