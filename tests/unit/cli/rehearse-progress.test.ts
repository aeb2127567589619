import type { EventLog } from '../../../emulators/stepfunctions';
import { awsTimeModel, awsTimeMs, pollTimesMs } from '../../../cli/rehearse/aws-time';
import { errorLine, StepTracker, stepLabel, type StepLine } from '../../../cli/rehearse/progress';
import { table } from '../../../cli/rehearse/render';
import { explain, fixFor } from '../../../cli/rehearse/scenario';
import { GatewayTargetFailedError } from '../../../functions/core/errors';
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

  it('a sibling that was still polling (its last failure retried) is stopped, not failed, when another branch fails the Map', () => {
    const { t } = tracker();
    t.onEvent(event('StateEntered', 'Await Gateway Target Ready', { index: 0, input: { target: { name: 'a' } } }), []);
    t.onEvent(event('StateEntered', 'Await Gateway Target Ready', { index: 1, input: { target: { name: 'b' } } }), []);
    t.onEvent(event('StateFailed', 'Await Gateway Target Ready', { index: 1, error: 'GatewayTargetNotReadyError', cause: '{"errorMessage":"target b is CREATING"}' }), []);
    t.onEvent(event('StateRetried', 'Await Gateway Target Ready', { index: 1 }), []);
    t.onEvent(event('StateFailed', 'Await Gateway Target Ready', { index: 0, error: 'GatewayTargetFailedError', cause: '{"errorMessage":"target a is FAILED"}' }), []);
    // b's next poll fails not-ready too, and the execution ends before its retry.
    t.onEvent(event('StateFailed', 'Await Gateway Target Ready', { index: 1, error: 'GatewayTargetNotReadyError', cause: '{"errorMessage":"target b is CREATING"}' }), []);
    t.onEvent({ type: 'ExecutionFailed', timestamp: 0, Error: 'GatewayTargetFailedError' } as unknown as EventLog, []);
    expect(t.lines.map((l) => [stepLabel(l), l.state])).toEqual([
      ['Await Gateway Target Ready [a]', 'failed'],
      ['Await Gateway Target Ready [b]', 'stopped'],
    ]);
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

describe('the "against AWS" time (aws-time.ts)', () => {
  const line = (name: string, startedAt: number, endedAt: number, extra: Partial<StepLine> = {}) => ({ name, type: 'Task', execution: 'provision', path: [], startedAt, endedAt, polls: 0, key: `${name}${startedAt}`, state: 'done', ...extra }) as StepLine;
  /** A world that ran `speed` times faster: every service wait takes 1/speed of its modeled time, the local work (10 ms steps) the same. */
  const run = (speed: number) => {
    const w = (ms: number) => ms / speed;
    let t = 0;
    const at = (d: number) => (t += d);
    const lines = [line('Ensure Gateway', t, at(10))];
    lines.push(line('Await Gateway Ready', t, at(w(21_500) + 5)));
    lines.push(line('Ensure Gateway Target', t, at(10), { item: 'a' }));
    const b = line('Ensure Gateway Target', t - 5, t + 3, { item: 'b' });
    lines.push(b, line('Await Gateway Target Ready', t, t + w(32_000) + 7, { item: 'a' }), line('Await Gateway Target Ready', t + 3, t + 3 + w(32_000) + 5, { item: 'b' }));
    at(w(32_000) + 8);
    lines.push(line('Wait Grace Period', t, at(w(300_000)), { type: 'Wait' }), line('Reconcile Keycloak Realm', t, at(500)));
    const modeled: Record<string, number> = { 'Await Gateway Ready': 21_500, 'Await Gateway Target Ready': 32_000, 'Wait Grace Period': 300_000 };
    return awsTimeMs({ startedAt: 0, endedAt: t }, lines, { waitMs: (l) => modeled[l.name] });
  };

  it('is the same at any speed: modeled waits, local work as it took, parallel waits counted once', () => {
    // 10 ensure + 21.5 s + 10 ensure + 32 s (two targets at once, 3 ms apart) + 300 s + 500 ms of local work
    expect(run(20)).toBe(run(2000));
    // At speed 1 the wall clock runs ahead of the model by the polls' own milliseconds, no more.
    expect(Math.abs(run(1) - run(20))).toBeLessThan(30);
    expect(run(20)).toBeGreaterThanOrEqual(10 + 21_500 + 10 + 32_000 + 300_000 + 500);
    expect(run(20)).toBeLessThan(10 + 21_500 + 10 + 32_000 + 300_000 + 500 + 30);
  });

  it("a wait that starts when another ended (a Map's second wave) starts after it in AWS time too", () => {
    const lines = [line('Await Gateway Target Ready', 0, 10, { item: 'a' }), line('Await Gateway Target Ready', 10, 20, { item: 'b' })];
    expect(awsTimeMs({ startedAt: 0, endedAt: 20 }, lines, { waitMs: () => 30_000 })).toBe(60_000);
  });

  it("a Delete step is not modeled with its own deletion, though it landed before the step's end was seen (a loaded machine)", () => {
    // Teardown at high speed: the target's deletion (12 s at speed 1) lands 30 ms after DeleteGatewayTarget, before the
    // Delete step's end is recorded; Await Gateway Target Deleted waits for it.
    const landing = { kind: 'target' as const, gatewayName: 'gw', targetName: 'a', to: 'DELETED', requestedAt: 105, at: 135, serviceMs: 12_000 };
    const model = awsTimeModel(() => [landing], 'gw', {});
    const teardown = (name: string, startedAt: number, endedAt: number) => line(name, startedAt, endedAt, { execution: 'teardown', item: 'a' });
    expect(model.waitMs(teardown('Delete Gateway Target', 100, 150))).toBeUndefined();
    // Its Retry (statemachine/teardown.asl.json): 2 s, backing off ×1.1: the poll at 12.2 s sees it.
    const polls = pollTimesMs({ ErrorEquals: ['GatewayDeletionPendingError'], IntervalSeconds: 2, MaxAttempts: 60, BackoffRate: 1.1, MaxDelaySeconds: 30, JitterStrategy: 'NONE' });
    expect(model.waitMs(teardown('Await Gateway Target Deleted', 150, 160))).toBe(polls.find((t) => t >= 12_000));
  });

  it('a step waited for operations requested before it began, not for the one its own call started', () => {
    const landing = (to: string, requestedAt: number, at: number) => ({ kind: 'gateway' as const, gatewayName: 'g', to, requestedAt, at, serviceMs: 10_000 });
    // Delete Gateway (started at 100) asked for the deletion, which landed at 103, before the step ended.
    const model = awsTimeModel(() => [landing('READY', 0, 50), landing('DELETED', 101, 103)], 'g', {}, 0);
    const teardown = (name: string, startedAt: number, endedAt: number) => line(name, startedAt, endedAt, { execution: 'teardown' });
    // With an earlier operation (requested at 0) it is that one's wait, rounded up to a poll.
    expect(model.waitMs(teardown('Delete Gateway', 100, 110))).toBeGreaterThanOrEqual(10_000);
    expect(awsTimeModel(() => [landing('DELETED', 101, 103)], 'g', {}, 0).waitMs(teardown('Delete Gateway', 100, 110))).toBeUndefined();
    expect(model.waitMs(teardown('Await Gateway Deleted', 110, 120))).toBeGreaterThanOrEqual(10_000);
  });

  it('the polls of a Retry: the first at once, then each interval grown by the backoff, capped, halved for FULL jitter', () => {
    expect(pollTimesMs({ ErrorEquals: ['X'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 })).toEqual([0, 1000, 3000, 7000]);
    expect(pollTimesMs({ ErrorEquals: ['X'], IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 3, MaxDelaySeconds: 15 })).toEqual([0, 10_000, 25_000, 40_000]);
    expect(pollTimesMs({ ErrorEquals: ['X'], IntervalSeconds: 4, BackoffRate: 1, MaxAttempts: 2, JitterStrategy: 'FULL' })).toEqual([0, 2000, 4000]);
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
    expect(fixFor('GatewayWaitTimeoutError')).toMatch(/readyTimeoutSeconds/);
    expect(fixFor('SomethingNew')).toMatch(/docs\/provisioning\.md/);
  });

  it("explain says the fix once: the advice a FAILED target's message ends with becomes the fix line", () => {
    const cause = new GatewayTargetFailedError('tickets', 'T1', 'FAILED', ['connection timed out']).message;
    const { why, fix } = explain('GatewayTargetFailedError', cause);
    expect(why).toBe('target tickets (T1) is FAILED: connection timed out.');
    expect(fix).toMatch(/^An MCP server target usually fails because/);
    expect(`${why}\n${fix}`.match(/run provisioning again/g)).toHaveLength(1);
  });

  it("explain: MCP checks that failed in a rehearsal are the emulator's answers, not the user's servers", () => {
    const cause = 'the live chain failed verification (1 check):\n  FAIL mcp.call.tickets___add_numbers [tool-call-error]: tickets___add_numbers({"x":1}) returned an error result Fix: check the MCP server behind the target';
    const { why, fix } = explain('ChainVerificationFailedError', cause);
    expect(why).not.toContain('check the MCP server behind the target');
    expect(why).toContain("[the rehearsal's emulated MCP server answered: a limit of the emulator, not of your server]");
    expect(fix).toMatch(/^the MCP checks ran against keygate's emulated MCP servers, not yours/);
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
