import { randomBytes, randomUUID } from 'node:crypto';
import {
  CIMD_CONDITIONS,
  CIMD_EXECUTORS,
  CONDITIONS,
  EXECUTORS,
  GLOBAL_POLICIES,
  GLOBAL_PROFILES,
  MAPPER_TYPES,
  newRealm,
  type ClientState,
  type Json,
  type RealmState,
  type ScopeState,
} from './state';

/** What a route handler answers: status, JSON body (or none), and a Location for 201. */
export interface Reply {
  status: number;
  body?: unknown;
  location?: string;
}

export interface AdminContext {
  realms: Map<string, RealmState>;
  features: { cimd: boolean };
  /** Base URL for Location headers. */
  baseUrl: string;
}

type Params = Record<string, string>;
type Handler = (ctx: AdminContext, p: Params, body: any, query: URLSearchParams) => Reply;

// Keycloak answers admin errors as {"errorMessage": …} (ErrorRepresentation) and missing resources
// as {"error": …}; exact texts are the server's where known, otherwise UNCONFIRMED.
const error = (status: number, errorMessage: string): Reply => ({ status, body: { errorMessage } });
const notFound = (what: string): Reply => ({ status: 404, body: { error: what } });
const ok = (body: unknown): Reply => ({ status: 200, body });
const noContent: Reply = { status: 204 };
const created = (ctx: AdminContext, path: string, id: string): Reply => ({ status: 201, location: `${ctx.baseUrl}${path}/${id}` });

