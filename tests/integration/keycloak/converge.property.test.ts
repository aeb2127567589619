import fc from 'fast-check';
import type { DesiredState } from '../../../functions/core/desired/document';
import type { HostOperation } from '../../../functions/core/host/program';
import { adminConnection, renderObserveOps, snapshotFromResults } from '../../../functions/core/keycloak/observe-realm';
import { blocksConvergence, planRealm } from '../../../functions/core/keycloak/plan-realm';
import { renderApplyOps } from '../../../functions/core/keycloak/render-apply';
import type { ObservedRealm } from '../../../functions/core/keycloak/snapshot';
import { start as startKeycloak, type KeycloakStandIn } from '../../../emulators/keycloak';
import type { RealmState } from '../../../emulators/keycloak/state';
import { start as startSsm, type SsmEmulator } from '../../../emulators/ssm';
import { runExecutor } from '../../support/host-executor';
import { seedWith } from '../../support/seed';

// The property the issue asks for, against the real executor and the Keycloak stand-in: for
// generated realm states, applying the plan and planning again gives an empty plan, and no plan
// deletes an object keygate does not own. (Pure properties with many more runs:
// tests/unit/core/keycloak/plan-realm.property.test.ts.)

let kc: KeycloakStandIn;
let ssm: SsmEmulator;
let desired: DesiredState;
let converged: RealmState;

async function execute(ops: HostOperation[]): Promise<ObservedRealm> {
  const run = await runExecutor({ ...adminConnection(desired, 'eu-central-1'), ops: [...ops, ...renderObserveOps(desired)] }, ssm);
  if (!run.result?.ok) throw new Error(`executor failed: ${run.stdout} ${run.stderr}`);
  return snapshotFromResults(desired, run.result.results);
}

beforeAll(async () => {
  kc = await startKeycloak({ admin: { username: 'admin', password: 'prop-admin' } });
  desired = seedWith((raw) => void (raw.keycloak.admin.url = kc.url));
  ssm = await startSsm({
    parameters: [
      { name: desired.keycloak.admin.passwordParameter, value: 'prop-admin', type: 'SecureString' },
      { name: desired.keycloak.realm.users[0]!.passwordParameter, value: 'prop-alice', type: 'SecureString' },
      { name: desired.keycloak.realm.canaryClient!.secretParameter, value: 'prop-canary', type: 'SecureString' },
    ],
  });
  const observed = await execute([]);
  await execute(renderApplyOps('mcp-demo', planRealm(desired, observed).changes));
  converged = structuredClone(kc.realm('mcp-demo')!);
});
afterAll(async () => {
  await kc.close();
  await ssm.close();
});

