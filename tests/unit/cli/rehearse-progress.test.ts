import type { EventLog } from '../../../emulators/stepfunctions';
import { errorLine, serviceTimeMs, StepTracker, stepLabel, type StepLine } from '../../../cli/rehearse/progress';
import { table } from '../../../cli/rehearse/render';
import { fixFor } from '../../../cli/rehearse/scenario';
import { fit } from '../../../cli/rehearse/view';
import { runCli } from '../../support/cli';

// The live view's model: runner events → one line per step (cli/rehearse/progress.ts), with a clock
// and a probe the test controls.

const event = (type: string, name: string, extra: Record<string, unknown> = {}): EventLog =>
  ({ type, timestamp: 0, state: { name, type: (extra.stateType as string) ?? 'Task', input: extra.input ?? {}, output: extra.output }, ...(extra.index !== undefined ? { index: extra.index } : {}), ...(extra.error ? { Error: extra.error, Cause: extra.cause } : {}) }) as unknown as EventLog;

function tracker() {
  let now = 1_000;
  const changes: Array<Pick<StepLine, 'name' | 'state' | 'polls'>> = [];
  const t = new StepTracker('provision', (l) => changes.push({ name: l.name, state: l.state, polls: l.polls }), (l) => (l.endedAt ? `ended after ${l.endedAt - l.startedAt} ms` : undefined), () => now);
  return { t, changes, tick: (ms: number) => void (now += ms) };
}

describe('StepTracker', () => {
  it('shows Task and Wait states only: entered → running, retried → waiting (one poll each), exited → done with what the probe says', () => {
    const { t, changes, tick } = tracker();
    t.onEvent(event('StateEntered', 'Replace Gateway?', { stateType: 'Choice' }), []);
    t.onEvent(event('StateEntered', 'Await Gateway Ready'), []);
    t.onEvent(event('StateFailed', 'Await Gateway Ready', { error: 'GatewayNotReadyError', cause: '{"errorMessage":"CREATING"}' }), []);
    t.onEvent(event('StateRetried', 'Await Gateway Ready'), []);
    t.onEvent(event('StateRetried', 'Await Gateway Ready'), []);
    tick(250);
    t.onEvent(event('StateExited', 'Await Gateway Ready'), []);
    expect(changes).toEqual([
      { name: 'Await Gateway Ready', state: 'running', polls: 0 },
      { name: 'Await Gateway Ready', state: 'waiting', polls: 1 },
      { name: 'Await Gateway Ready', state: 'waiting', polls: 2 },
      { name: 'Await Gateway Ready', state: 'done', polls: 2 },
    ]);
    expect(t.lines).toEqual([expect.objectContaining({ name: 'Await Gateway Ready', detail: 'ended after 250 ms', startedAt: 1_000, endedAt: 1_250 })]);
    expect(t.lines[0]!.error).toBeUndefined();
    expect(t.running()).toEqual([]);
  });

  it('names the Map item and the nested execution, and gives a state entered again its own line', () => {
    const { t } = tracker();
    t.onEvent(event('StateEntered', 'Await Gateway Target Ready', { index: 0, input: { target: { name: 'tools-1' } } }), []);
    t.onEvent(event('StateEntered', 'Await Gateway Target Ready', { index: 1, input: { target: { name: 'tools-2' } } }), []);
    t.onEvent(event('StateEntered', 'Await Apply Command'), ['Reconcile Keycloak Realm']);
    t.onEvent(event('StateEntered', 'Observe CIMD Document'), []);
    t.onEvent(event('StateExited', 'Observe CIMD Document'), []);
    t.onEvent(event('StateEntered', 'Observe CIMD Document'), []);
    expect(t.lines.map(stepLabel)).toEqual([
      'Await Gateway Target Ready [tools-1]',
      'Await Gateway Target Ready [tools-2]',
      'Reconcile Keycloak Realm › Await Apply Command',
      'Observe CIMD Document',
      'Observe CIMD Document',
    ]);
    expect(t.running().map(stepLabel)).toEqual(['Await Gateway Target Ready [tools-1]', 'Await Gateway Target Ready [tools-2]', 'Reconcile Keycloak Realm › Await Apply Command', 'Observe CIMD Document']);
  });

  it('remembers which SSM command an Await step polls (its own, not a parallel branch\'s newer one)', () => {
    const { t } = tracker();
    const input = { observeCommand: { commandId: 'cmd-observe' }, applyCommand: { commandId: 'cmd-apply' } };
    t.onEvent(event('StateEntered', 'Await Apply Command', { input }), ['Repair Keycloak Realm']);
    t.onEvent(event('StateEntered', 'Await Observe Command', { input: { observeCommand: input.observeCommand } }), ['Observe Keycloak Realm']);
    t.onEvent(event('StateEntered', 'Ensure Gateway', { input }), []);
    expect(t.lines.map((l) => l.commandId)).toEqual(['cmd-apply', 'cmd-observe', undefined]);
  });

  it('marks the step whose error was caught as failed, stops the others, and reports the innermost failed step', () => {
    const { t } = tracker();
    t.onEvent(event('StateEntered', 'Await Gateway Target Ready', { index: 0, input: { target: { name: 'a' } } }), []);
    t.onEvent(event('StateEntered', 'Await Gateway Target Ready', { index: 1, input: { target: { name: 'b' } } }), []);
    t.onEvent(event('StateFailed', 'Await Gateway Target Ready', { index: 0, error: 'GatewayTargetFailedError', cause: '{"errorType":"GatewayTargetFailedError","errorMessage":"target a is FAILED: unreachable"}' }), []);
    t.onEvent({ type: 'ExecutionFailed', timestamp: 0 } as EventLog, []);
    expect(t.lines.map((l) => [stepLabel(l), l.state])).toEqual([
      ['Await Gateway Target Ready [a]', 'failed'],
      ['Await Gateway Target Ready [b]', 'stopped'],
    ]);
    expect(stepLabel(t.failedStep()!)).toBe('Await Gateway Target Ready [a]');
    expect(errorLine(t.failedStep()!.error!)).toBe('GatewayTargetFailedError: target a is FAILED: unreachable');
  });

  it('keeps a failure that a Catch routed elsewhere as failed, though the state exits', () => {
    const { t } = tracker();
    t.onEvent(event('StateEntered', 'Verify Chain'), []);
    t.onEvent(event('StateFailed', 'Verify Chain', { error: 'ChainVerificationFailedError', cause: '{"errorMessage":"the live chain failed verification (1 check):\\n  FAIL cimd.current [stale]: old"}' }), []);
    t.onEvent(event('StateCaught', 'Verify Chain'), []);
    t.onEvent(event('StateExited', 'Verify Chain'), []);
    expect(t.lines[0]).toMatchObject({ state: 'failed', error: { name: 'ChainVerificationFailedError' } });
    expect(errorLine(t.lines[0]!.error!)).toBe('ChainVerificationFailedError: the live chain failed verification (1 check): FAIL cimd.current [stale]: old');
  });

  it('stops every unfinished step of an aborted execution without calling it failed', () => {
    const { t } = tracker();
    t.onEvent(event('StateEntered', 'Await Gateway Ready'), []);
    t.onEvent(event('StateFailed', 'Await Gateway Ready', { error: 'GatewayNotReadyError', cause: '' }), []);
    t.onEvent({ type: 'ExecutionAborted', timestamp: 0 } as EventLog, []);
    expect(t.lines[0]!.state).toBe('stopped');
    expect(t.failedStep()).toBeUndefined();
  });
});