/** Routes as [method, path pattern, handler]; `:realm` resolves the realm or answers 404 like Keycloak. */
export const ADMIN_ROUTES: Array<[string, string, Handler]> = [
  ['GET', '/admin/realms', (ctx) => ok([...ctx.realms.values()].map(realmRep))],
  ['POST', '/admin/realms', (ctx, _p, body) => {
    if (!body?.realm) return error(400, 'Realm name cannot be empty');
    if (ctx.realms.has(body.realm)) return error(409, 'Conflict detected. See logs for details');
    // RealmRepresentation.enabled defaults to false: a realm created without it is disabled.
    const realm = newRealm(body.realm, body.enabled === true);
    Object.assign(realm.attributes, body.attributes ?? {});
    ctx.realms.set(realm.realm, realm);
    return created(ctx, '/admin/realms', realm.realm);
  }],
  ['GET', '/admin/realms/:realm', (ctx, p) => ok(realmRep(realmOf(ctx, p)))],
  ['PUT', '/admin/realms/:realm', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    // Keycloak's RepresentationToModel.updateRealm: a body with `attributes` REPLACES the attribute set
    // (attributes not sent are removed), plain fields change only when sent, and the WebAuthn policy is
    // rebuilt from the body every time (defaults for what it leaves out): a partial PUT loses settings.
    // A body carrying client policies fails on newer 26.x (keycloak-config-cli PR #1392; UNCONFIRMED for 26.6).
    if (body?.clientProfiles !== undefined || body?.clientPolicies !== undefined) return { status: 500, body: { error: 'unknown_error' } };
    if (body?.attributes) r.attributes = Object.fromEntries(Object.entries(body.attributes as Record<string, unknown>).filter(([, v]) => v !== null).map(([k, v]) => [k, String(v)]));
    if (typeof body?.enabled === 'boolean') r.enabled = body.enabled;
    if (typeof body?.displayName === 'string') r.displayName = body.displayName;
    r.webAuthnPolicyRpEntityName = typeof body?.webAuthnPolicyRpEntityName === 'string' ? body.webAuthnPolicyRpEntityName : 'keycloak';
    return noContent;
  }],
  ['DELETE', '/admin/realms/:realm', (ctx, p) => (realmOf(ctx, p), ctx.realms.delete(p.realm!), noContent)],

  ['GET', '/admin/realms/:realm/users', (ctx, p, _b, q) => {
    const name = q.get('username')?.toLowerCase();
    const exact = q.get('exact') === 'true';
    const users = realmOf(ctx, p).users.filter((u) => name === undefined || (exact ? u.username === name : u.username.includes(name)));
    return ok(users.map(({ credentials, ...u }) => u));
  }],
  ['POST', '/admin/realms/:realm/users', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    const username = String(body?.username ?? '').toLowerCase();
    if (!username) return error(400, 'error-user-attribute-required');
    if (r.users.some((u) => u.username === username)) return error(409, 'User exists with same username');
    const id = randomUUID();
    const { credentials = [], ...rest } = body;
    r.users.push({ ...rest, id, username, email: rest.email?.toLowerCase(), enabled: rest.enabled === true, emailVerified: rest.emailVerified === true, createdTimestamp: Date.now(), credentials: credentials.map(credential) });
    return created(ctx, `/admin/realms/${r.realm}/users`, id);
  }],
  ['GET', '/admin/realms/:realm/users/:id', (ctx, p) => {
    const { credentials, ...u } = userOf(realmOf(ctx, p), p.id!);
    return ok(u);
  }],
  ['PUT', '/admin/realms/:realm/users/:id', (ctx, p, body) => {
    const u = userOf(realmOf(ctx, p), p.id!);
    const { credentials, id, username, ...rest } = body ?? {};
    Object.assign(u, rest, rest.email ? { email: String(rest.email).toLowerCase() } : {});
    return noContent;
  }],
  ['PUT', '/admin/realms/:realm/users/:id/reset-password', (ctx, p, body) => {
    const u = userOf(realmOf(ctx, p), p.id!);
    if (!body?.value) return error(400, 'missing password value');
    u.credentials = [credential(body)];
    return noContent;
  }],
  ['DELETE', '/admin/realms/:realm/users/:id', (ctx, p) => {
    const r = realmOf(ctx, p);
    userOf(r, p.id!);
    r.users = r.users.filter((u) => u.id !== p.id);
    return noContent;
  }],

  ['GET', '/admin/realms/:realm/client-scopes', (ctx, p) => ok(realmOf(ctx, p).clientScopes)],
  ['POST', '/admin/realms/:realm/client-scopes', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    if (!body?.name) return error(400, 'Client scope name cannot be empty');
    if (r.clientScopes.some((s) => s.name === body.name)) return error(409, `Client Scope ${body.name} already exists`);
    const scope: ScopeState = { ...body, id: randomUUID(), protocol: body.protocol ?? 'openid-connect', attributes: { ...(body.attributes ?? {}) }, protocolMappers: (body.protocolMappers ?? []).map((m: Json) => ({ ...m, id: randomUUID() })) };
    r.clientScopes.push(scope);
    return created(ctx, `/admin/realms/${r.realm}/client-scopes`, scope.id);
  }],
  ['GET', '/admin/realms/:realm/client-scopes/:id', (ctx, p) => ok(scopeOf(realmOf(ctx, p), p.id!))],
  ['PUT', '/admin/realms/:realm/client-scopes/:id', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    const s = scopeOf(r, p.id!);
    if (body?.name && body.name !== s.name && r.clientScopes.some((o) => o.name === body.name)) return error(409, `Client Scope ${body.name} already exists`);
    const { id, protocolMappers, attributes, ...rest } = body ?? {};
    Object.assign(s, rest);
    for (const [k, v] of Object.entries(attributes ?? {})) if (v === null) delete s.attributes[k]; else s.attributes[k] = String(v);
    return noContent;
  }],
  ['DELETE', '/admin/realms/:realm/client-scopes/:id', (ctx, p) => {
    const r = realmOf(ctx, p);
    scopeOf(r, p.id!);
    // Keycloak also drops the scope from the realm's default lists and from every client.
    r.clientScopes = r.clientScopes.filter((s) => s.id !== p.id);
    r.defaultDefaultScopes = r.defaultDefaultScopes.filter((id) => id !== p.id);
    r.defaultOptionalScopes = r.defaultOptionalScopes.filter((id) => id !== p.id);
    for (const c of r.clients) {
      c.defaultClientScopes = c.defaultClientScopes.filter((id) => id !== p.id);
      c.optionalClientScopes = c.optionalClientScopes.filter((id) => id !== p.id);
    }
    return noContent;
  }],
  ['GET', '/admin/realms/:realm/client-scopes/:id/protocol-mappers/models', (ctx, p) => ok(scopeOf(realmOf(ctx, p), p.id!).protocolMappers)],
  ['POST', '/admin/realms/:realm/client-scopes/:id/protocol-mappers/models', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    const s = scopeOf(r, p.id!);
    if (!MAPPER_TYPES.includes(body?.protocolMapper)) return error(400, `Protocol mapper type ${body?.protocolMapper} not found`);
    if (s.protocolMappers.some((m) => m.name === body.name)) return error(409, `Protocol mapper exists with same name`);
    const mapper = { ...body, id: randomUUID(), config: { ...(body.config ?? {}) } };
    s.protocolMappers.push(mapper);
    return created(ctx, `/admin/realms/${r.realm}/client-scopes/${s.id}/protocol-mappers/models`, mapper.id);
  }],
  ['PUT', '/admin/realms/:realm/client-scopes/:id/protocol-mappers/models/:mid', (ctx, p, body) => {
    const m = mapperOf(scopeOf(realmOf(ctx, p), p.id!), p.mid!);
    if (body?.protocolMapper && body.protocolMapper !== m.protocolMapper) return error(400, 'cannot change the type of a protocol mapper');
    Object.assign(m, { ...body, id: m.id, config: { ...(body?.config ?? m.config) } });
    return noContent;
  }],
  ['DELETE', '/admin/realms/:realm/client-scopes/:id/protocol-mappers/models/:mid', (ctx, p) => {
    const s = scopeOf(realmOf(ctx, p), p.id!);
    mapperOf(s, p.mid!);
    s.protocolMappers = s.protocolMappers.filter((m) => m.id !== p.mid);
    return noContent;
  }],

  ...(['default', 'optional'] as const).flatMap((type): Array<[string, string, Handler]> => {
    const list = (r: RealmState) => (type === 'default' ? 'defaultDefaultScopes' : 'defaultOptionalScopes') as 'defaultDefaultScopes' | 'defaultOptionalScopes';
    const path = `/admin/realms/:realm/default-${type}-client-scopes`;
    return [
      ['GET', path, (ctx, p) => {
        const r = realmOf(ctx, p);
        return ok(r[list(r)].map((id) => scopeOf(r, id)).map((s) => ({ id: s.id, name: s.name })));
      }],
      ['PUT', `${path}/:id`, (ctx, p) => {
        const r = realmOf(ctx, p);
        scopeOf(r, p.id!);
        if (!r[list(r)].includes(p.id!)) r[list(r)].push(p.id!);
        return noContent;
      }],
      ['DELETE', `${path}/:id`, (ctx, p) => {
        const r = realmOf(ctx, p);
        scopeOf(r, p.id!);
        r[list(r)] = r[list(r)].filter((id) => id !== p.id);
        return noContent;
      }],
    ];
  }),

  ['GET', '/admin/realms/:realm/clients', (ctx, p, _b, q) => {
    const clientId = q.get('clientId');
    const search = q.get('search') === 'true';
    const clients = realmOf(ctx, p).clients.filter((c) => clientId === null || (search ? c.clientId.includes(clientId) : c.clientId === clientId));
    return ok(clients.map(clientRep));
  }],
  ['POST', '/admin/realms/:realm/clients', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    if (!body?.clientId) return error(400, 'Client id cannot be empty');
    if (r.clients.some((c) => c.clientId === body.clientId)) return error(409, `Client ${body.clientId} already exists`);
    const { defaultClientScopes, optionalClientScopes, ...rest } = body;
    const byName = (names: string[]) => names.map((n) => r.clientScopes.find((s) => s.name === n)?.id).filter((id): id is string => !!id);
    const client: ClientState = {
      enabled: true,
      ...rest,
      id: randomUUID(),
      secret: rest.publicClient ? undefined : (rest.secret ?? randomBytes(16).toString('hex')),
      // A new client gets the realm's default and optional scopes unless it names its own.
      defaultClientScopes: defaultClientScopes ? byName(defaultClientScopes) : [...r.defaultDefaultScopes],
      optionalClientScopes: optionalClientScopes ? byName(optionalClientScopes) : [...r.defaultOptionalScopes],
    };
    r.clients.push(client);
    return created(ctx, `/admin/realms/${r.realm}/clients`, client.id);
  }],
  ['GET', '/admin/realms/:realm/clients/:id', (ctx, p) => ok(clientRep(clientOf(realmOf(ctx, p), p.id!)))],
  ['PUT', '/admin/realms/:realm/clients/:id', (ctx, p, body) => {
    const c = clientOf(realmOf(ctx, p), p.id!);
    const { id, defaultClientScopes, optionalClientScopes, ...rest } = body ?? {};
    Object.assign(c, rest);
    return noContent;
  }],
  ['DELETE', '/admin/realms/:realm/clients/:id', (ctx, p) => {
    const r = realmOf(ctx, p);
    clientOf(r, p.id!);
    r.clients = r.clients.filter((c) => c.id !== p.id);
    return noContent;
  }],
  ...(['default', 'optional'] as const).flatMap((type): Array<[string, string, Handler]> => {
    const key = type === 'default' ? 'defaultClientScopes' : 'optionalClientScopes';
    const other = type === 'default' ? 'optionalClientScopes' : 'defaultClientScopes';
    const path = `/admin/realms/:realm/clients/:id/${type}-client-scopes`;
    return [
      ['GET', path, (ctx, p) => {
        const r = realmOf(ctx, p);
        return ok(clientOf(r, p.id!)[key].map((id) => scopeOf(r, id)).map((s) => ({ id: s.id, name: s.name })));
      }],
      ['PUT', `${path}/:sid`, (ctx, p) => {
        const r = realmOf(ctx, p);
        const c = clientOf(r, p.id!);
        scopeOf(r, p.sid!);
        // A scope is assigned to a client once, as default or optional (UNCONFIRMED status for the clash).
        if (c[other].includes(p.sid!)) return error(409, `Client scope ${scopeOf(r, p.sid!).name} is already assigned as ${type === 'default' ? 'optional' : 'default'}`);
        if (!c[key].includes(p.sid!)) c[key].push(p.sid!);
        return noContent;
      }],
      ['DELETE', `${path}/:sid`, (ctx, p) => {
        const r = realmOf(ctx, p);
        const c = clientOf(r, p.id!);
        scopeOf(r, p.sid!);
        c[key] = c[key].filter((id) => id !== p.sid);
        return noContent;
      }],
    ];
  }),

  ['GET', '/admin/realms/:realm/client-policies/profiles', (ctx, p, _b, q) => {
    const r = realmOf(ctx, p);
    return ok({ profiles: r.profiles, ...(q.get('include-global-profiles') === 'true' ? { globalProfiles: GLOBAL_PROFILES } : {}) });
  }],
  ['PUT', '/admin/realms/:realm/client-policies/profiles', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    const problem = profilesProblem(ctx, body?.profiles);
    if (problem) return error(400, problem);
    r.profiles = structuredClone(body.profiles);
    return noContent;
  }],
  ['GET', '/admin/realms/:realm/client-policies/policies', (ctx, p, _b, q) => {
    const r = realmOf(ctx, p);
    return ok({ policies: r.policies, ...(q.get('include-global-policies') === 'true' ? { globalPolicies: GLOBAL_POLICIES } : {}) });
  }],
  ['PUT', '/admin/realms/:realm/client-policies/policies', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    const problem = policiesProblem(ctx, r, body?.policies);
    if (problem) return error(400, problem);
    // A policy stored without `enabled` is disabled (ClientPoliciesUtil).
    r.policies = structuredClone(body.policies as Json[]).map((pol) => ({ ...pol, enabled: pol.enabled === true || pol.enabled === 'true' }));
    return noContent;
  }],
];

