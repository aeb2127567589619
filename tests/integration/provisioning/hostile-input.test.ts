import { enteredStates, startWorld, type World } from '../../support/provisioning';
import { HOSTILE_INPUTS } from '../../support/hostile-inputs';
import { seedRaw } from '../../support/seed';

// Every hostile input (tests/support/hostile-inputs.ts) is refused before any change: provisioning,
// started with it as its execution input, stops at Load Desired State with DesiredStateInvalidError
// naming the rule and the field, and no service has been asked to change anything (no AgentCore call
// at all, no SSM command, no Keycloak write, no file on the host).

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

describe('hostile inputs are refused before any change', () => {
  it.each(HOSTILE_INPUTS.map((h) => [h.name, h] as const))('%s', async (_, h) => {
    // Prepare
    const raw = seedRaw();
    h.edit(raw);
    // Act
    const run = await world.provision(raw);
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'DesiredStateInvalidError' });
    expect(run.cause).toContain(`[${h.rule}]`);
    expect(run.cause).toContain(h.path);
    expect(run.cause).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(run.cause).not.toContain('hunter2');
    expect(enteredStates(run)).toEqual(['Guard Provisioning Run', 'Clear To Provision?', 'Load Desired State', 'Provisioning Failed']);
  });

  it('changed nothing anywhere: no AgentCore call, no SSM command, no Keycloak write, nothing on the host', () => {
    expect(world.emulator.callLog()).toEqual([]);
    expect(world.local.ssm.calls.filter((c) => c.operation === 'SendCommand')).toEqual([]);
    expect(world.local.keycloak.writes()).toEqual([]);
    expect(world.local.keycloak.realm('mcp-demo')).toBeUndefined();
  });
});
