import { authorize, plantForeignObjects, type ForeignObjects } from '../../support/foreign-objects';
import type { MachineRun } from '../../support/local-machine';
import { realKeycloak, type RealKeycloak } from '../../support/real-keycloak';
import { startRealRealmHarness, type RealRealmHarness } from '../../support/realm-harness';

// Keycloak 26.7.3, through the real path (reconcile-realm.asl.json → SSM emulator → Command document →
// host executor → admin API): a realm another team already uses, with their profiles, policies, scope,
// mapper, user and a client Keycloak created from a real CIMD registration. keygate provisions into it,
// finds and repairs every kind of drift, and takes its own objects away again; the team's objects stay
// byte for byte as Keycloak returns them, and the counts of writes are what Keycloak received.

const MACHINE = 'reconcile-realm.asl.json';
let kc: RealKeycloak;
let h: RealRealmHarness;
let team: ForeignObjects;
let teamBefore: Record<string, unknown>;
let runMachine: typeof import('../../support/local-machine').runMachine;

const base = () => `/admin/realms/${h.realm}`;
const reconcile = (input: Record<string, unknown> = {}): Promise<MachineRun> => runMachine(MACHINE, { desiredState: h.desired, ...input }, { pendingIntervalMs: 1000 });
const scope = async (name = 'mcp:tools') => ((await kc.ok('GET', `${base()}/client-scopes`)) as Array<Record<string, any>>).find((s) => s.name === name)!;
const canary = async () => (await kc.ok('GET', `${base()}/clients?clientId=keygate-canary`))[0];
const alice = async () => (await kc.ok('GET', `${base()}/users?username=alice&exact=true`))[0];
const writes = () => h.proxy.writes().length;

/** Rewrites a list (profiles or policies) the way a console user would: GET, edit one entry, PUT. */
async function editList(kind: 'profiles' | 'policies', edit: (list: Array<Record<string, any>>) => Array<Record<string, any>>) {
  const list = (await kc.ok('GET', `${base()}/client-policies/${kind}`))[kind];
  await kc.ok('PUT', `${base()}/client-policies/${kind}`, { [kind]: edit(list) });
}

beforeAll(async () => {
  kc = await realKeycloak();
  h = await startRealRealmHarness(kc, 'foreign');
  // The other team was here first: the realm is theirs, keygate adopts it.
  await kc.ok('POST', '/admin/realms', { realm: h.realm, enabled: true });
  team = await plantForeignObjects(kc, h.realm);
  teamBefore = await team.snapshot();
  ({ runMachine } = await import('../../support/local-machine'));
});
afterAll(async () => {
  await team?.close();
  await h?.close();
  if (h) await kc.deleteRealm(h.realm);
});