/** Thrown by lookups; the server turns it into the reply (Keycloak's NotFoundException). */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

function realmOf(ctx: AdminContext, p: Params): RealmState {
  const r = ctx.realms.get(p.realm!);
  if (!r) throw new ReplyError(notFound('Realm not found.'));
  return r;
}
const userOf = (r: RealmState, id: string) => r.users.find((u) => u.id === id) ?? fail(notFound('User not found'));
const scopeOf = (r: RealmState, id: string) => r.clientScopes.find((s) => s.id === id) ?? fail(notFound('Could not find client scope'));
const clientOf = (r: RealmState, id: string) => r.clients.find((c) => c.id === id) ?? fail(notFound('Could not find client'));
const mapperOf = (s: ScopeState, id: string) => s.protocolMappers.find((m) => m.id === id) ?? fail(notFound('Model not found'));
function fail(reply: Reply): never {
  throw new ReplyError(reply);
}

const credential = (c: Json) => ({ type: String(c.type ?? 'password'), value: String(c.value), temporary: c.temporary === true });

function realmRep(r: RealmState): Json {
  return {
    id: r.id, realm: r.realm, enabled: r.enabled, ...(r.displayName !== undefined ? { displayName: r.displayName } : {}),
    sslRequired: 'external', accessTokenLifespan: 300, registrationAllowed: false, webAuthnPolicyRpEntityName: r.webAuthnPolicyRpEntityName, attributes: { ...r.attributes },
  };
}

