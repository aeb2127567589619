import { HOST_COMMAND_BUDGET_MS } from '../../../functions/adapters/cimd/host-destination';
import { DELIVERY_TIMEOUT_SECONDS } from '../../../functions/adapters/ssm/command-runner';
import { MAX_READY_TIMEOUT_SECONDS } from '../../../functions/core/desired/gateway';
import { loadTemplate } from '../../../scripts/template';
import { loadAsl, scopesOf } from '../../support/asl';
import { ROOT } from '../../support/paths';

type Retrier = { ErrorEquals: string[]; IntervalSeconds: number; BackoffRate: number; MaxDelaySeconds?: number; MaxAttempts: number; JitterStrategy?: string };

/** Seconds a retrier waits in total before giving up (no jitter): sum of min(cap, interval × rate^n). */
function retryBudget(r: Omit<Retrier, 'ErrorEquals'>): number {
  let total = 0;
  for (let n = 0; n < r.MaxAttempts; n++) total += Math.min(r.MaxDelaySeconds ?? Infinity, r.IntervalSeconds * r.BackoffRate ** n);
  return total;
}

/**
 * The wait a retrier guarantees: with JitterStrategy FULL each delay is drawn from [0, delay]
 * (Step Functions, "Retrying after an error"), so nothing is guaranteed; without jitter, the sum.
 * A wait that must outlast a timeout therefore runs without jitter.
 */
const guaranteedWait = (r: Retrier): number => (r.JitterStrategy === 'FULL' ? 0 : retryBudget(r));

/** The retrier of `state` (anywhere in the file) that handles `error`. */
function retrierOf(file: string, state: string, error: string): Retrier {
  const found = scopesOf(file).flatMap((s) => (s.states[state]?.Retry ?? []) as Retrier[]).filter((r) => r.ErrorEquals.includes(error));
  if (found.length !== 1) throw new Error(`${file} > ${state}: ${found.length} retriers for ${error}`);
  return found[0]!;
}

const template = loadTemplate(ROOT);
/** The Command document's execution timeout (its one step's timeoutSeconds). */
const EXECUTION_TIMEOUT_SECONDS = Number((template.Resources.KeycloakCommandDocument!.Properties!.Content as { mainSteps: Array<{ inputs: { timeoutSeconds: string } }> }).mainSteps[0]!.inputs.timeoutSeconds);
/** Slack for the agent to report a finished command and for GetCommandInvocation to see it. */
const REPORTING_MARGIN_SECONDS = 60;

const readinessRetriers = (file: string) =>
  scopesOf(file).flatMap((s) =>
    Object.entries(s.states)
      .filter(([name]) => name.startsWith('Await '))
      .flatMap(([name, st]) => (st.Retry ?? []).filter((r: { ErrorEquals: string[] }) => r.ErrorEquals.some((e) => /NotReady|Pending/.test(e))).map((r: never) => [name, r] as const)),
  );

describe('bounded waits', () => {
  it.each(['provision.asl.json', 'teardown.asl.json'])('%s: every await polls from a few seconds, backs off to about 30 s, without jitter', (file) => {
    const retriers = readinessRetriers(file);
    expect(retriers.length).toBeGreaterThan(0);
    for (const [, r] of retriers) {
      expect(r).toMatchObject({ MaxDelaySeconds: 30, JitterStrategy: 'NONE' });
      expect((r as { IntervalSeconds: number }).IntervalSeconds).toBeLessThanOrEqual(5);
      expect((r as { BackoffRate: number }).BackoffRate).toBeGreaterThan(1);
    }
  });

  it('the READY waits outlast the largest readyTimeoutSeconds a document may set, so the deadline (not the retry count) ends them', () => {
    const awaits = readinessRetriers('provision.asl.json').filter(([name]) => name === 'Await Gateway Ready' || name === 'Await Gateway Target Ready');
    expect(awaits.map(([name]) => name).sort()).toEqual(['Await Gateway Ready', 'Await Gateway Target Ready']);
    for (const [, r] of awaits) expect(retryBudget(r as never)).toBeGreaterThanOrEqual(MAX_READY_TIMEOUT_SECONDS);
  });

  it('the Map over targets runs at most 5 target operations at once', () => {
    for (const file of ['provision.asl.json', 'teardown.asl.json']) {
      const maps = Object.values(loadAsl(file).States).filter((s) => s.Type === 'Map');
      expect(maps.length).toBe(1);
      for (const m of maps) expect(m.MaxConcurrency).toBeLessThanOrEqual(5);
    }
  });

  it('provision starts with its run guard, then "Load Desired State", and keeps the join points in order after the targets', () => {
    const def = loadAsl('provision.asl.json');
    expect(def.StartAt).toBe('Guard Provisioning Run');
    expect(def.States[def.States['Guard Provisioning Run']!.Next!]!.Default).toBe('Load Desired State');
    const order: string[] = [];
    // A Choice is followed along its Default (the CIMD destination: the host publisher, or skipped).
    for (let name: string | undefined = 'Apply Resource Policy'; name; name = def.States[name]?.Next ?? def.States[name]?.Default) order.push(name);
    expect(order).toEqual(['Apply Resource Policy', 'Reconcile Keycloak Realm', 'CIMD Destination?', 'Publish CIMD Document', 'Verify Chain', 'Confirm Still Ready', 'Provisioning Succeeded']);
    // The S3 destination's publisher joins the same path.
    expect(def.States['CIMD Destination?']!.Choices).toEqual([{ Variable: '$.loaded.cimdDestination', StringEquals: 's3', Next: 'Publish CIMD To S3' }]);
    expect(def.States['Publish CIMD To S3']).toMatchObject({ Resource: '${PublishCimdToS3FunctionArn}', ResultPath: '$.cimd', Next: 'Verify Chain' });
    // Each step is either still a join point (a Pass), the destination's Choice, or the Task that joined there.
    for (const name of order.slice(0, 6)) {
      const state = def.States[name]!;
      if (state.Type === 'Choice') expect(name).toBe('CIMD Destination?');
      else if (state.Type === 'Pass') expect(state.Comment).toContain('JOIN POINT');
      else if (state.Resource === 'arn:aws:states:::states:startExecution.sync:2') expect(state.Parameters.StateMachineArn).toMatch(/^\$\{\w+StateMachineArn\}$/);
      else expect(state).toMatchObject({ Type: 'Task', Resource: expect.stringMatching(/^\$\{\w+FunctionArn\}$/) });
    }
  });
});

