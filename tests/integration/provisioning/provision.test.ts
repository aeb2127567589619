import { seedRaw } from '../../support/seed';
import { startWorld, type World } from '../../support/provisioning';

describe('provision.asl.json against the AgentCore emulator', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world.close());

  it('creates the gateway, waits for READY, then creates the target and waits for it', async () => {
    // Act
    const run = await world.provision();
    // Assess
    expect(run.cause).toBeUndefined();
    expect(run.status).toBe('SUCCEEDED');
    console.log(JSON.stringify(run.output, null, 1), run.transitions, world.emulator.calls.map((c) => `${c.op} ${c.status}`));
  });
});
