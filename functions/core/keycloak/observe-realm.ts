import type { DesiredState } from '../desired/document';
import type { GetOperation, HostProgram } from '../host/program';
import { DEFAULT_ADMIN_URL } from '../plan/offline-plan';
import { KeycloakAdminAccessUnsupportedError } from '../errors';
import { CLIENT_CREDENTIALS_REFRESH_ATTRIBUTE, RESOURCE_URL_ATTRIBUTE, resourceBinding } from './audience-binding';
import { OWNERSHIP_ATTRIBUTE, parseOwnership, SNAPSHOT_FORMAT, type ObservedRealm } from './snapshot';

const USER_FIELDS = ['id', 'username', 'enabled', 'emailVerified', 'email', 'firstName', 'lastName'];
/** Everything keygate compares on its canary client; never `secret`, which Keycloak returns to admins. */
const CLIENT_FIELDS = [
  'id', 'clientId', 'enabled', 'protocol', 'publicClient', 'bearerOnly', 'clientAuthenticatorType', 'serviceAccountsEnabled',
  'standardFlowEnabled', 'implicitFlowEnabled', 'directAccessGrantsEnabled',
];
const fields = (names: string[]) => names.map((n) => [n]);
/** Client attributes keygate manages (never `client.secret.*`). */
const CLIENT_ATTRIBUTES = [['attributes', RESOURCE_URL_ATTRIBUTE], ['attributes', CLIENT_CREDENTIALS_REFRESH_ATTRIBUTE]];

const realmPath = (desired: DesiredState) => ['admin', 'realms', desired.keycloak.realm.name];

/**
 * The connection part of every host program. Only the loopback admin REST API is supported: a
 * `kcadm` section is refused before anything is sent (docs/MANAGED.md, "How keygate reaches Keycloak").
 *
 * @example
 * const program = { ...adminConnection(desired, 'eu-central-1'), ops: renderObserveOps(desired) };
 */
export function adminConnection(desired: DesiredState, region: string): Omit<HostProgram, 'ops'> & { admin: NonNullable<HostProgram['admin']> } {
  const admin = desired.keycloak.admin;
  if (admin.kcadm) {
    throw new KeycloakAdminAccessUnsupportedError(
      'keycloak.admin.kcadm: the realm reconciler talks to the admin REST API on the host loopback only. ' +
        'Publish Keycloak on the host loopback (docker run -p 127.0.0.1:8080:8080 …) and set keycloak.admin.url instead.',
    );
  }
  return {
    version: 1,
    admin: { url: admin.url ?? DEFAULT_ADMIN_URL, realm: admin.realm, username: admin.username, passwordParameter: admin.passwordParameter },
    region,
  };
}

/**
 * The read-only operations that produce a snapshot: only the objects the document names, plus names of the rest.
 *
 * @example
 * renderObserveOps(desired).map((op) => op.id) // ['realm', 'discovery', 'adminDiscovery', 'user:alice', …]
 */
export function renderObserveOps(desired: DesiredState): GetOperation[] {
  const realm = desired.keycloak.realm;
  const base = realmPath(desired);
  const wellKnown = (name: string): string[] => ['realms', name, '.well-known', 'openid-configuration'];
  const discoveryPick = [['issuer'], ['client_id_metadata_document_supported']];
  const ops: GetOperation[] = [
    { op: 'get', id: 'realm', path: base, absent: [404], pick: [['id'], ['realm'], ['enabled'], ['attributes', OWNERSHIP_ATTRIBUTE]] },
    { op: 'get', id: 'discovery', path: wellKnown(realm.name), absent: [404], pick: discoveryPick },
    { op: 'get', id: 'adminDiscovery', path: wellKnown(desired.keycloak.admin.realm), absent: [404], pick: discoveryPick },
    ...realm.users.map(
      (u): GetOperation => ({ op: 'get', id: `user:${u.username}`, path: [...base, 'users'], query: { username: u.username, exact: 'true' }, absent: [404], pick: fields(USER_FIELDS) }),
    ),
    {
      op: 'get',
      id: 'clientScopes',
      path: [...base, 'client-scopes'],
      absent: [404],
      select: { field: 'name', in: realm.clientScopes.map((s) => s.name) },
      pick: fields(['id', 'name', 'description', 'protocol', 'attributes', 'protocolMappers']),
    },
    { op: 'get', id: 'realmDefaultClientScopes', path: [...base, 'default-default-client-scopes'], absent: [404], pick: [['name']] },
    { op: 'get', id: 'realmOptionalClientScopes', path: [...base, 'default-optional-client-scopes'], absent: [404], pick: [['name']] },
    // include-global-*=false: the built-in entries are never read, so they can never be written back.
    { op: 'get', id: 'clientProfiles', path: [...base, 'client-policies', 'profiles'], query: { 'include-global-profiles': 'false' }, absent: [404], list: 'profiles', select: { field: 'name', in: realm.clientProfiles.map((p) => p.name) } },
    { op: 'get', id: 'clientPolicies', path: [...base, 'client-policies', 'policies'], query: { 'include-global-policies': 'false' }, absent: [404], list: 'policies', select: { field: 'name', in: realm.clientPolicies.map((p) => p.name) } },
  ];
  for (const clientId of managedClientIds(desired)) {
    const clientVar = { $var: `client:${clientId}` };
    ops.push(
      { op: 'get', id: `client:${clientId}`, path: [...base, 'clients'], query: { clientId }, absent: [404], pick: [...fields(CLIENT_FIELDS), ...CLIENT_ATTRIBUTES], bind: { var: clientVar.$var, field: 'id' } },
      { op: 'get', id: `clientDefaultScopes:${clientId}`, path: [...base, 'clients', clientVar, 'default-client-scopes'], absent: [404], pick: [['name']] },
      { op: 'get', id: `clientOptionalScopes:${clientId}`, path: [...base, 'clients', clientVar, 'optional-client-scopes'], absent: [404], pick: [['name']] },
    );
  }
  return ops;
}

