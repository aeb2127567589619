import type { DesiredState } from '../desired/document';
import type { DesiredClientScope } from '../desired/keycloak';
import { KeycloakFeatureDisabledError } from '../errors';
import { resolveKc49456 } from './analysis';
import { resourceBinding } from './audience-binding';
import { renderCanaryClient, renderResourceClient, type CanaryClientRepresentation, type ResourceClientRepresentation } from './render-client';
import { renderRealmState } from './render-realm';
import type { ClientPolicyRepresentation, ClientProfileRepresentation, ProtocolMapperRepresentation } from './representations';
import { canonicalJson, diffValues, normalizeConfig, normalizeEnabled, normalizeUsername, type FieldDiff } from './normalize';
import { EMPTY_OWNERSHIP, type ObservedRealm, type Ownership, type RawPolicy, type RawProfile } from './snapshot';

export type RealmChangeKind =
  | 'realm'
  | 'user'
  | 'user-password'
  | 'client-scope'
  | 'client-scope-type'
  | 'audience-mapper'
  | 'client-profile'
  | 'client-policy'
  | 'client'
  | 'ownership';

export type ChangeAction = 'create' | 'update' | 'delete' | 'noop';
export type ChangeReason = 'missing' | 'differs' | 'not-in-desired-state' | 'in-sync' | 'reset-requested' | 'record';

/** One planned change (house style habit 1): data, applied separately, then re-observed. */
export interface RealmChange {
  action: ChangeAction;
  kind: RealmChangeKind;
  /** The object's name; an audience mapper is `scope/mapper`. */
  name: string;
  before: unknown;
  after: unknown;
  reason: ChangeReason;
  /** For updates: each differing field, with the normalized expected and actual values. */
  diff?: FieldDiff[];
  /**
   * Ids of observed objects the apply step needs (never secrets), so that each change is applied from
   * itself alone: the state machine passes on the actionable changes only.
   */
  ref?: { id?: string; scopeId?: string; scopeIds?: Record<string, string> };
  note?: string;
}

export interface RealmPlan {
  realm: string;
  changes: RealmChange[];
  /** Entries of the realm's lists keygate neither declares nor owns: listed, never touched. */
  unmanaged: { clientProfiles: string[]; clientPolicies: string[] };
  warnings: string[];
}

/** Changes that need a write (a password reset requested on every run counts, but never blocks convergence). */
export const actionable = (changes: readonly RealmChange[]): RealmChange[] => changes.filter((c) => c.action !== 'noop');
export const blocksConvergence = (c: RealmChange): boolean => c.action !== 'noop' && c.reason !== 'reset-requested';

const CIMD_PROVIDERS = ['client-id-metadata-document', 'client-id-uri'];

/**
 * The pure Keycloak planner: what must change in the realm so that it matches the document, without
 * touching anything keygate does not own. Deletes only objects recorded in the realm's ownership
 * attribute (docs/MANAGED.md). Throws {@link KeycloakFeatureDisabledError} before planning anything when
 * the document uses CIMD and the server does not advertise it.
 *
 * @example
 * const plan = planRealm(seedDesired(), observed);
 * plan.changes.filter((c) => c.action !== 'noop'); // empty when the realm has converged
 */