/** Keycloak returns a confidential client's secret to admins: the observe step must never pass it on. */
function clientRep(c: ClientState): Json {
  const { defaultClientScopes, optionalClientScopes, ...rest } = c;
  return rest;
}

function profilesProblem(ctx: AdminContext, profiles: unknown): string | undefined {
  if (!Array.isArray(profiles)) return 'invalid client profiles representation';
  const names = new Set<string>();
  const known = [...EXECUTORS, ...(ctx.features.cimd ? CIMD_EXECUTORS : [])];
  for (const p of profiles as Json[]) {
    if (!p.name) return 'Proposed client profile name missing.';
    if (names.has(p.name)) return `Proposed client profile name duplicated: ${p.name}`;
    if (GLOBAL_PROFILES.some((g) => g.name === p.name)) return 'Proposed profile name duplicated as the name of some global profile.';
    names.add(p.name);
    for (const e of (p.executors ?? []) as Json[]) if (!known.includes(e.executor)) return `no executor provider found for ${e.executor}`;
  }
  return undefined;
}

function policiesProblem(ctx: AdminContext, r: RealmState, policies: unknown): string | undefined {
  if (!Array.isArray(policies)) return 'invalid client policies representation';
  const names = new Set<string>();
  const known = [...CONDITIONS, ...(ctx.features.cimd ? CIMD_CONDITIONS : [])];
  const profiles = new Set([...GLOBAL_PROFILES.map((g) => g.name), ...r.profiles.map((p) => p.name)]);
  for (const p of policies as Json[]) {
    if (!p.name) return 'Proposed client policy name missing.';
    if (names.has(p.name)) return `Proposed client policy name duplicated: ${p.name}`;
    names.add(p.name);
    for (const c of (p.conditions ?? []) as Json[]) if (!known.includes(c.condition)) return `no condition provider found for ${c.condition}`;
    for (const name of (p.profiles ?? []) as string[]) if (!profiles.has(name)) return 'referring not existing client profile not allowed.';
  }
  return undefined;
}
