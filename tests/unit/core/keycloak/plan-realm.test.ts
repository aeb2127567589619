import type ClientRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientRepresentation';
import { readFileSync } from 'node:fs';
import { KeycloakFeatureDisabledError } from '../../../../functions/core/errors';
import { describeChange } from '../../../../functions/core/keycloak/describe-change';
import { renderObserveOps } from '../../../../functions/core/keycloak/observe-realm';
import { actionable, blocksConvergence, planRealm, type RealmChange } from '../../../../functions/core/keycloak/plan-realm';
import type { CanaryClientRepresentation } from '../../../../functions/core/keycloak/render-client';
import { renderApplyOps } from '../../../../functions/core/keycloak/render-apply';
import { emptyRealmSnapshot, type ObservedRealm } from '../../../../functions/core/keycloak/snapshot';
import type { MergeListOperation, SendOperation } from '../../../../functions/core/host/program';
import { convergedSnapshot, idOf } from '../../../support/keycloak-snapshots';
import { fromRoot } from '../../../support/paths';
import { seedDesired, seedWith } from '../../../support/seed';

// Compile-time proof that the canary client body is a valid admin-client ClientRepresentation.
type Assignable<T, U extends T> = U;
export type _Client = Assignable<ClientRepresentation, CanaryClientRepresentation>;

const seed = seedDesired();
const todo = (observed: ObservedRealm, desired = seed) => actionable(planRealm(desired, observed).changes);
const summary = (changes: RealmChange[]) => changes.map((c) => `${c.action} ${c.kind} ${c.name}`);
const BUILTIN_PROFILES: Array<{ name: string }> = JSON.parse(readFileSync(fromRoot('tests', 'fixtures', 'keycloak', 'fork-EL-SSO2-keycloak-default-client-profiles.ff2f82cb.json'), 'utf8')).profiles;