type Mutation = (r: RealmState) => void;
const scopeOf = (r: RealmState, name: string) => r.clientScopes.find((s) => s.name === name);
const MUTATIONS: Record<string, Mutation> = {
  'disable realm': (r) => void (r.enabled = false),
  'delete alice': (r) => void (r.users = r.users.filter((u) => u.username !== 'alice')),
  'change alice e-mail': (r) => r.users.forEach((u) => (u.email = 'other@example.com')),
  'add user bob': (r) => void r.users.push({ id: 'bob', username: 'bob', credentials: [] }),
  'delete scope mcp:tools': (r) => {
    const id = scopeOf(r, 'mcp:tools')?.id;
    r.clientScopes = r.clientScopes.filter((s) => s.id !== id);
    r.defaultOptionalScopes = r.defaultOptionalScopes.filter((x) => x !== id);
    r.clients.forEach((c) => (c.defaultClientScopes = c.defaultClientScopes.filter((x) => x !== id)));
  },
  'include in token scope off': (r) => void (scopeOf(r, 'mcp:tools') && (scopeOf(r, 'mcp:tools')!.attributes['include.in.token.scope'] = 'false')),
  // Keycloak keeps one row per (realm, scope): a scope is in one list or the other, never both (F4).
  'scope default instead of optional': (r) => {
    const id = scopeOf(r, 'mcp:tools')?.id;
    if (id && r.defaultOptionalScopes.includes(id)) (r.defaultOptionalScopes = r.defaultOptionalScopes.filter((x) => x !== id)), r.defaultDefaultScopes.push(id);
  },
  'scope out of optional': (r) => void (r.defaultOptionalScopes = r.defaultOptionalScopes.filter((x) => x !== scopeOf(r, 'mcp:tools')?.id)),
  'audience changed': (r) => scopeOf(r, 'mcp:tools')?.protocolMappers.forEach((m) => (m.config['included.custom.audience'] = 'other')),
  'mapper deleted': (r) => void (scopeOf(r, 'mcp:tools') && (scopeOf(r, 'mcp:tools')!.protocolMappers = [])),
  'foreign scope team:read': (r) => void r.clientScopes.push({ id: 'team-read', name: 'team:read', protocol: 'openid-connect', attributes: {}, protocolMappers: [] }),
  'trusted domain removed': (r) => r.profiles.filter((p) => p.name === 'cimd-profile').forEach((p) => p.executors[0].configuration['cimd-allow-permitted-domains'].pop()),
  'profile configuration as JSON booleans': (r) => r.profiles.forEach((p) => p.executors.forEach((e: { configuration: Record<string, unknown> }) => Object.keys(e.configuration).forEach((k) => e.configuration[k] === 'true' && (e.configuration[k] = true)))),
  'executors reordered': (r) => r.profiles.filter((p) => p.executors.length > 1).forEach((p) => p.executors.reverse()),
  'policy disabled': (r) => r.policies.forEach((p) => (p.enabled = false)),
  'policies deleted': (r) => void (r.policies = []),
  'foreign profile and policy': (r) => {
    r.profiles.push({ name: 'team-profile', executors: [{ executor: 'pkce-enforcer', configuration: { 'auto-configure': 'true' } }] });
    r.policies.push({ name: 'team-policy', enabled: true, conditions: [{ condition: 'any-client', configuration: {} }], profiles: ['oauth-2-1-for-confidential-client'] });
  },
  'canary deleted': (r) => void (r.clients = r.clients.filter((c) => c.clientId !== 'keygate-canary')),
  'canary password grant on': (r) => r.clients.filter((c) => c.clientId === 'keygate-canary').forEach((c) => (c.directAccessGrantsEnabled = true)),
  'CIMD client registered': (r) => void r.clients.push({ id: 'cimd', clientId: 'https://cimd.example.com/client.json', publicClient: true, defaultClientScopes: [], optionalClientScopes: [] }),
  'ownership record removed': (r) => void delete r.attributes['keygate.owned'],
  'ownership record damaged': (r) => void (r.attributes['keygate.owned'] = '{broken'),
};

const FOREIGN = { users: ['bob'], clientScopes: ['team:read'], clients: ['https://cimd.example.com/client.json', 'admin-cli'], profiles: ['team-profile'], policies: ['team-policy'] };

describe('apply(plan) converges and deletes only what keygate owns (real executor, Keycloak stand-in)', () => {
  it('holds for generated realm states', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('empty', 'converged'), fc.subarray(Object.keys(MUTATIONS)), async (base, mutations) => {
        // Prepare: the generated state
        kc.putRealm('mcp-demo', base === 'empty' ? undefined : structuredClone(converged));
        const r = kc.realm('mcp-demo');
        if (r) for (const m of mutations) MUTATIONS[m]!(r);
        const present = (list: Array<{ name?: string; username?: string; clientId?: string }>) => list.map((x) => x.name ?? x.username ?? x.clientId);
        const foreignBefore = r ? { users: present(r.users), clientScopes: present(r.clientScopes), clients: present(r.clients), profiles: present(r.profiles), policies: present(r.policies) } : undefined;
        // Act
        const observed = await execute([]);
        const plan = planRealm(desired, observed);
        const after = await execute(renderApplyOps('mcp-demo', plan.changes));
        // Assess: converged
        expect(planRealm(desired, after).changes.filter(blocksConvergence)).toEqual([]);
        // Assess: every delete was of an object the record says keygate owns
        const owned = observed.ownership;
        for (const c of plan.changes.filter((x) => x.action === 'delete')) {
          const names = owned ? { user: owned.users, 'client-scope': owned.clientScopes, client: owned.clients }[c.kind as 'user']?.map((o) => o.name) ?? [...owned.clientProfiles, ...owned.clientPolicies, ...owned.audienceMappers.map((m) => `${m.scope}/${m.name}`)] : [];
          expect(names).toContain(c.name);
        }
        // Assess: foreign objects that were there are still there
        if (foreignBefore) {
          const now = kc.realm('mcp-demo')!;
          const still = { users: present(now.users), clientScopes: present(now.clientScopes), clients: present(now.clients), profiles: present(now.profiles), policies: present(now.policies) };
          for (const key of Object.keys(FOREIGN) as Array<keyof typeof FOREIGN>) {
            for (const name of FOREIGN[key].filter((n) => foreignBefore[key].includes(n))) expect(still[key]).toContain(name);
          }
        }
      }),
      { numRuns: 15 },
    );
  }, 90_000);
});
