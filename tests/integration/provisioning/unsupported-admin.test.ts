import { startWorld, type LocalWorld } from '../../../emulators/world';
import { seedRaw } from '../../support/seed';
import { SPEED } from '../../support/provisioning';

// The local world runs a document as written: a `keycloak.admin.kcadm` section is not removed, so
// the first step refuses the document (as in AWS) before any gateway exists.
describe('the local world with keycloak.admin.kcadm', () => {
  let world: LocalWorld;
  beforeAll(async () => {
    const document = seedRaw();
    delete document.keycloak.admin.url;
    document.keycloak.admin.kcadm = { container: 'keycloak' };
    world = await startWorld({ document, speed: SPEED });
  });
  afterAll(async () => world.close());

  it('keeps the kcadm section in the document it runs', () => {
    expect(world.document.keycloak.admin.kcadm).toEqual({ container: 'keycloak' });
  });

  it('provisioning fails at Load Desired State naming the rule, and nothing is created', async () => {
    // Act
    const run = await world.run('provision');
    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('DesiredStateInvalidError');
    expect(run.cause).toMatch(/keycloak\.admin\.kcadm: is not supported yet.*\[kcadm-unsupported\]/);
    expect(world.agentcore.callLog({ mutating: true })).toEqual([]);
    expect(world.ssm.invocations.size).toBe(0);
  });
});