export function planRealm(desired: DesiredState, observed: ObservedRealm): RealmPlan {
  const kc = desired.keycloak;
  const usedBy = [
    ...kc.realm.clientProfiles.filter((p) => p.executors.some((e) => CIMD_PROVIDERS.includes(e.executor))).map((p) => `client profile ${p.name}`),
    ...kc.realm.clientPolicies.filter((p) => p.conditions.some((c) => CIMD_PROVIDERS.includes(c.condition))).map((p) => `client policy ${p.name}`),
  ];
  if (usedBy.length && !observed.server.cimdSupported) {
    // Stored CIMD policies with the feature off break the whole realm (HTTP 500 on every client-policy
    // event, observed on 26.7.3: keycloak-real/cimd-off.test.ts); keygate never writes in that state.
    const stored = observed.clientPolicies.filter((p) => p.conditions.some((c) => c.condition === 'client-id-uri')).map((p) => p.name);
    throw new KeycloakFeatureDisabledError({ instanceId: kc.instanceId, realm: kc.realm.name }, 'cimd', usedBy, stored);
  }
  const owned = observed.ownership ?? EMPTY_OWNERSHIP;
  const rendered = renderRealmState(kc);
  const changes: RealmChange[] = [
    planRealmItself(desired, observed),
    ...planUsers(desired, observed, owned),
    ...planClientScopes(desired, observed, owned, rendered.clientScopes),
    ...planNamedList('client-profile', rendered.clientProfiles.profiles, observed.clientProfiles, observed.otherClientProfiles, owned.clientProfiles, normalizeProfile),
    ...planNamedList('client-policy', rendered.clientPolicies.policies, observed.clientPolicies, observed.otherClientPolicies, owned.clientPolicies, normalizePolicy),
    ...planClients(desired, observed, owned),
  ];
  const workaround = resolveKc49456(kc);
  for (const c of changes) {
    const added = workaround.additions.filter((a) => c.kind === 'client-policy' && a.policy === c.name).map((a) => a.profile);
    if (added.length && c.action !== 'delete') c.note = `keycloak/keycloak#49456 workaround: also uses ${added.join(', ')}`;
  }
  changes.push(planOwnership(observed, owned, changes));
  const ownedProfiles = new Set(owned.clientProfiles);
  const ownedPolicies = new Set(owned.clientPolicies);
  return {
    realm: kc.realm.name,
    changes,
    unmanaged: {
      clientProfiles: observed.otherClientProfiles.filter((n) => !ownedProfiles.has(n)),
      clientPolicies: observed.otherClientPolicies.filter((n) => !ownedPolicies.has(n)),
    },
    warnings: observed.ownershipProblem ? [`${observed.ownershipProblem}; keygate owns nothing in this realm until it writes a fresh record`] : [],
  };
}

function change(action: ChangeAction, kind: RealmChangeKind, name: string, before: unknown, after: unknown, extra: Partial<RealmChange> = {}): RealmChange {
  const reason: ChangeReason = { create: 'missing', update: 'differs', delete: 'not-in-desired-state', noop: 'in-sync' }[action] as ChangeReason;
  return { action, kind, name, before, after, reason, ...extra };
}

/** create / update / noop from a diff of normalized forms. */
function compare(kind: RealmChangeKind, name: string, before: unknown, after: unknown, diff: FieldDiff[], ref?: RealmChange['ref']): RealmChange {
  const extra = ref ? { ref } : {};
  if (before === undefined || before === null) return change('create', kind, name, null, after, extra);
  return diff.length ? change('update', kind, name, before, after, { diff, ...extra }) : change('noop', kind, name, before, after, extra);
}

function planRealmItself(desired: DesiredState, observed: ObservedRealm): RealmChange {
  const after = { realm: desired.keycloak.realm.name, enabled: true };
  if (!observed.exists) return change('create', 'realm', after.realm, null, after);
  const before = { realm: after.realm, enabled: observed.enabled };
  return compare('realm', after.realm, before, after, diffValues({ enabled: true }, { enabled: observed.enabled }));
}

const USER_FIELDS = ['email', 'firstName', 'lastName', 'enabled', 'emailVerified'] as const;

function planUsers(desired: DesiredState, observed: ObservedRealm, owned: Ownership): RealmChange[] {
  const out: RealmChange[] = [];
  const rendered = renderRealmState(desired.keycloak).users;
  for (const [i, u] of desired.keycloak.realm.users.entries()) {
    const user = rendered[i]!.user;
    const found = observed.users.find((o) => normalizeUsername(o.username) === normalizeUsername(u.username));
    const managed = (src: Record<string, unknown>) => Object.fromEntries(USER_FIELDS.filter((f) => user[f] !== undefined).map((f) => [f, f === 'email' ? String(src[f] ?? '').toLowerCase() : src[f]]));
    const after = { ...user, passwordParameter: u.passwordParameter, resetPassword: u.resetPassword };
    out.push(compare('user', u.username, found ?? null, after, found ? diffValues(managed({ ...user }), managed(found)) : [], found ? { id: found.id } : undefined));
    if (found && u.resetPassword) {
      out.push({ action: 'update', kind: 'user-password', name: u.username, before: null, after: { passwordParameter: u.passwordParameter }, reason: 'reset-requested', ref: { id: found.id } });
    }
  }
  const declared = new Set(desired.keycloak.realm.users.map((u) => normalizeUsername(u.username)));
  for (const o of owned.users) if (!declared.has(normalizeUsername(o.name)) && o.id) out.push(change('delete', 'user', o.name, o, null, { ref: { id: o.id } }));
  return out;
}

