import { KEYGATE_HANDLERS } from '../../../emulators/stepfunctions/handlers';
import type { LambdaHandler } from '../../../emulators/stepfunctions';
import { startWorld, type World } from '../../support/provisioning';

// Two provisioning runs at once: the deploy event is delivered at least once (ssm-and-events.md §6),
// and a deploy can land while a run started by hand is going. CreateGateway's clientToken includes
// the execution id, so the two creates are different requests for one name: one of them loses.

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
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    return handler(...args);
  }) as LambdaHandler;
}

describe('two provisioning runs at once', () => {
  it('the run that loses the CreateGateway race looks the name up again and continues with the gateway the other created', async () => {
    // Prepare
    const handlers = { ...KEYGATE_HANDLERS, EnsureGatewayFunctionArn: together(KEYGATE_HANDLERS.EnsureGatewayFunctionArn!, 2) };
    // Act
    const runs = await Promise.all([world.provision(undefined, { handlers }), world.provision(undefined, { handlers })]);
    // Assess: the race happened (one CreateGateway answered 409), one gateway exists, both runs ensured it.
    const creates = world.emulator.callLog({ op: 'CreateGateway' });
    expect(creates.map((c) => c.status).sort()).toEqual([202, 409]);
    expect(creates.find((c) => c.status === 409)!.errorType).toBe('ConflictException');
    const gateways = world.emulator.state().gateways;
    expect(gateways).toHaveLength(1);
    const ensured = runs.map((run) => run.events.find((e) => e.type === 'StateExited' && e.state?.name === 'Ensure Gateway')?.state as { output?: { gateway?: { gatewayId?: string; action?: string } } } | undefined);
    expect(ensured.map((s) => s?.output?.gateway?.gatewayId)).toEqual([gateways[0]!.gatewayId, gateways[0]!.gatewayId]);
    expect(ensured.map((s) => s?.output?.gateway?.action).sort()).toEqual(['created', 'unchanged']);
    for (const run of runs) expect(run.events.filter((e) => e.type === 'StateFailed' && e.state?.name === 'Ensure Gateway').map((e) => e.Error)).toEqual([]);
    // Later steps race on their own (targets, the Keycloak realm): not this test's subject. Whatever
    // they did, no run failed at the gateway.
    for (const run of runs) expect(run.cause ?? '').not.toMatch(/A gateway named/);
  });
});