describe('serviceTimeMs', () => {
  const line = (name: string, startedAt: number, endedAt: number, type: 'Task' | 'Wait' = 'Task') => ({ name, type, startedAt, endedAt }) as StepLine;

  it('multiplies back the waits on the emulated services, counting overlapping waits of parallel targets once', () => {
    const lines = [line('Ensure Gateway', 0, 10), line('Await Gateway Ready', 10, 110), line('Await Gateway Target Ready', 110, 260), line('Await Gateway Target Ready', 150, 300), line('Wait Grace Period', 300, 400, 'Wait'), line('Reconcile Keycloak Realm', 400, 900)];
    // Waits: 100 + (110..300 = 190) + 100 = 390 ms of wall time, 20 times longer against AWS.
    expect(serviceTimeMs(900, lines, 20)).toBe(900 + 19 * 390);
    expect(serviceTimeMs(900, lines, 1)).toBe(900);
  });
});

describe('text helpers', () => {
  it('fit cuts a line to the terminal width, escape sequences taking no columns', () => {
    expect(fit('\u001b[32m✓\u001b[0m abcdefghij', 6)).toBe('\u001b[32m✓\u001b[0m abc\u001b[0m');
    expect(fit('abcdefghij', 6)).toBe('abcde');
    expect(fit('abc', 6)).toBe('abc');
  });

  it('table pads every column but the last to its widest cell', () => {
    expect(table(['a', 'bb'], [['xyz', '1'], ['q', '22']])).toEqual(['a    bb', '───  ──', 'xyz  1', 'q    22']);
  });

  it('fixFor names what to do for the errors a rehearsal shows, and points to the docs otherwise', () => {
    expect(fixFor('GatewayTargetFailedError')).toMatch(/make the MCP server reachable/);
    expect(fixFor('SomethingNew')).toMatch(/docs\/provisioning\.md/);
  });
});

describe('keygate rehearse: unusable input changes nothing', () => {
  it.each([
    [['--speed', '0'], /--speed must be a number from 1 .* not "0"/],
    [['--speed', 'fast'], /--speed must be a number/],
    [['--fault', 'meteor'], /--fault must be one of target-failed, gateway-failed, not "meteor"/],
    [['--config', 'missing.yaml'], /cannot read missing\.yaml: no such file/],
  ])('%j exits 2 with the reason, before starting anything', async (args, message) => {
    const out = await runCli(['rehearse', ...args]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stdout).toBe('');
  });
});

describe('keygate rehearse --fault', () => {
  // Names every object inherits are no fault. The missing --config keeps a regression quick: a fault
  // wrongly accepted ends at the config (exit 2, another message) instead of running a rehearsal.
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('refuses "%s" (inherited, not a fault) with exit 2', async (name) => {
    const out = await runCli(['rehearse', '--fault', name, '--config', 'missing.yaml']);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`keygate rehearse: --fault must be one of target-failed, gateway-failed, not "${name}"\n`);
    expect(out.stdout).toBe('');
  });
});