function scopeType(observed: ObservedRealm, name: string): string {
  const inDefault = observed.realmDefaultClientScopes.includes(name);
  const inOptional = observed.realmOptionalClientScopes.includes(name);
  return inDefault && inOptional ? 'default+optional' : inDefault ? 'default' : inOptional ? 'optional' : 'none';
}

type RenderedScope = ReturnType<typeof renderRealmState>['clientScopes'][number];

function planClientScopes(desired: DesiredState, observed: ObservedRealm, owned: Ownership, rendered: RenderedScope[]): RealmChange[] {
  const out: RealmChange[] = [];
  const declared = desired.keycloak.realm.clientScopes;
  for (const [i, s] of declared.entries()) {
    const want = rendered[i]!;
    const found = observed.clientScopes.find((o) => o.name === s.name);
    const ref = found ? { id: found.id, scopeId: found.id } : undefined;
    const managedAttrs = (attrs: Record<string, string>) => normalizeConfig(Object.fromEntries(Object.keys(want.scope.attributes).map((k) => [k, attrs[k]])));
    const shape = (x: { description?: string; protocol?: string; attributes: Record<string, string> }) => ({
      ...(s.description !== undefined ? { description: x.description ?? '' } : {}),
      protocol: x.protocol ?? 'openid-connect',
      attributes: managedAttrs(x.attributes),
    });
    const before = found ? { id: found.id, name: found.name, description: found.description, protocol: found.protocol, attributes: found.attributes } : null;
    out.push(compare('client-scope', s.name, before, want.scope, found ? diffValues(shape(want.scope), shape(found)) : [], ref));
    const current = found ? scopeType(observed, s.name) : 'none';
    out.push(compare('client-scope-type', s.name, found ? current : 'none', s.type, current === s.type ? [] : [{ field: 'type', expected: s.type, actual: current }], ref ?? {}));
    out.push(...planMappers(s, want.audienceMapper, found, owned));
  }
  const names = new Set(declared.map((s) => s.name));
  for (const o of owned.clientScopes) if (!names.has(o.name) && o.id) out.push(change('delete', 'client-scope', o.name, o, null, { ref: { id: o.id } }));
  return out;
}

const normalizeMapper = (m: { protocolMapper: string; config: Record<string, unknown> }, keys: string[]) => ({
  protocolMapper: m.protocolMapper,
  config: normalizeConfig(Object.fromEntries(keys.map((k) => [k, m.config[k]]))),
});

function planMappers(scope: DesiredClientScope, want: ProtocolMapperRepresentation | undefined, found: ObservedRealm['clientScopes'][number] | undefined, owned: Ownership): RealmChange[] {
  const out: RealmChange[] = [];
  if (want) {
    const name = `${scope.name}/${want.name}`;
    const existing = found?.protocolMappers.find((m) => m.name === want.name);
    const keys = Object.keys(want.config);
    const diff = existing ? diffValues(normalizeMapper(want, keys), normalizeMapper(existing, keys)) : [];
    out.push(compare('audience-mapper', name, existing ?? null, want, diff, existing ? { id: existing.id, scopeId: found!.id } : found ? { scopeId: found.id } : undefined));
  }
  // A mapper keygate created on a scope that stays, and that left the document (a deleted owned scope takes its mappers along).
  for (const m of owned.audienceMappers) {
    if (m.scope !== scope.name || m.name === want?.name || !m.id || !found) continue;
    out.push(change('delete', 'audience-mapper', `${m.scope}/${m.name}`, m, null, { ref: { id: m.id, scopeId: found.id } }));
  }
  return out;
}

type Entry = { name: string };

function planNamedList<D extends Entry, O extends Entry>(
  kind: 'client-profile' | 'client-policy',
  desired: D[],
  observed: O[],
  others: string[],
  owned: string[],
  normalize: (entry: D | O) => unknown,
): RealmChange[] {
  const out = desired.map((d) => {
    const found = observed.find((o) => o.name === d.name);
    return compare(kind, d.name, found ?? null, d, found ? diffValues(normalize(d), normalize(found)) : []);
  });
  const declared = new Set(desired.map((d) => d.name));
  for (const name of owned) if (!declared.has(name) && others.includes(name)) out.push(change('delete', kind, name, { name }, null));
  return out;
}