describe('another team\'s realm on Keycloak 26.7.3', () => {
  it('keygate provisions into it in one run; the team\'s objects are untouched', async () => {
    const run = await reconcile();
    expect(run.error).toBeUndefined();
    expect(run.output).toMatchObject({ outcome: 'applied' });
    expect(JSON.parse((await kc.ok('GET', base())).attributes['keygate.owned'])).toMatchObject({ realmCreated: false });
    expect(await team.snapshot()).toEqual(teamBefore);
    expect((await reconcile()).output).toMatchObject({ outcome: 'converged', unmanaged: { clientProfiles: ['team-payments-profile', 'team-cimd-profile'], clientPolicies: ['team-payments-policy', 'team-cimd-policy'] } });
  });

  it('a CIMD client registers for real beside keygate\'s OAuth 2.1 policy, and a converged re-run writes nothing', async () => {
    // Act: the team's MCP client logs in once; Keycloak fetches its document and creates the client
    await team.registerCimdClient();
    teamBefore = await team.snapshot();
    const before = writes();
    const run = await reconcile();
    // Assess
    expect(teamBefore.cimdClient).toMatchObject({ clientId: team.cimdClientId, publicClient: true, redirectUris: ['http://127.0.0.1/team/callback'] });
    expect(run.output).toMatchObject({ outcome: 'converged', changeCount: 0 });
    expect(h.proxy.writes().slice(before)).toEqual([]);
    // keygate read no client but its canary (no listing of every client)
    const clientReads = h.proxy.callLog.filter((c) => c.method === 'GET' && c.path === `${base()}/clients`);
    expect(clientReads.length).toBeGreaterThan(0);
    expect(clientReads.filter((c) => c.query !== 'clientId=keygate-canary')).toEqual([]);
  });

  interface Kind {
    name: string;
    inject(): Promise<void>;
    /** [kind, name, fields] of the drift report. */
    items: Array<[string, string, string[]]>;
  }
  const KINDS: Kind[] = [
    {
      name: 'the audience mapper\'s audience changed',
      inject: async () => {
        const s = await scope();
        const mapper = s.protocolMappers[0];
        await kc.ok('PUT', `${base()}/client-scopes/${s.id}/protocol-mappers/models/${mapper.id}`, { ...mapper, config: { ...mapper.config, 'included.custom.audience': 'someone-else' } });
      },
      items: [['audience-mapper', 'mcp:tools/aud-agentcore-gateway', ['config.included.custom.audience']]],
    },
    {
      name: 'the audience mapper deleted',
      inject: async () => {
        const s = await scope();
        await kc.ok('DELETE', `${base()}/client-scopes/${s.id}/protocol-mappers/models/${s.protocolMappers[0].id}`);
      },
      // Re-created under a new id, which the ownership record then carries.
      items: [['audience-mapper', 'mcp:tools/aud-agentcore-gateway', []], ['ownership', 'keygate.owned', ['audienceMappers[0].id']]],
    },
    {
      name: '"include in token scope" switched off',
      inject: async () => {
        const s = await scope();
        await kc.ok('PUT', `${base()}/client-scopes/${s.id}`, { ...s, attributes: { ...s.attributes, 'include.in.token.scope': 'false' } });
      },
      items: [['client-scope', 'mcp:tools', ['attributes.include.in.token.scope']]],
    },
    {
      name: 'the scope moved to the realm\'s default list',
      inject: async () => {
        const s = await scope();
        await kc.ok('DELETE', `${base()}/default-optional-client-scopes/${s.id}`);
        await kc.ok('PUT', `${base()}/default-default-client-scopes/${s.id}`);
      },
      items: [['client-scope-type', 'mcp:tools', ['type']]],
    },
    {
      name: 'a CIMD trusted domain removed from the CIMD profile',
      inject: () =>
        editList('profiles', (list) =>
          list.map((p) => (p.name === 'cimd-profile' ? { ...p, executors: [{ ...p.executors[0], configuration: { ...p.executors[0].configuration, 'cimd-allow-permitted-domains': ['127.0.0.1'] } }] } : p)),
        ),
      items: [['client-profile', 'cimd-profile', ['executors[0].configuration.cimd-allow-permitted-domains']]],
    },
    {
      name: 'a client policy disabled',
      inject: () => editList('policies', (list) => list.map((p) => (p.name === 'oauth-2-1-public-client-policy' ? { ...p, enabled: false } : p))),
      items: [['client-policy', 'oauth-2-1-public-client-policy', ['enabled']]],
    },
    {
      name: 'a client policy deleted',
      inject: () => editList('policies', (list) => list.filter((p) => p.name !== 'cimd-policy')),
      items: [['client-policy', 'cimd-policy', expect.any(Array) as unknown as string[]]],
    },
    {
      name: 'the canary allowed the password grant',
      inject: async () => {
        const c = await canary();
        await kc.ok('PUT', `${base()}/clients/${c.id}`, { ...c, directAccessGrantsEnabled: true });
      },
      items: [['client', 'keygate-canary', ['directAccessGrantsEnabled']]],
    },
    {
      name: 'the user\'s email changed',
      inject: async () => {
        const u = await alice();
        await kc.ok('PUT', `${base()}/users/${u.id}`, { ...u, email: 'alice@elsewhere.example.org' });
      },
      items: [['user', 'alice', ['email']]],
    },
    {
      name: 'the realm disabled',
      inject: async () => {
        const { clientProfiles, clientPolicies, ...realm } = await kc.ok('GET', base());
        await kc.ok('PUT', base(), { ...realm, enabled: false });
      },
      items: [['realm', h?.realm ?? '', ['enabled']]],
    },
  ];

  describe.each(KINDS)('$name', (kind) => {
    it('is found by a report-only run (no write), repaired by the next, and the team\'s objects stay as they were', async () => {
      // Prepare
      await kind.inject();
      const before = writes();
      // Act 1: report only
      const report = await reconcile({ dryRun: true });
      // Assess 1
      expect(report.error).toBeUndefined();
      expect(report.output.outcome).toBe('drift');
      const items = kind.items.map(([k, name, fields]) => [k, k === 'realm' ? h.realm : name, fields]);
      expect(report.output.changes.map((c: { kind: string; name: string; diff?: Array<{ field: string }> }) => [c.kind, c.name, (c.diff ?? []).map((d) => d.field)])).toEqual(items);
      expect(h.proxy.writes().length).toBe(before);
      // Act 2: repair
      const repair = await reconcile();
      // Assess 2
      expect(repair.error).toBeUndefined();
      expect(repair.output).toMatchObject({ outcome: 'applied', changeCount: kind.items.length });
      expect((await reconcile()).output).toMatchObject({ outcome: 'converged' });
      expect(await team.snapshot()).toEqual(teamBefore);
    });
  });

  it('the team\'s CIMD client still logs in on any loopback port after all of it', async () => {
    const page = await authorize(kc.url, h.realm, team.cimdClientId!, 'http://127.0.0.1:41001/team/callback');
    expect(page).toMatchObject({ status: 200 });
    // Keycloak re-fetched the document (no-store: min-cache-time) and moved the client's cache expiry: the team's login, not keygate.
    teamBefore = await team.snapshot();
  });

  it('teardown (nothing declared any more) removes exactly what keygate created; the team\'s objects and the adopted realm stay', async () => {
    // Prepare: every realm object leaves the document
    const empty = h.desiredWith((raw) => {
      Object.assign(raw.keycloak.realm, { users: [], clientScopes: [], clientProfiles: [], clientPolicies: [] });
      delete raw.keycloak.realm.canaryClient;
      // A scope or audience the gateway checks must be declared (lint scope-not-defined, gateway-audience-unmapped).
      raw.gateway.authorizer.allowedScopes = [];
      raw.gateway.authorizer.allowedAudiences = [];
    });
    // Act
    const run = await runMachine(MACHINE, { desiredState: empty }, { pendingIntervalMs: 1000 });
    // Assess
    expect(run.error).toBeUndefined();
    expect(run.output.changes.filter((c: { action: string }) => c.action !== 'delete').map((c: { kind: string }) => c.kind)).toEqual(['ownership']);
    expect(await alice()).toBeUndefined();
    expect(await canary()).toBeUndefined();
    expect(await scope()).toBeUndefined();
    expect((await kc.ok('GET', `${base()}/client-policies/profiles`)).profiles.map((p: { name: string }) => p.name)).toEqual(['team-payments-profile', 'team-cimd-profile']);
    expect((await kc.ok('GET', `${base()}/client-policies/policies`)).policies.map((p: { name: string }) => p.name)).toEqual(['team-payments-policy', 'team-cimd-policy']);
    // The one change to the team's objects is Keycloak's own: deleting keygate's scope takes it off every
    // client that had it, here the CIMD client (which got the realm's optional scopes when it registered).
    const before = structuredClone(teamBefore) as { cimdClient: { optionalClientScopes: string[] } };
    expect(before.cimdClient.optionalClientScopes).toContain('mcp:tools');
    before.cimdClient.optionalClientScopes = before.cimdClient.optionalClientScopes.filter((s) => s !== 'mcp:tools');
    expect(await team.snapshot()).toEqual(before);
    expect(await kc.ok('GET', base())).toMatchObject({ realm: h.realm, enabled: true });
    expect(JSON.parse((await kc.ok('GET', base())).attributes['keygate.owned'])).toMatchObject({ users: [], clientScopes: [], audienceMappers: [], clientProfiles: [], clientPolicies: [], clients: [] });
  });
});
