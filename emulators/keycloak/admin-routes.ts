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

// Keycloak answers admin errors as {"errorMessage": …} (ErrorRepresentation), missing resources as
// {"error": …}, user-profile failures as {"field", "errorMessage", "params"}; the texts are 26.7.3's,
// as tests/integration/keycloak-real/contract.test.ts observes them.
const error = (status: number, errorMessage: string): Reply => ({ status, body: { errorMessage } });
const duplicate: Reply = { status: 409, body: { error: 'conflict', error_description: 'Duplicate resource error' } };
const serverError: Reply = { status: 500, body: { error: 'unknown_error', error_description: 'For more on this error consult the server log.' } };
const notFound = (what: string): Reply => ({ status: 404, body: { error: what } });
const ok = (body: unknown): Reply => ({ status: 200, body });
const noContent: Reply = { status: 204 };
const created = (ctx: AdminContext, path: string, id: string): Reply => ({ status: 201, location: `${ctx.baseUrl}${path}/${id}` });

/** Routes as [method, path pattern, handler]; `:realm` resolves the realm or answers 404 like Keycloak. */
export const ADMIN_ROUTES: Array<[string, string, Handler]> = [
  ['GET', '/admin/realms', (ctx) => ok([...ctx.realms.values()].map(realmRep))],
  ['POST', '/admin/realms', (ctx, _p, body) => {
    if (!body?.realm) return error(400, 'Realm name cannot be empty');
    if (ctx.realms.has(body.realm)) return error(409, `Realm ${body.realm} already exists`);
    // RealmRepresentation.enabled defaults to false: a realm created without it is disabled.
    const realm = newRealm(body.realm, body.enabled === true);
    Object.assign(realm.attributes, body.attributes ?? {});
    ctx.realms.set(realm.realm, realm);
    return created(ctx, '/admin/realms', realm.realm);
  }],
  ['GET', '/admin/realms/:realm', (ctx, p) => ok(realmRep(realmOf(ctx, p)))],
  ['PUT', '/admin/realms/:realm', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    // Keycloak's updateRealm (DefaultExportImportManager): `attributes`, when sent, REPLACE the attribute
    // set (attributes not sent are removed); plain fields change only when sent; the device flow
    // lifespan is reset to its default when left out; the WebAuthn policy is rebuilt only when the body
    // names its RP entity; client profiles and policies in the body are validated and replace the lists
    // (500 "Failed to update realm" when invalid).
    const invalid = (body?.clientProfiles !== undefined && profilesProblem(ctx, body.clientProfiles?.profiles)) ||
      (body?.clientPolicies !== undefined && policiesProblem(ctx, r, body.clientPolicies?.policies, body.clientProfiles?.profiles));
    if (invalid) return error(500, 'Failed to update realm');
    if (body?.clientProfiles !== undefined) r.profiles = structuredClone(body.clientProfiles.profiles ?? []);
    if (body?.clientPolicies !== undefined) r.policies = storedPolicies(body.clientPolicies.policies ?? []);
    if (body?.attributes) r.attributes = Object.fromEntries(Object.entries(body.attributes as Record<string, unknown>).filter(([, v]) => v !== null).map(([k, v]) => [k, String(v)]));
    if (typeof body?.enabled === 'boolean') r.enabled = body.enabled;
    if (typeof body?.displayName === 'string') r.displayName = body.displayName;
    if (typeof body?.webAuthnPolicyRpEntityName === 'string' && body.webAuthnPolicyRpEntityName !== '') r.webAuthnPolicyRpEntityName = body.webAuthnPolicyRpEntityName;
    r.oauth2DeviceCodeLifespan = typeof body?.oauth2DeviceCodeLifespan === 'number' ? body.oauth2DeviceCodeLifespan : 600;
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
    const email = typeof body?.email === 'string' && body.email !== '' ? body.email.toLowerCase() : undefined;
    const problem = userProfileProblem(username, email);
    if (problem) return { status: 400, body: problem };
    if (r.users.some((u) => u.username === username)) return error(409, 'User exists with same username');
    if (email && r.users.some((u) => u.email === email)) return error(409, 'User exists with same email');
    const id = randomUUID();
    const { credentials = [], ...rest } = body;
    r.users.push({ ...rest, id, username, ...(email ? { email } : {}), enabled: rest.enabled === true, emailVerified: rest.emailVerified === true, createdTimestamp: Date.now(), credentials: credentials.map(credential) });
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
    if (!body?.value) return { status: 400, body: { error: 'No password provided' } };
    u.credentials = [credential(body)];
    return noContent;
  }],
  ['DELETE', '/admin/realms/:realm/users/:id', (ctx, p) => {
    const r = realmOf(ctx, p);
    userOf(r, p.id!);
    r.users = r.users.filter((u) => u.id !== p.id);
    return noContent;
  }],

  ['GET', '/admin/realms/:realm/client-scopes', (ctx, p) => ok(realmOf(ctx, p).clientScopes.map(scopeRep))],
  ['POST', '/admin/realms/:realm/client-scopes', (ctx, p, body) => {
    const r = realmOf(ctx, p);
    // ClientScopeResource: names of printable ASCII without space, '"' or '\\'; the protocol one Keycloak knows.
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(String(body?.name ?? ''))) return error(400, `Unexpected name "${body?.name ?? ''}" for ClientScope`);
    if (!['openid-connect', 'saml'].includes(body.protocol)) return error(400, 'Unexpected protocol');
    if (r.clientScopes.some((s) => s.name === body.name)) return error(409, `Client Scope ${body.name} already exists`);
    const scope: ScopeState = { ...body, id: randomUUID(), attributes: { ...(body.attributes ?? {}) }, protocolMappers: (body.protocolMappers ?? []).map((m: Json) => ({ ...m, id: randomUUID(), consentRequired: m.consentRequired === true })) };
    r.clientScopes.push(scope);
    return created(ctx, `/admin/realms/${r.realm}/client-scopes`, scope.id);
  }],
  ['GET', '/admin/realms/:realm/client-scopes/:id', (ctx, p) => ok(scopeRep(scopeOf(realmOf(ctx, p), p.id!)))],
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
    if (!(MAPPER_TYPES[s.protocol] ?? []).includes(body?.protocolMapper)) return notFound('ProtocolMapper provider not found');
    if (s.protocolMappers.some((m) => m.name === body.name)) return error(409, `Protocol mapper exists with same name`);
    const mapper = { ...body, id: randomUUID(), consentRequired: body.consentRequired === true, config: { ...(body.config ?? {}) } };
    s.protocolMappers.push(mapper);
    return created(ctx, `/admin/realms/${r.realm}/client-scopes/${s.id}/protocol-mappers/models`, mapper.id);
  }],
  ['PUT', '/admin/realms/:realm/client-scopes/:id/protocol-mappers/models/:mid', (ctx, p, body) => {
    const s = scopeOf(realmOf(ctx, p), p.id!);
    mapperOf(s, p.mid!);
    // ProtocolMappersResource.update builds the model from the body: the body's id decides (none: a
    // server error), the name never changes, the type may, and the config is replaced whole.
    if (!body?.id) return serverError;
    const m = s.protocolMappers.find((x) => x.id === body.id);
    if (!m) return notFound('Model not found');
    Object.assign(m, { protocolMapper: body.protocolMapper ?? m.protocolMapper, consentRequired: body.consentRequired === true, config: { ...(body.config ?? {}) } });
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
        return ok(r[list(r)].map((id) => scopeOf(r, id)).map((s) => ({ id: s.id, name: s.name, protocol: s.protocol })));
      }],
      ['PUT', `${path}/:id`, (ctx, p) => {
        const r = realmOf(ctx, p);
        scopeOf(r, p.id!);
        // One row per (realm, scope): already in either list → a duplicate key → 409 (RealmAdapter).
        if (r.defaultDefaultScopes.includes(p.id!) || r.defaultOptionalScopes.includes(p.id!)) return duplicate;
        r[list(r)].push(p.id!);
        return noContent;
      }],
      ['DELETE', `${path}/:id`, (ctx, p) => {
        const r = realmOf(ctx, p);
        scopeOf(r, p.id!);
        // removeDefaultClientScope deletes the row whatever its type: from both lists.
        r.defaultDefaultScopes = r.defaultDefaultScopes.filter((id) => id !== p.id);
        r.defaultOptionalScopes = r.defaultOptionalScopes.filter((id) => id !== p.id);
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
    const protocol = rest.protocol ?? 'openid-connect';
    const byName = (names: string[] = []) => names.map((n) => r.clientScopes.find((s) => s.name === n)?.id).filter((id): id is string => !!id);
    const ofProtocol = (ids: string[]) => ids.filter((id) => scopeOf(r, id).protocol === protocol);
    // A new client gets the realm's default and optional scopes of its protocol, unless it names scopes
    // of its own (then only those); a service-account client also gets service_account as a default.
    const named = defaultClientScopes !== undefined || optionalClientScopes !== undefined;
    const serviceAccount = rest.serviceAccountsEnabled === true ? r.clientScopes.filter((s) => s.name === 'service_account').map((s) => s.id) : [];
    const client: ClientState = {
      enabled: true,
      ...rest,
      protocol,
      id: randomUUID(),
      secret: rest.publicClient ? undefined : (rest.secret ?? randomBytes(16).toString('hex')),
      defaultClientScopes: [...new Set([...(named ? byName(defaultClientScopes) : ofProtocol(r.defaultDefaultScopes)), ...serviceAccount])],
      optionalClientScopes: named ? byName(optionalClientScopes) : ofProtocol(r.defaultOptionalScopes),
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
        // A scope the client already has, as default or optional, is left as it is: a silent 204 (JpaRealmProvider).
        if (!c[other].includes(p.sid!) && !c[key].includes(p.sid!)) c[key].push(p.sid!);
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
    const unknown = unknownField(body?.policies, POLICY_FIELDS);
    if (unknown) return { status: 400, body: { error: `Invalid json representation for ClientPolicyRepresentation. Unrecognized field "${unknown}" at line 1 column ${columnAfter(body, unknown)}.` } };
    const problem = policiesProblem(ctx, r, body?.policies);
    if (problem) return error(400, problem);
    r.policies = storedPolicies(body.policies);
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
    sslRequired: 'external', accessTokenLifespan: 300, registrationAllowed: false, webAuthnPolicyRpEntityName: r.webAuthnPolicyRpEntityName,
    oauth2DeviceCodeLifespan: r.oauth2DeviceCodeLifespan, attributes: { ...r.attributes },
  };
}

/** Keycloak omits null and empty fields: no `description` unless set, no `protocolMappers` unless there are some. */
function scopeRep(s: ScopeState): Json {
  const { protocolMappers, ...rest } = s;
  return { ...rest, ...(protocolMappers.length ? { protocolMappers } : {}) };
}

/**
 * The default user profile's checks in the admin context, as 26.7.3 answers them: a username of 3 to
 * 255 characters without the characters its `username-prohibited-characters` validator refuses, and
 * an email its `email` validator takes (no empty, leading, trailing or double dots; domain labels that
 * do not start with a hyphen).
 */
function userProfileProblem(username: string, email: string | undefined): Json | undefined {
  if (username.length < 3 || username.length > 255) return { field: 'username', errorMessage: 'error-invalid-length', params: ['username', 3, 255] };
  if (/[\s<>&"'$%!#?§,;:*~/\\|^=[\]{}()`]/.test(username)) return { field: 'username', errorMessage: 'error-username-invalid-character', params: ['username'] };
  if (email !== undefined && !isEmail(email)) return { field: 'email', errorMessage: 'error-invalid-email', params: ['email', email] };
  return undefined;
}

function isEmail(text: string): boolean {
  const at = text.lastIndexOf('@');
  const local = text.slice(0, at);
  const labels = text.slice(at + 1).split('.');
  const localOk = at > 0 && !/\s/.test(local) && !local.startsWith('.') && !local.endsWith('.') && !local.includes('..');
  return localOk && labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]*)$/.test(l));
}