/** The clients keygate keeps in the realm: the canary, and the resource client of a resource-indicator binding. */
export function managedClientIds(desired: DesiredState): string[] {
  const realm = desired.keycloak.realm;
  const ids = [...(realm.canaryClient ? [realm.canaryClient.clientId] : []), ...(resourceBinding(realm) ? [resourceBinding(realm)!.clientId] : [])];
  return [...new Set(ids)];
}

type Named = { name?: string };
const names = (value: unknown): string[] => (Array.isArray(value) ? (value as Named[]).map((v) => v.name ?? '') : []);
const selected = (value: unknown): { items: unknown[]; others: string[] } => (value as { items: unknown[]; others: string[] } | null) ?? { items: [], others: [] };

/**
 * Turns the results of {@link renderObserveOps} into a snapshot. The CIMD check uses the realm's own
 * discovery document, or the admin realm's while the realm does not exist yet (features are server-wide).
 *
 * @example
 * const observed = snapshotFromResults(desired, result.results, 'i-0123456789abcdef0');
 */
export function snapshotFromResults(desired: DesiredState, results: Record<string, unknown>, instanceId?: string): ObservedRealm {
  const realm = results.realm as { enabled?: boolean; attributes?: Record<string, string> } | null;
  const discovery = (results.discovery ?? results.adminDiscovery) as { client_id_metadata_document_supported?: boolean } | null;
  const { ownership, problem } = parseOwnership(realm?.attributes?.[OWNERSHIP_ATTRIBUTE]);
  const profiles = selected(results.clientProfiles);
  const policies = selected(results.clientPolicies);
  const clients = managedClientIds(desired).flatMap((clientId) => {
    const client = ((results[`client:${clientId}`] as Array<Record<string, unknown>> | null) ?? [])[0];
    return client
      ? [{ ...(client as { id: string; clientId: string }), defaultClientScopes: names(results[`clientDefaultScopes:${clientId}`]), optionalClientScopes: names(results[`clientOptionalScopes:${clientId}`]) }]
      : [];
  });
  return {
    format: SNAPSHOT_FORMAT,
    realm: desired.keycloak.realm.name,
    ...(instanceId ? { instanceId } : {}),
    server: {
      cimdSupported: discovery?.client_id_metadata_document_supported === true,
      discoveryRealm: results.discovery ? desired.keycloak.realm.name : results.adminDiscovery ? desired.keycloak.admin.realm : null,
    },
    exists: realm !== null && realm !== undefined,
    enabled: realm?.enabled === true,
    ownership,
    ...(problem ? { ownershipProblem: problem } : {}),
    users: desired.keycloak.realm.users.flatMap((u) => ((results[`user:${u.username}`] as ObservedRealm['users'] | null) ?? []).slice(0, 1)),
    clientScopes: (selected(results.clientScopes).items as ObservedRealm['clientScopes']).map((s) => ({ ...s, attributes: s.attributes ?? {}, protocolMappers: s.protocolMappers ?? [] })),
    realmDefaultClientScopes: names(results.realmDefaultClientScopes),
    realmOptionalClientScopes: names(results.realmOptionalClientScopes),
    clientProfiles: profiles.items as ObservedRealm['clientProfiles'],
    otherClientProfiles: profiles.others,
    clientPolicies: policies.items as ObservedRealm['clientPolicies'],
    otherClientPolicies: policies.others,
    clients,
  };
}
