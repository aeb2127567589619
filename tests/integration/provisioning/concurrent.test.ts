import { KEYGATE_HANDLERS } from '../../../emulators/stepfunctions/handlers';
import type { LambdaHandler } from '../../../emulators/stepfunctions';
import { startWorld, type World } from '../../support/provisioning';

// Two provisioning runs at once: the deploy event is delivered at least once (ssm-and-events.md §6),
// and a deploy can land while a run started by hand is going. The first step, Guard Provisioning Run,
// lets the older run do the work and ends the newer one (outcome: skipped).

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

/** The handler, held until `parties` invocations have arrived, so that both runs observe before either creates. */
function together(handler: LambdaHandler, parties: number): LambdaHandler {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return (async (...args: never[]) => {
    if (++arrived <= parties) {
      if (arrived === parties) release();
      // A bound, in case the other party never comes; cleared (not left to fire) once both are here.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
    }
    return handler(...args);
  }) as LambdaHandler;
}

const realmCreates = () => world.local.keycloak.callLog.filter((c) => c.method === 'POST' && c.path === '/admin/realms');

describe('two provisioning runs at once', () => {
  it('the older run does the work; the newer one ends "skipped", naming it, and nothing races', async () => {
    // Prepare
    const before = { gateways: world.emulator.callLog({ op: 'CreateGateway' }).length, targets: world.emulator.callLog({ op: 'CreateGatewayTarget' }).length, realms: realmCreates().length };
    // Act: both listed RUNNING before either guard looks (the world registers an execution as it starts it).
    const runs = await Promise.all([world.provision(undefined, { executionName: 'deploy-event-1' }), world.provision(undefined, { executionName: 'deploy-event-2' })]);
    // Assess: no failed execution; one did the work, the other yielded to it.
    expect(runs.map((r) => [r.status, r.cause])).toEqual([['SUCCEEDED', undefined], ['SUCCEEDED', undefined]]);
    const worker = runs.findIndex((r) => (r.output as { gatewayId?: string }).gatewayId);
    const skipped = runs[1 - worker]!;
    const workerName = ['deploy-event-1', 'deploy-event-2'][worker]!;
    const workerStart = world.local.stepfunctions.executions().find((e) => e.name === workerName)!.startDate;
    expect(skipped.output).toEqual({
      outcome: 'skipped',
      reason: `provisioning already running: ${workerName} (started ${new Date(workerStart).toISOString()})`,
      yieldedTo: { stateMachine: 'keygate-local-ProvisionStateMachine', name: workerName, startDate: new Date(workerStart).toISOString() },
    });
    expect(skipped.invocations).toEqual({ 'Guard Provisioning Run': 1 });
    expect(runs[worker]!.invocations['Guard Provisioning Run']).toBe(1);
    // Exactly one create of each: the gateway, its one target, the realm.
    expect(world.emulator.callLog({ op: 'CreateGateway' }).slice(before.gateways).map((c) => c.status)).toEqual([202]);
    expect(world.emulator.callLog({ op: 'CreateGatewayTarget' }).slice(before.targets).map((c) => c.status)).toEqual([202]);
    expect(realmCreates().slice(before.realms).map((c) => c.status)).toEqual([201]);
    expect(world.emulator.state().gateways).toHaveLength(1);
  });

  it('a provisioning run started during a teardown of the stack skips, naming the teardown', async () => {
    // Prepare: a teardown listed RUNNING (as the service would list it).
    const teardown = world.local.stepfunctions.startExecution(world.local.stateMachineArn('teardown'), 'operator-teardown');
    // Act
    const run = await world.provision(undefined, { executionName: 'deploy-during-teardown' }).finally(() => world.local.stepfunctions.stopExecution(teardown.executionArn, 'SUCCEEDED'));
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^teardown running: operator-teardown \(started /) });
    expect(run.invocations).toEqual({ 'Guard Provisioning Run': 1 });
  });

  it('when ListExecutions has not listed the other run yet, the run that loses the CreateGateway race looks the name up again and continues', async () => {
    // Prepare: ListExecutions is eventually consistent (functions/adapters/stepfunctions/executions.ts):
    // here each guard asks about a state machine with no other run, as if the sibling were not listed yet.
    await world.teardown();
    const blind = world.local.stepfunctions.stateMachineArn('keygate-local-NotListedYet');
    const guard = KEYGATE_HANDLERS.GuardProvisioningRunFunctionArn! as unknown as (event: Record<string, unknown>, context: unknown) => Promise<unknown>;
    const handlers = {
      ...KEYGATE_HANDLERS,
      GuardProvisioningRunFunctionArn: ((event: Record<string, unknown>, context: unknown) => guard({ ...event, stateMachineArn: blind }, context)) as unknown as LambdaHandler,
      EnsureGatewayFunctionArn: together(KEYGATE_HANDLERS.EnsureGatewayFunctionArn!, 2),
    };
    const before = world.emulator.callLog({ op: 'CreateGateway' }).length;
    // Act
    const runs = await Promise.all([world.provision(undefined, { handlers }), world.provision(undefined, { handlers })]);
    // Assess: the race happened (one CreateGateway answered 409), one gateway exists, both runs ensured it.
    const creates = world.emulator.callLog({ op: 'CreateGateway' }).slice(before);
    expect(creates.map((c) => c.status).sort()).toEqual([202, 409]);
    expect(creates.find((c) => c.status === 409)!.errorType).toBe('ConflictException');
    const gateways = world.emulator.state().gateways;
    expect(gateways).toHaveLength(1);
    const ensured = runs.map((run) => run.events.find((e) => e.type === 'StateExited' && e.state?.name === 'Ensure Gateway')?.state as { output?: { gateway?: { gatewayId?: string; action?: string } } } | undefined);
    expect(ensured.map((s) => s?.output?.gateway?.gatewayId)).toEqual([gateways[0]!.gatewayId, gateways[0]!.gatewayId]);
    expect(ensured.map((s) => s?.output?.gateway?.action).sort()).toEqual(['created', 'unchanged']);
    for (const run of runs) expect(run.events.filter((e) => e.type === 'StateFailed' && e.state?.name === 'Ensure Gateway').map((e) => e.Error)).toEqual([]);
    // Later steps race on their own (targets, the Keycloak realm): the guard is what prevents that.
    for (const run of runs) expect(run.cause ?? '').not.toMatch(/A gateway named/);
  });
});