// What each wait must outlast, and the arithmetic (docs/provisioning.md "Wait budgets" repeats it):
//
// - The realm command (reconcile-realm "Await Observe/Apply Command", also drift's dry run, which is
//   that machine): SSM lets a command wait DELIVERY_TIMEOUT_SECONDS (120 s, SendCommand TimeoutSeconds)
//   to start and then run the document's timeoutSeconds (600 s), so its result can take 720 s, plus a
//   60 s reporting margin: 780 s. Polls at 2 s ×1.5 capped at 15 s, no jitter: 2 + 3 + 4.5 + 6.75 +
//   10.125 = 26.375 s for the first five, then 15 s each, so 56 polls wait 26.375 + 51 × 15 = 791.4 s.
//   (Before: 55 polls with FULL jitter guaranteed 0 s and averaged about half of 776 s.)
// - READY (provisioning and drift repair): 1 s ×1.08 capped at 30 s, 95 polls = 1,886 s ≥ the largest
//   readyTimeoutSeconds (1,800 s); the function's deadline ends the wait first.
// - Teardown waiting for a target still CREATING before deleting it: as long as provisioning may wait
//   for it, 1,800 s: 5 s ×1.2 capped at 30 s, 70 polls = 129.8 + 60 × 30 = 1,929.8 s.
// - The CIMD host file (Publish/Observe/Repair CIMD Document): the function itself polls each command
//   for HOST_COMMAND_BUDGET_MS (40 s; at least 38 s, as its last poll delay is 2 s), and the Retry sends
//   the program again 3 times after 10 + 20 + 40 s: 4 × 38 + 70 = 222 s ≥ delivery 120 s + 60 s margin
//   (the program itself is a file write of milliseconds). Observe + publish (2 × 40 s) fit the
//   function's 120 s timeout.
describe('waits outlast what they wait for', () => {
  it('the realm command\'s result wait outlasts SSM delivery + the document\'s execution timeout + margin, without jitter', () => {
    const needed = DELIVERY_TIMEOUT_SECONDS + EXECUTION_TIMEOUT_SECONDS + REPORTING_MARGIN_SECONDS;
    expect(EXECUTION_TIMEOUT_SECONDS).toBe(600);
    for (const state of ['Await Observe Command', 'Await Apply Command']) {
      const r = retrierOf('reconcile-realm.asl.json', state, 'SsmCommandPendingError');
      expect([state, r.JitterStrategy]).toEqual([state, 'NONE']);
      expect(guaranteedWait(r)).toBeGreaterThanOrEqual(needed);
      expect(guaranteedWait(r)).toBeCloseTo(791.375, 3);
    }
  });

  it.each([
    ['provision.asl.json', 'Await Gateway Ready', 'GatewayNotReadyError'],
    ['provision.asl.json', 'Await Gateway Target Ready', 'GatewayTargetNotReadyError'],
    ['drift.asl.json', 'Await Repaired Gateway Ready', 'GatewayNotReadyError'],
    ['drift.asl.json', 'Await Repaired Gateway Target Ready', 'GatewayTargetNotReadyError'],
    ['teardown.asl.json', 'Delete Gateway Target', 'GatewayTargetNotReadyError'],
  ])('%s > %s outlasts the largest readyTimeoutSeconds', (file, state, error) => {
    expect(guaranteedWait(retrierOf(file, state, error))).toBeGreaterThanOrEqual(MAX_READY_TIMEOUT_SECONDS);
  });

  it.each([
    ['provision.asl.json', 'Publish CIMD Document'],
    ['drift.asl.json', 'Observe CIMD Document'],
    ['drift.asl.json', 'Repair CIMD Document'],
  ])('%s > %s: its function\'s own polls plus the Retry outlast SSM delivery + margin', (file, state) => {
    const r = retrierOf(file, state, 'SsmCommandPendingError');
    const perAttempt = HOST_COMMAND_BUDGET_MS / 1000 - 2;
    expect((r.MaxAttempts + 1) * perAttempt + guaranteedWait(r)).toBeGreaterThanOrEqual(DELIVERY_TIMEOUT_SECONDS + REPORTING_MARGIN_SECONDS);
  });

  it('the CIMD function waits for its two commands within its own timeout', () => {
    const timeout = template.Resources.PublishCimdDocumentFunction!.Properties!.Timeout as number;
    expect(2 * (HOST_COMMAND_BUDGET_MS / 1000) + 10).toBeLessThanOrEqual(timeout);
  });

  it('a FULL-jitter retrier guarantees no wait at all: the arithmetic above counts only NONE', () => {
    expect(guaranteedWait({ ErrorEquals: ['X'], IntervalSeconds: 2, BackoffRate: 1.5, MaxDelaySeconds: 15, MaxAttempts: 55, JitterStrategy: 'FULL' })).toBe(0);
    expect(retryBudget({ IntervalSeconds: 2, BackoffRate: 1.5, MaxDelaySeconds: 15, MaxAttempts: 55 })).toBeCloseTo(776.375, 3);
  });
});