/** Executors keep their order (Keycloak runs them in list order); configuration is normalized. */
export function normalizeProfile(p: ClientProfileRepresentation | RawProfile): unknown {
  return {
    name: p.name,
    description: p.description ?? '',
    executors: p.executors.map((e) => ({ executor: e.executor, configuration: normalizeConfig(e.configuration) })),
  };
}

/** Conditions are a set (all must hold); profiles keep their order; a missing `enabled` is false. */
export function normalizePolicy(p: ClientPolicyRepresentation | RawPolicy): unknown {
  const conditions = p.conditions.map((c) => ({ condition: c.condition, configuration: normalizeConfig(c.configuration) }));
  return {
    name: p.name,
    description: p.description ?? '',
    enabled: normalizeEnabled(p.enabled),
    conditions: conditions.sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b))),
    profiles: [...p.profiles],
  };
}

const CLIENT_FLAGS = ['enabled', 'protocol', 'publicClient', 'bearerOnly', 'clientAuthenticatorType', 'serviceAccountsEnabled', 'standardFlowEnabled', 'implicitFlowEnabled', 'directAccessGrantsEnabled'] as const;

function planClients(desired: DesiredState, observed: ObservedRealm, owned: Ownership): RealmChange[] {
  const realm = desired.keycloak.realm;
  const binding = resourceBinding(realm);
  const canary = realm.canaryClient;
  const wanted: Array<{ want: CanaryClientRepresentation | ResourceClientRepresentation; secretParameter?: string }> = [
    ...(canary ? [{ want: renderCanaryClient(canary, desired.gateway.authorizer.allowedScopes, binding), secretParameter: canary.secretParameter }] : []),
    ...(binding && binding.clientId !== canary?.clientId ? [{ want: renderResourceClient(binding) }] : []),
  ];
  const out: RealmChange[] = [];
  for (const { want, secretParameter } of wanted) {
    const found = observed.clients.find((c) => c.clientId === want.clientId);
    const attributes = want.attributes ?? {};
    const shape = (c: Record<string, unknown>, scopes: string[]) => ({
      ...Object.fromEntries(CLIENT_FLAGS.filter((f) => f in want).map((f) => [f, c[f]])),
      // keygate requires its scopes among the client's default scopes and leaves Keycloak's own defaults alone.
      defaultClientScopes: [...scopes].sort(),
      // Only the attributes keygate manages; the client's others (secret creation time, …) are left alone.
      ...(Object.keys(attributes).length ? { attributes: Object.fromEntries(Object.keys(attributes).map((k) => [k, (c.attributes as Record<string, unknown> | undefined)?.[k] ?? null])) } : {}),
    });
    const diff = found ? diffValues(shape({ ...want }, want.defaultClientScopes), shape(found, want.defaultClientScopes.filter((s) => found.defaultClientScopes.includes(s)))) : [];
    const scopeIds = Object.fromEntries(observed.clientScopes.filter((s) => want.defaultClientScopes.includes(s.name)).map((s) => [s.name, s.id]));
    const change = compare('client', want.clientId, found ?? null, { ...want, ...(secretParameter ? { secretParameter } : {}) }, diff, found ? { id: found.id } : undefined);
    out.push({ ...change, ref: { ...change.ref, scopeIds } });
  }
  const ids = new Set(wanted.map((w) => w.want.clientId));
  for (const o of owned.clients) if (!ids.has(o.name) && o.id) out.push(change('delete', 'client', o.name, o, null, { ref: { id: o.id } }));
  return out;
}

/**
 * An audience mapper whose type changes is deleted and created again (Keycloak cannot change a
 * mapper's type in place), so it gets a new id: the ownership record takes the new one.
 */
/** Kinds whose ownership entries carry the object's id. */
const ID_KINDS = new Set<RealmChangeKind>(['user', 'client-scope', 'audience-mapper', 'client']);

export const isMapperReplacement = (c: RealmChange): boolean =>
  c.kind === 'audience-mapper' && c.action === 'update' && (c.before as { protocolMapper?: string } | null)?.protocolMapper !== (c.after as { protocolMapper?: string } | null)?.protocolMapper;

/**
 * The ownership record after this plan: what keygate creates is added (its id is known after the
 * create, so it is null here), what it deletes is removed, null ids are filled in, and entries whose
 * object is gone are pruned, so a later object of the same name, made by someone else, is never
 * mistaken for keygate's: a recorded id that differs from the live object's id means keygate's
 * object was deleted and the name reused, and the entry is dropped (the object is still updated while
 * the document declares it, but never deleted).
 */