describe('planRealm against an empty realm (the seed article, steps 1-7)', () => {
  const changes = todo(emptyRealmSnapshot('mcp-demo', true));

  it('creates exactly what the seven manual steps create, in their order, plus the canary client and the ownership record', () => {
    expect(summary(changes)).toEqual([
      'create realm mcp-demo', // 1
      'create user alice', // 2
      'create client-scope mcp:tools', // 3
      'update client-scope-type mcp:tools', // 3: type Optional
      'create audience-mapper mcp:tools/aud-agentcore-gateway', // 4
      'create client-profile cimd-profile', // 5
      'create client-profile oauth-2-1-for-public-client-no-dpop', // 6
      'create client-policy cimd-policy', // 5 (+ 7)
      'create client-policy oauth-2-1-public-client-policy', // 6
      'create client keygate-canary',
      'update ownership keygate.owned',
    ]);
  });

  it('reads like the manual steps, including the #49456 workaround on the CIMD policy', () => {
    const text = changes.map(describeChange);
    expect(text).toContain('~ realm type of client scope mcp:tools: none → optional');
    expect(text).toContain('+ audience mapper aud-agentcore-gateway on client scope mcp:tools: aud "mcp-gateway-demo" in access token, introspection');
    expect(text.find((l) => l.startsWith('+ client policy cimd-policy'))).toBe(
      '+ client policy cimd-policy (enabled): when client-id-uri(https; cimd.agentcore-keycloak-example.com) use cimd-profile, oauth-2-1-for-public-client-no-dpop [keycloak/keycloak#49456 workaround: also uses oauth-2-1-for-public-client-no-dpop]',
    );
    expect(text.find((l) => l.startsWith('+ user alice'))).toMatch(/password from SSM SecureString \/keygate\/mcp-keycloak-agentcore\/users\/alice, set at creation only$/);
  });

  it('always sends enabled: true on policies (Keycloak defaults a missing one to false)', () => {
    for (const c of changes.filter((x) => x.kind === 'client-policy')) expect(c.after).toMatchObject({ enabled: true });
  });

  it('apply writes in an order Keycloak accepts: realm, ownership intent, …, profiles before policies, final record last', () => {
    const ops = renderApplyOps('mcp-demo', changes);
    const labels = ops.map((o) => ('label' in o ? o.label : o.op));
    expect(labels[0]).toBe('create realm mcp-demo');
    expect(labels[1]).toMatch(/^record ownership intent/);
    const profiles = ops.findIndex((o) => o.op === 'merge-list' && o.key === 'profiles');
    const policies = ops.findIndex((o) => o.op === 'merge-list' && o.key === 'policies');
    expect(profiles).toBeGreaterThan(0);
    expect(policies).toBeGreaterThan(profiles);
    expect(labels.at(-1)).toBe('update ownership keygate.owned');
    // The realm is created with the ownership intent in it (a lost answer still leaves the realm recorded as keygate's).
    expect((ops[0] as SendOperation).body).toMatchObject({ realm: 'mcp-demo', enabled: true, attributes: { 'keygate.owned': { $json: { realmCreated: true, users: [{ name: 'alice', id: null }] } } } });
    // The new scope's id travels as a host variable from its POST to the mapper and the type lists.
    const create = ops.find((o) => o.op === 'send' && o.label === 'create client-scope mcp:tools') as SendOperation;
    expect(create.bind).toBe('scope:mcp:tools');
    expect(JSON.stringify(ops)).toContain('{"$var":"scope:mcp:tools"}');
  });

  it('secrets appear in the program as SSM parameter names only', () => {
    const text = JSON.stringify(renderApplyOps('mcp-demo', changes));
    expect(text).toContain('{"$secret":"/keygate/mcp-keycloak-agentcore/users/alice"}');
    expect(text).toContain('{"$secret":"/keygate/mcp-keycloak-agentcore/canary-client-secret"}');
    expect(text).not.toMatch(/"(value|secret)":"[^{]/);
  });
});

describe('planRealm against a converged realm', () => {
  it('plans nothing', () => {
    expect(todo(convergedSnapshot(seed))).toEqual([]);
  });

  it('normalizes before comparing: "true" vs true, numbers, set order, absent vs empty lists, condition order', () => {
    const observed = convergedSnapshot(seed, (s) => {
      const cimd = s.clientProfiles[0]!.executors[0]!.configuration!;
      cimd['cimd-allow-http-scheme'] = false; // stored as a JSON boolean
      cimd['cimd-allow-permitted-domains'] = [...(cimd['cimd-allow-permitted-domains'] as string[])].reverse();
      s.clientProfiles[1]!.executors[0]!.configuration!['auto-configure'] = true;
      s.clientPolicies[0]!.conditions[0]!.configuration!['is-negative-logic'] = 'false';
      s.clientPolicies[0]!.enabled = 'true';
      s.clientScopes[0]!.attributes['gui.order'] = '5'; // someone else's attribute: not keygate's business
      s.clientScopes[0]!.protocolMappers[0]!.config['userinfo.token.claim'] = 'false';
      s.users[0]!.email = s.users[0]!.email!.toUpperCase().toLowerCase();
    });
    expect(todo(observed)).toEqual([]);
  });

  it('keeps another team\'s profiles and policies untouched and lists them as unmanaged', () => {
    const observed = convergedSnapshot(seed, (s) => {
      s.otherClientProfiles = ['team-payments-profile'];
      s.otherClientPolicies = ['team-payments-policy'];
    });
    const plan = planRealm(seed, observed);
    expect(actionable(plan.changes)).toEqual([]);
    expect(plan.unmanaged).toEqual({ clientProfiles: ['team-payments-profile'], clientPolicies: ['team-payments-policy'] });
  });

  it('plans exactly the injected drift, field by field', () => {
    const observed = convergedSnapshot(seed, (s) => {
      s.clientScopes[0]!.protocolMappers[0]!.config['included.custom.audience'] = 'someone-else';
      s.clientScopes[0]!.attributes['include.in.token.scope'] = 'false';
      (s.clientProfiles[0]!.executors[0]!.configuration!['cimd-allow-permitted-domains'] as string[]).pop();
      s.clientPolicies[1]!.enabled = false;
      s.otherClientProfiles = ['team-payments-profile'];
    });
    const changes = todo(observed);
    expect(changes.map((c) => [c.kind, c.name, c.diff?.map((d) => [d.field, d.actual, d.expected])])).toEqual([
      ['client-scope', 'mcp:tools', [['attributes.include.in.token.scope', false, true]]],
      ['audience-mapper', 'mcp:tools/aud-agentcore-gateway', [['config.included.custom.audience', 'someone-else', 'mcp-gateway-demo']]],
      ['client-profile', 'cimd-profile', [['executors[0].configuration.cimd-allow-permitted-domains', ['cimd.agentcore-keycloak-example.com'], ['127.0.0.1', 'cimd.agentcore-keycloak-example.com']]]],
      ['client-policy', 'oauth-2-1-public-client-policy', [['enabled', false, true]]],
    ]);
  });
});

describe('built-in (global) client profiles', () => {
  it('are never read: the observe step asks for the realm lists without globals', () => {
    const reads = renderObserveOps(seed).filter((o) => o.id === 'clientProfiles' || o.id === 'clientPolicies');
    expect(reads.map((o) => o.query)).toEqual([{ 'include-global-profiles': 'false' }, { 'include-global-policies': 'false' }]);
  });

  it('are never sent back, even by a document whose policy uses one (the real 26.6-line fixture)', () => {
    const desired = seedWith((raw) => {
      raw.keycloak.realm.clientPolicies.push({ name: 'confidential-policy', conditions: [{ condition: 'client-access-type', configuration: { type: ['confidential'] } }], profiles: ['oauth-2-1-for-confidential-client'] });
    });
    const ops = renderApplyOps('mcp-demo', todo(emptyRealmSnapshot('mcp-demo', true), desired));
    const upserted = ops.filter((o): o is MergeListOperation => o.op === 'merge-list').flatMap((o) => (o.upsert as Array<{ name: string }>).filter(() => o.key === 'profiles').map((p) => p.name));
    expect(BUILTIN_PROFILES.map((p) => p.name)).toContain('oauth-2-1-for-confidential-client');
    expect(upserted.filter((n) => BUILTIN_PROFILES.some((b) => b.name === n))).toEqual([]);
    expect(JSON.stringify(ops)).not.toContain('globalProfiles');
  });
});

describe('ownership: keygate deletes only what it created', () => {
  it('a record that already lists what this run creates (the intent a failed run wrote) is still written at the end, with the new ids', () => {
    // Prepare: the realm as a run left it that stopped right after recording its intent.
    const intent = planRealm(seed, emptyRealmSnapshot('mcp-demo', true)).changes.find((c) => c.kind === 'ownership')!.after;
    const observed: ObservedRealm = { ...emptyRealmSnapshot('mcp-demo', true), exists: true, enabled: true, ownership: intent as ObservedRealm['ownership'] };
    // Act
    const changes = todo(observed);
    // Assess
    expect(summary(changes)).toContain('update ownership keygate.owned');
    expect(JSON.stringify(renderApplyOps('mcp-demo', changes).at(-1))).toContain('{"$var":"user:alice"}');
  });

  const without = (edit: (raw: Record<string, any>) => void) => seedWith(edit);

  it('deletes an owned user, scope, client, profile and policy that left the document', () => {
    const observed = convergedSnapshot(seed, (s) => {
      s.otherClientProfiles = ['cimd-profile'];
      s.otherClientPolicies = ['cimd-policy'];
    });
    const desired = without((raw) => {
      raw.keycloak.realm.users = [];
      raw.keycloak.realm.clientScopes = [];
      raw.gateway.authorizer.allowedScopes = [];
      delete raw.keycloak.realm.canaryClient;
      raw.keycloak.realm.clientProfiles.splice(0, 1);
      raw.keycloak.realm.clientPolicies.splice(0, 1);
    });
    const changes = todo(observed, desired);
    expect(summary(changes.filter((c) => c.action === 'delete')).sort()).toEqual(
      ['delete client keygate-canary', 'delete client-policy cimd-policy', 'delete client-profile cimd-profile', 'delete client-scope mcp:tools', 'delete user alice'].sort(),
    );
    expect(changes.find((c) => c.kind === 'user')!.ref).toEqual({ id: idOf('user', 'alice') });
    const record = changes.find((c) => c.kind === 'ownership')!.after as { users: unknown[]; clientProfiles: string[] };
    expect(record.users).toEqual([]);
    expect(record.clientProfiles).toEqual(['oauth-2-1-for-public-client-no-dpop']);
  });

  it('never deletes what it did not create: a realm without a record loses nothing', () => {
    const observed = convergedSnapshot(seed, (s) => {
      s.ownership = null;
      s.otherClientProfiles = ['cimd-profile', 'team-x'];
    });
    const desired = without((raw) => {
      raw.keycloak.realm.users = [];
      raw.keycloak.realm.clientProfiles.splice(0, 1);
      raw.keycloak.realm.clientPolicies.splice(0, 1);
    });
    const changes = todo(observed, desired);
    expect(changes.filter((c) => c.action === 'delete')).toEqual([]);
  });

  it('adopts an existing declared object: manages it, but does not claim it (so it is never deleted later)', () => {
    const observed = convergedSnapshot(seed, (s) => {
      s.ownership = null;
      s.clientScopes[0]!.attributes['include.in.token.scope'] = 'false';
    });
    const changes = todo(observed);
    expect(summary(changes)).toEqual(['update client-scope mcp:tools']);
  });

  it('prunes records of owned objects that are gone and no longer declared, and leaves objects it cannot identify', () => {
    const observed = convergedSnapshot(seed, (s) => {
      s.ownership!.clientProfiles.push('old-profile'); // gone from the realm
      s.ownership!.users.push({ name: 'bob', id: null }); // created by a run that stopped before recording the id
    });
    const changes = todo(observed);
    expect(summary(changes)).toEqual(['update ownership keygate.owned']);
    expect(changes[0]!.after).toEqual(convergedSnapshot(seed).ownership);
  });

  it('a damaged record owns nothing, warns, and is rewritten', () => {
    const observed = convergedSnapshot(seed, (s) => {
      s.ownership = null;
      s.ownershipProblem = 'realm attribute keygate.owned is not JSON';
    });
    const plan = planRealm(seed, observed);
    expect(plan.warnings[0]).toMatch(/keygate owns nothing in this realm until it writes a fresh record/);
    expect(summary(actionable(plan.changes))).toEqual(['update ownership keygate.owned']);
  });

  it('records the objects it is about to create before creating them', () => {
    const observed = convergedSnapshot(seed, (s) => {
      s.users = [];
      s.ownership!.users = [];
    });
    const ops = renderApplyOps('mcp-demo', todo(observed));
    expect(ops.map((o) => ('label' in o ? o.label : ''))).toEqual(['record ownership intent (update ownership keygate.owned)', 'create user alice', 'update ownership keygate.owned']);
    const intent = JSON.stringify(ops[0]);
    expect(intent).toContain('{"name":"alice","id":null}');
    expect(JSON.stringify(ops[2])).toContain('{"name":"alice","id":{"$var":"user:alice"}}');
  });

  it('a run that stopped at its first create left the intent (ids null): the resumed run still writes the ids it creates', () => {
    // Prepare: alice was to be created, the intent was recorded, then Keycloak refused her
    const observed = convergedSnapshot(seed, (s) => {
      s.users = [];
      s.ownership!.users = [{ name: 'alice', id: null }];
    });
    // Act
    const ops = renderApplyOps('mcp-demo', todo(observed));
    // Assess
    expect(ops.map((o) => ('label' in o ? o.label : ''))).toEqual(['record ownership intent (update ownership keygate.owned)', 'create user alice', 'update ownership keygate.owned']);
    expect(JSON.stringify(ops.at(-1))).toContain('{"name":"alice","id":{"$var":"user:alice"}}');
  });
});

describe('CIMD feature gate', () => {
  it('stops before planning when the server does not advertise client_id_metadata_document_supported', () => {
    const run = () => planRealm(seed, emptyRealmSnapshot('mcp-demo', false));
    expect(run).toThrow(KeycloakFeatureDisabledError);
    expect(run).toThrow(/client profile cimd-profile, client policy cimd-policy need Keycloak's CIMD feature.*start Keycloak with --features=cimd\. Nothing was changed/);
  });

  it('does not care about the feature when the document uses no CIMD provider', () => {
    const desired = seedWith((raw) => {
      raw.keycloak.realm.clientProfiles.splice(0, 1);
      raw.keycloak.realm.clientPolicies.splice(0, 1);
      delete raw.cimd;
    });
    expect(() => planRealm(desired, emptyRealmSnapshot('mcp-demo', false))).not.toThrow();
  });
});

describe('other objects', () => {
  it('a disabled realm is enabled by writing the whole realm back, never a partial realm body', () => {
    const changes = todo(convergedSnapshot(seed, (s) => void (s.enabled = false)));
    expect(summary(changes)).toEqual(['update realm mcp-demo']);
    expect(renderApplyOps('mcp-demo', changes)).toEqual([
      { op: 'merge-object', label: 'update realm mcp-demo', path: ['admin', 'realms', 'mcp-demo'], set: { enabled: true }, drop: ['clientProfiles', 'clientPolicies'] },
    ]);
  });

  it('resetPassword asks for a reset on every run, which never blocks convergence', () => {
    const desired = seedWith((raw) => void (raw.keycloak.realm.users[0].resetPassword = true));
    const changes = todo(convergedSnapshot(desired), desired);
    expect(summary(changes)).toEqual(['update user-password alice']);
    expect(changes.filter(blocksConvergence)).toEqual([]);
    const op = renderApplyOps('mcp-demo', changes)[0] as SendOperation;
    expect(op).toMatchObject({ method: 'PUT', path: ['admin', 'realms', 'mcp-demo', 'users', idOf('user', 'alice'), 'reset-password'], body: { type: 'password', value: { $secret: '/keygate/mcp-keycloak-agentcore/users/alice' }, temporary: false } });
  });

  it('moving a scope from both lists to optional leaves the default list only', () => {
    const observed = convergedSnapshot(seed, (s) => void s.realmDefaultClientScopes.push('mcp:tools'));
    const changes = todo(observed);
    expect(changes.map(describeChange)).toEqual(['~ realm type of client scope mcp:tools: default+optional → optional']);
    expect(renderApplyOps('mcp-demo', changes).map((o) => [(o as SendOperation).method, (o as SendOperation).path.join('/')])).toEqual([['DELETE', `admin/realms/mcp-demo/default-default-client-scopes/${idOf('scope', 'mcp:tools')}`]]);
  });

  it('gives the canary client its scopes as default scopes, taking them out of its optional ones first', () => {
    const observed = convergedSnapshot(seed, (s) => {
      s.clients[0]!.defaultClientScopes = ['acr', 'basic'];
      s.clients[0]!.optionalClientScopes = ['mcp:tools'];
    });
    const changes = todo(observed);
    expect(changes.map(describeChange)).toEqual(['~ client keygate-canary: defaultClientScopes [] → ["mcp:tools"]']);
    const ops = renderApplyOps('mcp-demo', changes) as SendOperation[];
    expect(ops.map((o) => `${o.method ?? o.op} ${o.path.slice(3).join('/')}`)).toEqual([
      `merge-object clients/${idOf('client', 'keygate-canary')}`,
      `DELETE clients/${idOf('client', 'keygate-canary')}/optional-client-scopes/${idOf('scope', 'mcp:tools')}`,
      `PUT clients/${idOf('client', 'keygate-canary')}/default-client-scopes/${idOf('scope', 'mcp:tools')}`,
    ]);
  });

  it('creates a missing mapper on the existing scope by its id (each change carries the ids it needs)', () => {
    const observed = convergedSnapshot(seed, (s) => void (s.clientScopes[0]!.protocolMappers = []));
    const ops = renderApplyOps('mcp-demo', todo(observed)) as SendOperation[];
    expect(ops[1]).toMatchObject({ method: 'POST', path: ['admin', 'realms', 'mcp-demo', 'client-scopes', idOf('scope', 'mcp:tools'), 'protocol-mappers', 'models'] });
  });

  it('replaces a mapper whose type changed (a mapper type cannot be updated in place)', () => {
    const observed = convergedSnapshot(seed, (s) => void (s.clientScopes[0]!.protocolMappers[0]!.protocolMapper = 'oidc-hardcoded-claim-mapper'));
    const ops = renderApplyOps('mcp-demo', todo(observed)) as SendOperation[];
    expect(ops.map((o) => o.method)).toEqual(['DELETE', 'POST']);
  });

  it('an owned audience mapper removed from a scope that stays is deleted; the scope is not', () => {
    const desired = seedWith((raw) => void delete raw.keycloak.realm.clientScopes[0].audienceMapper);
    const changes = todo(convergedSnapshot(seed), desired);
    expect(summary(changes)).toEqual(['delete audience-mapper mcp:tools/aud-agentcore-gateway', 'update ownership keygate.owned']);
  });
});

describe('planRealm with audienceBinding.strategy resource-indicator', () => {
  const GW = 'https://mcp-gateway-keycloak-demo-4xk2m9p7qz.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
  const bound = seedWith((r) => {
    r.keycloak.version = '26.7.3';
    r.keycloak.realm.audienceBinding = { strategy: 'resource-indicator', resource: GW };
    r.gateway.authorizer.allowedAudiences = [GW];
  });

  it('creates the resource client (bearer-only, resource_url, no secret) and gives the canary its refresh-token workaround', () => {
    const changes = todo(emptyRealmSnapshot('mcp-demo', true), bound);
    expect(summary(changes).slice(-3)).toEqual(['create client keygate-canary', 'create client mcp-gateway-demo', 'update ownership keygate.owned']);
    const ops = renderApplyOps('mcp-demo', changes) as SendOperation[];
    const resource = ops.find((o) => o.label === 'create client mcp-gateway-demo' && o.method === 'POST')!;
    expect(resource.body).toMatchObject({ clientId: 'mcp-gateway-demo', bearerOnly: true, publicClient: false, standardFlowEnabled: false, serviceAccountsEnabled: false, attributes: { resource_url: GW } });
    expect(JSON.stringify(resource.body)).not.toContain('$secret');
    const canary = ops.find((o) => o.label === 'create client keygate-canary' && o.method === 'POST')!;
    expect(canary.body).toMatchObject({ attributes: { 'client_credentials.use_refresh_token': 'true' }, secret: { $secret: '/keygate/mcp-keycloak-agentcore/canary-client-secret' } });
    // The observe step reads both clients, with only the attributes keygate manages.
    const reads = renderObserveOps(bound).filter((o) => o.id.startsWith('client:'));
    expect(reads.map((o) => o.id)).toEqual(['client:keygate-canary', 'client:mcp-gateway-demo']);
    expect(reads[0]!.pick).toEqual(expect.arrayContaining([['attributes', 'resource_url'], ['attributes', 'client_credentials.use_refresh_token']]));
  });

  it('a resource_url changed by hand is put back by merging the attribute, keeping the client\'s other attributes', () => {
    const observed = convergedSnapshot(bound, (s) => {
      s.clients[0]!.attributes = { 'client_credentials.use_refresh_token': 'true' };
      s.clients.push({ id: idOf('client', 'mcp-gateway-demo'), clientId: 'mcp-gateway-demo', enabled: true, protocol: 'openid-connect', publicClient: false, bearerOnly: true, serviceAccountsEnabled: false, standardFlowEnabled: false, implicitFlowEnabled: false, directAccessGrantsEnabled: false, attributes: { resource_url: `${GW}/` }, defaultClientScopes: ['acr'], optionalClientScopes: [] });
      s.ownership!.clients.push({ name: 'mcp-gateway-demo', id: idOf('client', 'mcp-gateway-demo') });
    });
    const changes = todo(observed, bound);
    expect(summary(changes)).toEqual(['update client mcp-gateway-demo']);
    expect(changes.map(describeChange)).toEqual([`~ client mcp-gateway-demo: attributes.resource_url "${GW}/" → "${GW}"`]);
    const ops = renderApplyOps('mcp-demo', changes);
    expect(ops).toContainEqual({ op: 'merge-object', label: 'update client mcp-gateway-demo attributes', path: ['admin', 'realms', 'mcp-demo', 'clients', idOf('client', 'mcp-gateway-demo')], key: 'attributes', set: { resource_url: GW } });
  });

  it('back to the audience-mapper strategy, the owned resource client is deleted', () => {
    const observed = convergedSnapshot(bound, (s) => {
      s.clients.push({ id: idOf('client', 'mcp-gateway-demo'), clientId: 'mcp-gateway-demo', defaultClientScopes: [], optionalClientScopes: [] });
      s.ownership!.clients.push({ name: 'mcp-gateway-demo', id: idOf('client', 'mcp-gateway-demo') });
    });
    expect(summary(todo(observed, seed))).toContain('delete client mcp-gateway-demo');
  });
});
