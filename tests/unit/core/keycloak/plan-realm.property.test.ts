import fc from 'fast-check';
import type { HostOperation, SendOperation } from '../../../../functions/core/host/program';
import { planRealm } from '../../../../functions/core/keycloak/plan-realm';
import { renderApplyOps } from '../../../../functions/core/keycloak/render-apply';
import { emptyRealmSnapshot, type ObservedRealm, type Ownership } from '../../../../functions/core/keycloak/snapshot';
import { convergedSnapshot } from '../../../support/keycloak-snapshots';
import { seedDesired, seedWith } from '../../../support/seed';

// Pure properties over generated snapshots (many runs, no I/O). The converging property against the
// real executor and the Keycloak stand-in is tests/integration/keycloak/converge.property.test.ts.

const seed = seedDesired();
const name = fc.constantFrom('alice', 'bob', 'mcp:tools', 'team:read', 'cimd-profile', 'team-profile', 'cimd-policy', 'team-policy', 'keygate-canary', 'https://cimd.example.com/client.json');
const maybeId = fc.option(fc.constantFrom('id-1', 'id-2', 'id-3'), { nil: null });
const ownedObjects = fc.uniqueArray(fc.record({ name, id: maybeId }), { selector: (o) => o.name, maxLength: 4 });

const ownershipArb: fc.Arbitrary<Ownership | null> = fc.option(
  fc.record({
    v: fc.constant(1 as const),
    realmCreated: fc.boolean(),
    users: ownedObjects,
    clientScopes: ownedObjects,
    audienceMappers: fc.uniqueArray(fc.record({ scope: fc.constantFrom('mcp:tools', 'team:read'), name: fc.constantFrom('aud-agentcore-gateway', 'team-mapper'), id: maybeId }), { selector: (m) => `${m.scope}/${m.name}`, maxLength: 3 }),
    clientProfiles: fc.uniqueArray(name, { maxLength: 4 }),
    clientPolicies: fc.uniqueArray(name, { maxLength: 4 }),
    clients: ownedObjects,
  }),
  { nil: null },
);

/** A snapshot: empty or converged, with random drift, random foreign objects and a random ownership record. */
const snapshotArb: fc.Arbitrary<ObservedRealm> = fc
  .record({
    base: fc.constantFrom('empty', 'converged'),
    ownership: ownershipArb,
    dropUsers: fc.boolean(),
    dropScopes: fc.boolean(),
    dropClient: fc.boolean(),
    dropProfiles: fc.integer({ min: 0, max: 2 }),
    disablePolicy: fc.boolean(),
    others: fc.uniqueArray(name, { maxLength: 4 }),
    audience: fc.constantFrom('mcp-gateway-demo', 'other'),
  })
  .map((g) => {
    const s = g.base === 'empty' ? emptyRealmSnapshot('mcp-demo', true) : convergedSnapshot(seed);
    if (g.dropUsers) s.users = [];
    if (g.dropScopes) s.clientScopes = [];
    if (g.dropClient) s.clients = [];
    s.clientProfiles = s.clientProfiles.slice(g.dropProfiles);
    if (g.disablePolicy && s.clientPolicies[0]) s.clientPolicies[0].enabled = false;
    if (s.clientScopes[0]?.protocolMappers[0]) s.clientScopes[0].protocolMappers[0].config['included.custom.audience'] = g.audience;
    s.otherClientProfiles = g.others;
    s.otherClientPolicies = g.others;
    s.ownership = g.ownership;
    return s;
  });

/** The document minus some of its objects (what an operator removes). */
const desiredArb = fc.record({ users: fc.boolean(), scopes: fc.boolean(), canary: fc.boolean(), profiles: fc.integer({ min: 0, max: 2 }) }).map((g) =>
  seedWith((raw) => {
    if (!g.users) raw.keycloak.realm.users = [];
    if (!g.scopes) {
      raw.keycloak.realm.clientScopes = [];
      raw.gateway.authorizer.allowedScopes = [];
    }
    if (!g.canary) delete raw.keycloak.realm.canaryClient;
    if (g.profiles === 2) {
      raw.keycloak.realm.clientProfiles = [];
      raw.keycloak.realm.clientPolicies = [];
      delete raw.cimd;
    }
  }),
);

const ownedNames = (o: Ownership | null, kind: string): string[] => {
  if (!o) return [];
  const lists: Record<string, string[]> = {
    user: o.users.map((x) => x.name),
    'client-scope': o.clientScopes.map((x) => x.name),
    'audience-mapper': o.audienceMappers.map((x) => `${x.scope}/${x.name}`),
    'client-profile': o.clientProfiles,
    'client-policy': o.clientPolicies,
    client: o.clients.map((x) => x.name),
  };
  return lists[kind] ?? [];
};

const ownedIds = (o: Ownership | null): string[] => (o ? [...o.users, ...o.clientScopes, ...o.audienceMappers, ...o.clients].map((x) => x.id).filter((id): id is string => !!id) : []);

/** Object deletions in a program: DELETE of a user, client, client scope or mapper (not list memberships), and merge-list removals. */
function deletedObjects(ops: HostOperation[]): { ids: string[]; names: string[] } {
  const ids = ops
    .filter((o): o is SendOperation => o.op === 'send' && o.method === 'DELETE')
    .filter((o) => ['users', 'clients', 'client-scopes', 'models'].includes(String(o.path.at(-2))))
    .map((o) => String(o.path.at(-1)));
  const names = ops.flatMap((o) => (o.op === 'merge-list' ? o.remove : []));
  return { ids, names };
}

describe('planRealm properties', () => {
  it('no plan ever deletes an object keygate does not own', () => {
    fc.assert(
      fc.property(desiredArb, snapshotArb, (desired, observed) => {
        const plan = planRealm(desired, observed);
        for (const c of plan.changes.filter((x) => x.action === 'delete')) {
          expect(ownedNames(observed.ownership, c.kind)).toContain(c.name);
        }
        const deleted = deletedObjects(renderApplyOps('mcp-demo', plan.changes));
        for (const id of deleted.ids) expect(ownedIds(observed.ownership)).toContain(id);
        for (const n of deleted.names) expect([...(observed.ownership?.clientProfiles ?? []), ...(observed.ownership?.clientPolicies ?? [])]).toContain(n);
      }),
      { numRuns: 300 },
    );
  });

  it('never claims an object it did not create or already own', () => {
    fc.assert(
      fc.property(desiredArb, snapshotArb, (desired, observed) => {
        const plan = planRealm(desired, observed);
        const record = plan.changes.find((c) => c.kind === 'ownership')!.after as Ownership;
        const created = (kind: string) => plan.changes.filter((c) => c.action === 'create' && c.kind === kind).map((c) => c.name);
        for (const kind of ['user', 'client-scope', 'audience-mapper', 'client-profile', 'client-policy', 'client']) {
          for (const n of ownedNames(record, kind)) expect([...ownedNames(observed.ownership, kind), ...created(kind)]).toContain(n);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(desiredArb, snapshotArb, (desired, observed) => {
        expect(planRealm(desired, structuredClone(observed))).toEqual(planRealm(desired, structuredClone(observed)));
      }),
      { numRuns: 100 },
    );
  });
});