const POLICY_FIELDS = ['name', 'description', 'enabled', 'conditions', 'profiles'];

function unknownField(entries: unknown, known: string[]): string | undefined {
  if (!Array.isArray(entries)) return undefined;
  for (const entry of entries as Json[]) for (const key of Object.keys(entry ?? {})) if (!known.includes(key)) return key;
  return undefined;
}

/** Jackson's column for an unrecognized field: just after its value, in the body as sent (one line). */
function columnAfter(body: unknown, field: string): number {
  const text = JSON.stringify(body);
  const start = text.indexOf(`"${field}":`) + field.length + 3;
  let depth = 0;
  let i = start;
  for (let inString = false; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) break;
  }
  return i + 1;
}

/** Policies as Keycloak stores them: a missing or false `enabled` is false (ClientPoliciesUtil). */
function storedPolicies(policies: Json[]): Json[] {
  return structuredClone(policies).map((pol) => ({ ...pol, enabled: pol.enabled === true || pol.enabled === 'true' }));
}

/** Keycloak returns a confidential client's secret to admins: the observe step must never pass it on. */
function clientRep(c: ClientState): Json {
  const { defaultClientScopes, optionalClientScopes, ...rest } = c;
  return rest;
}

function profilesProblem(ctx: AdminContext, profiles: unknown): string | undefined {
  if (!Array.isArray(profiles)) return 'invalid client profiles representation';
  const names = new Set<string>();
  // Provider ids registered on the server (the CIMD ones only with --features=cimd; secret-rotation
  // only with --features=client-secret-rotation, so not here).
  const known = [...EXECUTORS, ...(ctx.features.cimd ? CIMD_EXECUTORS : [])];
  for (const p of profiles as Json[]) {
    if (!p.name) return 'Proposed client profile name missing.';
    if (names.has(p.name)) return `Proposed client profile name duplicated: ${p.name}`;
    if (GLOBAL_PROFILES.some((g) => g.name === p.name)) return `Proposed profile name '${p.name}' is duplicated as a global profile`;
    names.add(p.name);
    for (const e of (p.executors ?? []) as Json[]) if (!known.includes(e.executor)) return 'proposed client profile contains the executor, which does not have valid provider, or has invalid configuration.';
  }
  return undefined;
}

/** `stored`: the profiles the policies may name besides the globals (a realm PUT may bring its own). */
function policiesProblem(ctx: AdminContext, r: RealmState, policies: unknown, stored: Json[] = r.profiles): string | undefined {
  if (!Array.isArray(policies)) return 'invalid client policies representation';
  const names = new Set<string>();
  const known = [...CONDITIONS, ...(ctx.features.cimd ? CIMD_CONDITIONS : [])];
  const profiles = new Set([...GLOBAL_PROFILES.map((g) => g.name), ...stored.map((p) => p.name)]);
  for (const p of policies as Json[]) {
    if (!p.name) return 'Proposed client policy name missing.';
    if (names.has(p.name)) return `Proposed client policy name duplicated: ${p.name}`;
    names.add(p.name);
    for (const c of (p.conditions ?? []) as Json[]) if (!known.includes(c.condition)) return `Policy ${p.name} contains invalid condition ${c.condition}`;
    const listed = (p.profiles ?? []) as string[];
    for (const name of listed) if (!profiles.has(name)) return `Policy ${p.name} contains invalid profile ${name}`;
    if (new Set(listed).size !== listed.length) return `Policy ${p.name} contains duplicated profiles`;
  }
  return undefined;
}
