import { MAX_READY_TIMEOUT_SECONDS } from '../../../functions/core/desired/gateway';
import { loadAsl, scopesOf } from '../../support/asl';

/** Seconds a retrier waits in total before giving up (no jitter): sum of min(cap, interval × rate^n). */
function retryBudget(r: { IntervalSeconds: number; BackoffRate: number; MaxDelaySeconds: number; MaxAttempts: number }): number {
  let total = 0;
  for (let n = 0; n < r.MaxAttempts; n++) total += Math.min(r.MaxDelaySeconds, r.IntervalSeconds * r.BackoffRate ** n);
  return total;
}

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

  it('provision keeps "Load Desired State" first and the join points in order after the targets', () => {
    const def = loadAsl('provision.asl.json');
    expect(def.StartAt).toBe('Load Desired State');
    const order: string[] = [];
    for (let name: string | undefined = 'Apply Resource Policy'; name; name = def.States[name]?.Next) order.push(name);
    expect(order).toEqual(['Apply Resource Policy', 'Reconcile Keycloak Realm', 'Publish CIMD Document', 'Verify Chain', 'Provisioning Succeeded']);
    // Each step is either still a join point (a Pass) or the Task that joined there.
    for (const name of order.slice(0, 4)) {
      const state = def.States[name]!;
      if (state.Type === 'Pass') expect(state.Comment).toContain('JOIN POINT');
      else if (state.Resource === 'arn:aws:states:::states:startExecution.sync:2') expect(state.Parameters.StateMachineArn).toMatch(/^\$\{\w+StateMachineArn\}$/);
      else expect(state).toMatchObject({ Type: 'Task', Resource: expect.stringMatching(/^\$\{\w+FunctionArn\}$/) });
    }
  });
});
