import type { RunningExecution } from '../../../../functions/core/drift/guard';
import { decideProvisioning } from '../../../../functions/core/gateway/provision-guard';

const T0 = '2026-11-22T10:00:00.000Z';
const T1 = '2026-11-22T10:00:01.000Z';
const run = (name: string, startDate: string | null, stateMachine = 'keygate-ProvisionStateMachine'): RunningExecution => ({ stateMachine, name, startDate });

describe('decideProvisioning (the provisioning run guard)', () => {
  it('proceeds when no other run is listed (only itself, or nothing yet: ListExecutions lags)', () => {
    expect(decideProvisioning({ self: { name: 'b', startTime: T1 }, provisioning: [run('b', T1)], teardown: [] })).toEqual({ outcome: 'proceed' });
    expect(decideProvisioning({ self: { name: 'b', startTime: T1 }, provisioning: [], teardown: [] })).toEqual({ outcome: 'proceed' });
  });

  it('the newer run yields to the older one, naming it', () => {
    const decision = decideProvisioning({ self: { name: 'b', startTime: T1 }, provisioning: [run('b', T1), run('a', T0)], teardown: [] });
    expect(decision).toEqual({ outcome: 'skipped', reason: `provisioning already running: a (started ${T0})`, yieldedTo: run('a', T0) });
  });

  it('the older run proceeds while a newer one is listed', () => {
    expect(decideProvisioning({ self: { name: 'a', startTime: T0 }, provisioning: [run('b', T1), run('a', T0)], teardown: [] })).toEqual({ outcome: 'proceed' });
  });

  it('on the same start time the smaller name goes first, and both runs agree', () => {
    const listed = [run('run-2', T0), run('run-1', T0)];
    expect(decideProvisioning({ self: { name: 'run-1', startTime: T0 }, provisioning: listed, teardown: [] }).outcome).toBe('proceed');
    expect(decideProvisioning({ self: { name: 'run-2', startTime: T0 }, provisioning: listed, teardown: [] })).toMatchObject({ outcome: 'skipped', yieldedTo: { name: 'run-1' } });
  });

  it('yields to the oldest of several older runs', () => {
    const decision = decideProvisioning({ self: { name: 'c', startTime: '2026-11-22T10:00:02.000Z' }, provisioning: [run('b', T1), run('a', T0)], teardown: [] });
    expect(decision).toMatchObject({ outcome: 'skipped', yieldedTo: { name: 'a' } });
  });

  it('uses its listed start time over the context one (one clock), and never yields to a run of unknown start', () => {
    // Listed: self started at T0, before b (T1), although the context says later.
    expect(decideProvisioning({ self: { name: 'a', startTime: '2026-11-22T10:00:05.000Z' }, provisioning: [run('a', T0), run('b', T1)], teardown: [] }).outcome).toBe('proceed');
    expect(decideProvisioning({ self: { name: 'b', startTime: T1 }, provisioning: [run('x', null)], teardown: [] }).outcome).toBe('proceed');
  });

  it('skips while a teardown of the stack runs, whatever the provisioning runs', () => {
    const teardown = run('teardown-1', T1, 'keygate-TeardownStateMachine');
    const decision = decideProvisioning({ self: { name: 'a', startTime: T0 }, provisioning: [run('a', T0)], teardown: [teardown] });
    expect(decision).toEqual({ outcome: 'skipped', reason: `teardown running: teardown-1 (started ${T1})`, yieldedTo: teardown });
  });
});