function planOwnership(observed: ObservedRealm, owned: Ownership, changes: RealmChange[]): RealmChange {
  const deleted = (kind: RealmChangeKind, name: string) => changes.some((c) => c.action === 'delete' && c.kind === kind && c.name === name);
  const created = (kind: RealmChangeKind) => changes.filter((c) => c.action === 'create' && c.kind === kind).map((c) => c.name);
  const live = (kind: RealmChangeKind) => new Map(changes.filter((c) => c.kind === kind && c.action !== 'delete' && c.action !== 'create').map((c) => [c.name, c.ref?.id ?? null]));
  /** The entry kept for a live object of that name: its id filled in, or none when the name was reused. */
  const keep = (recorded: string | null, live: string | null | undefined): { id: string | null } | undefined => (recorded && live && live !== recorded ? undefined : { id: live ?? recorded });
  const objects = (kind: RealmChangeKind, list: Array<{ name: string; id: string | null }>) => {
    const present = live(kind);
    const kept = list
      .filter((o) => !deleted(kind, o.name) && present.has(o.name))
      .flatMap((o) => {
        const entry = keep(o.id, present.get(o.name));
        return entry ? [{ name: o.name, ...entry }] : [];
      });
    return sortByName([...kept, ...created(kind).filter((n) => !kept.some((k) => k.name === n)).map((name) => ({ name, id: null }))]);
  };
  const mappers = () => {
    const present = live('audience-mapper');
    // A replaced mapper's new id is known after its create, like a created one's.
    const replaced = (key: string) => changes.some((c) => isMapperReplacement(c) && c.name === key);
    const kept = owned.audienceMappers
      .map((m) => ({ ...m, key: `${m.scope}/${m.name}` }))
      .filter((m) => !deleted('audience-mapper', m.key) && present.has(m.key))
      .flatMap((m) => {
        const entry = replaced(m.key) ? { id: null } : keep(m.id, present.get(m.key));
        return entry ? [{ scope: m.scope, name: m.name, ...entry }] : [];
      });
    const added = created('audience-mapper').filter((k) => !kept.some((m) => `${m.scope}/${m.name}` === k)).map((k) => ({ scope: k.slice(0, k.indexOf('/')), name: k.slice(k.indexOf('/') + 1), id: null }));
    return [...kept, ...added].sort((a, b) => `${a.scope}/${a.name}`.localeCompare(`${b.scope}/${b.name}`));
  };
  const names = (kind: RealmChangeKind, list: string[]) => {
    const present = live(kind);
    return [...new Set([...list.filter((n) => !deleted(kind, n) && present.has(n)), ...created(kind)])].sort();
  };
  const after: Ownership = {
    v: 1,
    realmCreated: owned.realmCreated || changes.some((c) => c.kind === 'realm' && c.action === 'create'),
    users: objects('user', owned.users),
    clientScopes: objects('client-scope', owned.clientScopes),
    audienceMappers: mappers(),
    clientProfiles: names('client-profile', owned.clientProfiles),
    clientPolicies: names('client-policy', owned.clientPolicies),
    clients: objects('client', owned.clients),
  };
  const before = observed.ownership;
  // An object created in this run gets its id into the record only by the final record write: a record
  // that already lists it (with a null id, from the intent a failed run wrote) is not in sync yet.
  const fillsIds = changes.some((c) => (c.action === 'create' && ID_KINDS.has(c.kind)) || isMapperReplacement(c));
  const same = before !== null && !fillsIds && canonicalJson(after) === canonicalJson(before) && !observed.ownershipProblem;
  const empty = canonicalJson(after) === canonicalJson(EMPTY_OWNERSHIP);
  if (same || (before === null && empty && !observed.ownershipProblem)) return { action: 'noop', kind: 'ownership', name: 'keygate.owned', before, after, reason: 'in-sync' };
  const diff = diffValues(after, before ?? EMPTY_OWNERSHIP).filter((d) => !(d.expected === null && d.actual === undefined));
  return { action: 'update', kind: 'ownership', name: 'keygate.owned', before, after, reason: 'record', diff };
}

const sortByName = <T extends { name: string }>(list: T[]): T[] => [...list].sort((a, b) => a.name.localeCompare(b.name));

