import type { HostOperation, PathSegment, SendOperation } from '../host/program';
import { actionable, isMapperReplacement, type RealmChange, type RealmChangeKind } from './plan-realm';
import { EMPTY_OWNERSHIP, OWNERSHIP_ATTRIBUTE, type Ownership } from './snapshot';

/** The label of a change in executor reports and errors, e.g. "create client-scope mcp:tools". */
export const changeLabel = (c: Pick<RealmChange, 'action' | 'kind' | 'name'>): string => `${c.action} ${c.kind} ${c.name}`;

/**
 * Realm fields never sent back: a realm PUT carrying the client policies fails on newer 26.x (keycloak-config-cli
 * PR #1392, UNCONFIRMED for 26.6); keygate writes them through their own endpoints only.
 */
const REALM_DROP = ['clientProfiles', 'clientPolicies'];

/** Host variables that carry the id of an object created earlier in the same program. */
const VAR_PREFIX: Partial<Record<RealmChangeKind, string>> = { user: 'user', 'client-scope': 'scope', 'audience-mapper': 'mapper', client: 'client' };
const varFor = (kind: RealmChangeKind, name: string) => ({ $var: `${VAR_PREFIX[kind]}:${name}` });

/**
 * The writes that carry out a plan, in an order Keycloak accepts: realm, ownership intent, users,
 * client scopes and their realm type, mappers, client profiles before the policies that use them
 * (and policies before the profiles they stop using), the canary client, deletions, and last the
 * final ownership record. Pure: ids of objects created in the same run travel as `{$var}` references.
 *
 * @example
 * const ops = renderApplyOps('mcp-demo', planRealm(desired, observed).changes);
 */
