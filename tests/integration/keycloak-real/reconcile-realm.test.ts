import type { MachineRun } from '../../support/local-machine';
import { realKeycloak, type RealKeycloak } from '../../support/real-keycloak';
import { SECRETS, startRealRealmHarness, type RealRealmHarness } from '../../support/realm-harness';

// The realm reconciler through the real path, against Keycloak 26.7.3: the real reconcile-realm.asl.json
// and handlers, the SSM emulator running the template's Command document, whose script runs
// functions/host/executor.py against the real admin REST API on loopback (through a recording proxy:
// what Keycloak received is counted on the wire). One realm per harness, on the run's shared server.

const MACHINE = 'reconcile-realm.asl.json';
let kc: RealKeycloak;
let h: RealRealmHarness;
let runMachine: typeof import('../../support/local-machine').runMachine;

const base = () => `/admin/realms/${h.realm}`;
// Polls of a running command every second: the budget (56 polls) outlasts a loaded machine's apply.
const reconcile = (input: Record<string, unknown> = {}): Promise<MachineRun> => runMachine(MACHINE, { desiredState: h.desired, ...input }, { pendingIntervalMs: 1000 });
const scopeNamed = async (name: string) => ((await kc.ok('GET', `${base()}/client-scopes`)) as Array<Record<string, any>>).find((s) => s.name === name);
const clientNamed = async (clientId: string) => ((await kc.ok('GET', `${base()}/clients?clientId=${encodeURIComponent(clientId)}`)) as Array<Record<string, any>>)[0];

beforeAll(async () => {
  kc = await realKeycloak();
  h = await startRealRealmHarness(kc, 'reconcile');
  ({ runMachine } = await import('../../support/local-machine'));
});
afterAll(async () => {
  await h?.close();
  if (h) await kc.deleteRealm(h.realm);
});

describe('reconcile-realm against Keycloak 26.7.3', () => {
  it('converges the seed from an empty Keycloak in one run', async () => {
    // Act
    const run = await reconcile();
    // Assess: the run, then the realm as Keycloak itself reports it
    expect(run.error).toBeUndefined();
    expect(run.output).toMatchObject({ realm: h.realm, outcome: 'applied', changeCount: 11 });
    expect(await kc.ok('GET', base())).toMatchObject({ realm: h.realm, enabled: true });
    const [alice] = await kc.ok('GET', `${base()}/users?username=alice&exact=true`);
    expect(alice).toMatchObject({ username: 'alice', email: 'alice@agentcore-keycloak-example.com', firstName: 'Alice', lastName: 'Demo', enabled: true });
    const scope = await scopeNamed('mcp:tools');
    expect(scope).toMatchObject({ protocol: 'openid-connect', attributes: expect.objectContaining({ 'include.in.token.scope': 'true' }) });
    expect(scope!.protocolMappers).toEqual([
      expect.objectContaining({ name: 'aud-agentcore-gateway', protocolMapper: 'oidc-audience-mapper', config: expect.objectContaining({ 'included.custom.audience': 'mcp-gateway-demo', 'access.token.claim': 'true', 'introspection.token.claim': 'true' }) }),
    ]);
    const optional = (await kc.ok('GET', `${base()}/default-optional-client-scopes`)) as Array<{ name: string }>;
    const defaults = (await kc.ok('GET', `${base()}/default-default-client-scopes`)) as Array<{ name: string }>;
    expect(optional.map((s) => s.name)).toContain('mcp:tools');
    expect(defaults.map((s) => s.name)).not.toContain('mcp:tools');
    const { profiles } = await kc.ok('GET', `${base()}/client-policies/profiles`);
    expect(profiles.map((p: { name: string }) => p.name)).toEqual(['cimd-profile', 'oauth-2-1-for-public-client-no-dpop']);
    const { policies } = await kc.ok('GET', `${base()}/client-policies/policies`);
    expect(policies).toEqual([
      expect.objectContaining({ name: 'cimd-policy', enabled: true, profiles: ['cimd-profile', 'oauth-2-1-for-public-client-no-dpop'] }),
      expect.objectContaining({ name: 'oauth-2-1-public-client-policy', enabled: true, profiles: ['oauth-2-1-for-public-client-no-dpop'] }),
    ]);
    const canary = await clientNamed('keygate-canary');
    expect(canary).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false, implicitFlowEnabled: false, directAccessGrantsEnabled: false, secret: SECRETS.canary });
    expect(canary!.defaultClientScopes).toContain('mcp:tools');
    const owned = JSON.parse((await kc.ok('GET', base())).attributes['keygate.owned']);
    expect(owned).toMatchObject({ realmCreated: true, users: [{ name: 'alice', id: alice.id }], clientScopes: [{ name: 'mcp:tools', id: scope!.id }], clients: [{ name: 'keygate-canary', id: canary!.id }] });
  });

  it('a converged realm: Keycloak receives no write (on the wire and in its admin events), one SSM command', async () => {
    // Prepare: Keycloak's own record of admin writes in this realm, from now on
    await kc.ok('PUT', `${base()}/events/config`, { adminEventsEnabled: true, adminEventsDetailsEnabled: false });
    await kc.ok('DELETE', `${base()}/admin-events`); // that very change is an admin event too
    const writes = h.proxy.writes().length;
    const commands = h.ssm.calls.filter((c) => c.operation === 'SendCommand').length;
    // Act
    const run = await reconcile();
    // Assess
    expect(run.output).toMatchObject({ outcome: 'converged', changeCount: 0, changes: [] });
    expect(h.proxy.writes().slice(writes)).toEqual([]);
    expect(h.ssm.calls.filter((c) => c.operation === 'SendCommand').length).toBe(commands + 1);
    expect(await kc.ok('GET', `${base()}/admin-events`)).toEqual([]);
    // The admin events do record writes: taking phone out of the optional list and back shows up twice.
    const phone = (await scopeNamed('phone'))!.id;
    await kc.ok('DELETE', `${base()}/default-optional-client-scopes/${phone}`);
    await kc.ok('PUT', `${base()}/default-optional-client-scopes/${phone}`);
    expect(((await kc.ok('GET', `${base()}/admin-events`)) as Array<{ operationType: string }>).map((e) => e.operationType).sort()).toEqual(['CREATE', 'DELETE']);
  });
});
