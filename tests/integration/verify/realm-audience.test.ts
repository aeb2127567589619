import { startWorld, type LocalWorld } from '../../../emulators/world';
import { verifyChain } from '../../../functions/adapters/verify/verify-chain';
import { seedDesired, seedRaw } from '../../support/seed';

// No false green: in the local world the emulated realm issues the audiences its configuration gives
// (the Keycloak stand-in's audience mappers on the canary's scopes), as Keycloak does, never the
// document's. A realm whose mapper is gone fails verification, as it does against Keycloak 26.7.3
// (tests/integration/keycloak-real/verification.test.ts).

let world: LocalWorld;
const verify = () => verifyChain(seedDesired(), { gatewayUrl: world.chain!.gatewayUrl, canarySecret: { value: world.secrets.canary }, fetch: world.chain!.fetch, now: () => new Date() });
const scope = () => world.keycloak.realm('mcp-demo')!.clientScopes.find((s) => s.name === 'mcp:tools')!;

beforeAll(async () => {
  world = await startWorld({ document: seedRaw(), speed: 400, peers: true });
  expect((await world.run('provision')).status).toBe('SUCCEEDED');
});
afterAll(() => world?.close());

describe('the local world\'s realm issues the audience its mappers give', () => {
  it('with the mapper keygate created: the token carries mcp-gateway-demo and the chain passes', async () => {
    const report = await verify();
    expect(report.checks.find((c) => c.id === 'token.audience')).toMatchObject({ status: 'pass' });
    expect(report.failed).toBe(false);
  });

  it('without it: no audience (Keycloak sends no aud), audience-mapper-missing, and the gateway refuses the token', async () => {
    // Prepare: the mapper deleted out of band
    scope().protocolMappers = [];
    // Act
    const report = await verify();
    // Assess
    expect(report.failed).toBe(true);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => `${c.id} ${c.diagnosis}`)).toEqual(['token.audience audience-mapper-missing', 'mcp.tools-list token-rejected-by-gateway']);
  });
});