export function renderApplyOps(realm: string, changes: readonly RealmChange[]): HostOperation[] {
  const todo = actionable(changes);
  const base = ['admin', 'realms', realm];
  const of = (kind: RealmChangeKind, action?: RealmChange['action']) => todo.filter((c) => c.kind === kind && (!action || c.action === action));
  const send = (c: RealmChange, method: SendOperation['method'], path: PathSegment[], extra: Partial<SendOperation> = {}): SendOperation => ({ op: 'send', label: changeLabel(c), method, path, ...extra });
  // An existing scope's id comes with the change; a scope created in this run is bound by its POST.
  const scopeOf = (c: RealmChange, name: string): PathSegment => c.ref?.scopeId ?? c.ref?.scopeIds?.[name] ?? varFor('client-scope', name);
  const ownership = todo.find((c) => c.kind === 'ownership');
  const ops: HostOperation[] = [];

  for (const c of of('realm')) {
    // A new realm is created with the ownership intent in it: should the host fail after Keycloak made
    // the realm but before the answer came back, the next run still finds the realm recorded as keygate's.
    const record = ownership ? { attributes: { [OWNERSHIP_ATTRIBUTE]: { $json: intentOf(ownership) } } } : {};
    ops.push(c.action === 'create' ? send(c, 'POST', ['admin', 'realms'], { body: { ...(c.after as object), ...record } }) : { op: 'merge-object', label: changeLabel(c), path: base, set: { enabled: true }, drop: REALM_DROP });
  }
  // Record what is about to be created before creating it: a run that stops half-way still owns it.
  const creates = todo.filter((c) => c.action === 'create' && c.kind !== 'realm');
  if (ownership && creates.length) ops.push(recordOwnership(base, ownership, intentOf(ownership), 'record intent'));

  for (const c of of('user')) {
    const after = c.after as Record<string, unknown> & { passwordParameter: string; resetPassword?: boolean };
    const { passwordParameter, resetPassword, username, ...managed } = after ?? { passwordParameter: '' };
    const user = { username, ...managed };
    if (c.action === 'create') {
      ops.push(send(c, 'POST', [...base, 'users'], { body: { ...user, credentials: [{ type: 'password', value: { $secret: passwordParameter }, temporary: false }] }, bind: varFor('user', c.name).$var }));
    } else if (c.action === 'update') ops.push({ op: 'merge-object', label: changeLabel(c), path: [...base, 'users', c.ref!.id!], set: managed });
    else ops.push(send(c, 'DELETE', [...base, 'users', c.ref!.id!], { absent: [404] }));
  }
  for (const c of of('user-password')) {
    ops.push(send(c, 'PUT', [...base, 'users', c.ref!.id!, 'reset-password'], { body: { type: 'password', value: { $secret: (c.after as { passwordParameter: string }).passwordParameter }, temporary: false } }));
  }
  for (const c of [...of('client-scope', 'create'), ...of('client-scope', 'update')]) {
    const after = c.after as { attributes: Record<string, string> };
    if (c.action === 'create') ops.push(send(c, 'POST', [...base, 'client-scopes'], { body: after, bind: varFor('client-scope', c.name).$var }));
    else {
      const before = c.before as { attributes?: Record<string, string> };
      ops.push(send(c, 'PUT', [...base, 'client-scopes', c.ref!.id!], { body: { ...before, ...after, attributes: { ...before.attributes, ...after.attributes } } }));
    }
  }
  for (const c of of('client-scope-type')) ops.push(...scopeTypeOps(c, base, scopeOf(c, c.name), send));
  for (const c of of('audience-mapper')) ops.push(...mapperOps(c, base, scopeOf(c, c.name.slice(0, c.name.indexOf('/'))), send));

  const upsert = (kind: RealmChangeKind) => [...of(kind, 'create'), ...of(kind, 'update')];
  const removed = (kind: RealmChangeKind) => of(kind, 'delete').map((c) => c.name);
  const merge = (kind: 'client-profile' | 'client-policy', label: string, entries: RealmChange[], remove: string[]): HostOperation => ({
    op: 'merge-list',
    label,
    path: [...base, 'client-policies', kind === 'client-profile' ? 'profiles' : 'policies'],
    key: kind === 'client-profile' ? 'profiles' : 'policies',
    upsert: entries.map((c) => c.after),
    remove,
  });
  const listLabel = (cs: RealmChange[], names: string[]) => [...cs.map(changeLabel), ...names].join(', ');
  if (upsert('client-profile').length) ops.push(merge('client-profile', listLabel(upsert('client-profile'), []), upsert('client-profile'), []));
  if (upsert('client-policy').length || removed('client-policy').length) {
    ops.push(merge('client-policy', listLabel([...upsert('client-policy'), ...of('client-policy', 'delete')], []), upsert('client-policy'), removed('client-policy')));
  }
  if (removed('client-profile').length) ops.push(merge('client-profile', listLabel(of('client-profile', 'delete'), []), [], removed('client-profile')));

  for (const c of of('client')) ops.push(...clientOps(c, base, (name) => scopeOf(c, name), send));
  for (const c of of('client-scope', 'delete')) ops.push(send(c, 'DELETE', [...base, 'client-scopes', c.ref!.id!], { absent: [404] }));
  if (ownership) ops.push(recordOwnership(base, ownership, withCreatedIds(ownership.after as Ownership, [...creates, ...todo.filter(isMapperReplacement)]), 'update ownership keygate.owned'));
  return ops;
}

type Send = (c: RealmChange, method: SendOperation['method'], path: PathSegment[], extra?: Partial<SendOperation>) => SendOperation;

/** Realm type = membership of the default lists: leave the wrong list first, then join the right one (as the admin console does). */
function scopeTypeOps(c: RealmChange, base: string[], id: PathSegment, send: Send): SendOperation[] {
  const before = String(c.before);
  const after = String(c.after);
  const ops: SendOperation[] = [];
  for (const list of ['default', 'optional'] as const) {
    if (before.includes(list) && after !== list) ops.push(send(c, 'DELETE', [...base, `default-${list}-client-scopes`, id], { absent: [404] }));
  }
  if (after !== 'none' && !before.split('+').includes(after)) ops.push(send(c, 'PUT', [...base, `default-${after}-client-scopes`, id]));
  return ops;
}

function mapperOps(c: RealmChange, base: string[], scope: PathSegment, send: Send): SendOperation[] {
  const models = [...base, 'client-scopes', scope, 'protocol-mappers', 'models'];
  const create = () => send(c, 'POST', models, { body: c.after, bind: varFor('audience-mapper', c.name).$var });
  if (c.action === 'create') return [create()];
  if (c.action === 'delete') return [send(c, 'DELETE', [...models, c.ref!.id!], { absent: [404] })];
  const before = c.before as { id: string; protocolMapper: string; config: Record<string, string> };
  const after = c.after as { protocolMapper: string; config: Record<string, string> };
  // A mapper's type cannot be changed in place: replace it.
  if (isMapperReplacement(c)) return [send(c, 'DELETE', [...models, before.id], { absent: [404] }), create()];
  return [send(c, 'PUT', [...models, before.id], { body: { ...before, ...after, config: { ...before.config, ...after.config } } })];
}

function clientOps(c: RealmChange, base: string[], scopeId: (name: string) => PathSegment, send: Send): HostOperation[] {
  if (c.action === 'delete') return [send(c, 'DELETE', [...base, 'clients', c.ref!.id!], { absent: [404] })];
  const { secretParameter, defaultClientScopes, attributes, ...rep } = c.after as { secretParameter?: string; defaultClientScopes: string[]; attributes?: Record<string, string> } & Record<string, unknown>;
  const id: PathSegment = c.ref?.id ?? varFor('client', c.name);
  // A bearer-only resource client has no secret keygate keeps; the canary's is read on the host.
  const ops: HostOperation[] =
    c.action === 'create'
      ? [send(c, 'POST', [...base, 'clients'], { body: { ...rep, ...(attributes ? { attributes } : {}), ...(secretParameter ? { secret: { $secret: secretParameter } } : {}) }, bind: varFor('client', c.name).$var })]
      : [
          { op: 'merge-object', label: changeLabel(c), path: [...base, 'clients', id], set: rep },
          // Managed attributes merged into the client's own, never replacing them.
          ...(attributes ? [{ op: 'merge-object' as const, label: `${changeLabel(c)} attributes`, path: [...base, 'clients', id], key: 'attributes', set: attributes }] : []),
        ];
  const before = c.before as { defaultClientScopes?: string[] } | null;
  for (const scope of defaultClientScopes.filter((s) => !before?.defaultClientScopes?.includes(s))) {
    // Keycloak gives a new client the realm's optional scopes as optional: a scope is in one list only.
    ops.push(send(c, 'DELETE', [...base, 'clients', id, 'optional-client-scopes', scopeId(scope)], { absent: [404] }));
    ops.push(send(c, 'PUT', [...base, 'clients', id, 'default-client-scopes', scopeId(scope)]));
  }
  return ops;
}

function recordOwnership(base: string[], c: RealmChange, record: unknown, label: string): HostOperation {
  return { op: 'merge-object', label: label === 'record intent' ? `record ownership intent (${changeLabel(c)})` : label, path: base, key: 'attributes', set: { [OWNERSHIP_ATTRIBUTE]: { $json: record } }, drop: REALM_DROP };
}

/** Before creating: everything owned so far plus what is about to be created (nothing removed yet). */
function intentOf(c: RealmChange): Ownership {
  const before = (c.before as Ownership | null) ?? EMPTY_OWNERSHIP;
  const after = c.after as Ownership;
  const union = <T extends { name: string; scope?: string }>(a: T[], b: T[]) => {
    const key = (x: T) => `${x.scope ?? ''}/${x.name}`;
    return [...a, ...b.filter((x) => !a.some((y) => key(y) === key(x)))];
  };
  return {
    v: 1,
    realmCreated: after.realmCreated,
    users: union(before.users, after.users),
    clientScopes: union(before.clientScopes, after.clientScopes),
    audienceMappers: union(before.audienceMappers, after.audienceMappers),
    clientProfiles: [...new Set([...before.clientProfiles, ...after.clientProfiles])],
    clientPolicies: [...new Set([...before.clientPolicies, ...after.clientPolicies])],
    clients: union(before.clients, after.clients),
  };
}

/** The final record, with the ids of objects created in this run filled in on the host. */
function withCreatedIds(after: Ownership, creates: RealmChange[]): unknown {
  const created = (kind: RealmChangeKind, name: string) => creates.some((c) => c.kind === kind && c.name === name);
  const fill = <T extends { name: string; id: string | null }>(kind: RealmChangeKind, list: T[], key: (x: T) => string = (x) => x.name) =>
    list.map((x) => (x.id === null && created(kind, key(x)) ? { ...x, id: varFor(kind, key(x)) } : x));
  return {
    ...after,
    users: fill('user', after.users),
    clientScopes: fill('client-scope', after.clientScopes),
    audienceMappers: fill('audience-mapper', after.audienceMappers, (m) => `${m.scope}/${m.name}`),
    clients: fill('client', after.clients),
  };
}
