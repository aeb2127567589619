import { randomUUID } from 'node:crypto';
import builtinProfiles from '../../tests/fixtures/keycloak/fork-EL-SSO2-keycloak-default-client-profiles.ff2f82cb.json';

// In-memory realms of the Keycloak admin stand-in, with what Keycloak 26.6 puts into a new realm.
// Sources: keycloak-admin-reference.md §1–§6; the built-in ("global") client profiles are the real
// keycloak-default-client-profiles.json fixture (a 26.6-line copy; byte-exact match UNCONFIRMED).

export type Json = Record<string, any>;

export interface UserState extends Json {
  id: string;
  username: string;
  credentials: Array<{ type: string; value: string; temporary: boolean }>;
}
export interface ScopeState extends Json {
  id: string;
  name: string;
  protocol: string;
  attributes: Record<string, string>;
  protocolMappers: Json[];
}
export interface ClientState extends Json {
  id: string;
  clientId: string;
  defaultClientScopes: string[];
  optionalClientScopes: string[];
}

export interface RealmState {
  id: string;
  realm: string;
  enabled: boolean;
  displayName?: string;
  /** One of the settings a partial realm PUT resets to its default. */
  webAuthnPolicyRpEntityName: string;
  attributes: Record<string, string>;
  users: UserState[];
  clientScopes: ScopeState[];
  /** Scope ids in the realm's default and optional default-scope lists. */
  defaultDefaultScopes: string[];
  defaultOptionalScopes: string[];
  clients: ClientState[];
  /** Stored exactly as PUT (Keycloak keeps them as one JSON blob each). */
  profiles: Json[];
  policies: Json[];
}

/** Built-in profiles as Keycloak serves them under `globalProfiles`. */
export const GLOBAL_PROFILES: Json[] = (builtinProfiles as { profiles: Json[] }).profiles;
export const GLOBAL_POLICIES: Json[] = [];

/** Executor and condition provider ids the server knows; the CIMD ones exist only with --features=cimd. */
export const EXECUTORS = [...new Set(GLOBAL_PROFILES.flatMap((p) => (p.executors as Json[]).map((e) => String(e.executor))))];
export const CONDITIONS = [
  'any-client', 'client-access-type', 'client-attributes', 'client-roles', 'client-scopes', 'client-updater-context',
  'client-updater-source-groups', 'client-updater-source-host', 'client-updater-source-roles', 'grant-type',
];
export const CIMD_EXECUTORS = ['client-id-metadata-document'];
export const CIMD_CONDITIONS = ['client-id-uri'];
export const MAPPER_TYPES = ['oidc-audience-mapper', 'oidc-usermodel-attribute-mapper', 'oidc-full-name-mapper', 'oidc-usermodel-property-mapper', 'oidc-hardcoded-claim-mapper', 'oidc-acr-mapper', 'oidc-allowed-origins-mapper', 'oidc-usermodel-realm-role-mapper', 'oidc-sub-mapper'];

const BUILTIN_SCOPES: Array<[name: string, type: 'default' | 'optional', mapper: string]> = [
  ['acr', 'default', 'oidc-acr-mapper'],
  ['basic', 'default', 'oidc-sub-mapper'],
  ['email', 'default', 'oidc-usermodel-property-mapper'],
  ['profile', 'default', 'oidc-full-name-mapper'],
  ['roles', 'default', 'oidc-usermodel-realm-role-mapper'],
  ['web-origins', 'default', 'oidc-allowed-origins-mapper'],
  ['address', 'optional', 'oidc-usermodel-attribute-mapper'],
  ['microprofile-jwt', 'optional', 'oidc-usermodel-realm-role-mapper'],
  ['offline_access', 'optional', ''],
  ['phone', 'optional', 'oidc-usermodel-attribute-mapper'],
  ['organization', 'optional', 'oidc-usermodel-attribute-mapper'],
];
const BUILTIN_CLIENTS = ['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console'];

/** A new realm as Keycloak creates it: built-in scopes in the default lists, built-in clients, no profiles or policies. */
export function newRealm(name: string, enabled: boolean): RealmState {
  const realm: RealmState = {
    id: randomUUID(),
    realm: name,
    enabled,
    webAuthnPolicyRpEntityName: 'keycloak',
    attributes: {},
    users: [],
    clientScopes: [],
    defaultDefaultScopes: [],
    defaultOptionalScopes: [],
    clients: [],
    profiles: [],
    policies: [],
  };
  for (const [scopeName, type, mapper] of BUILTIN_SCOPES) {
    const scope: ScopeState = {
      id: randomUUID(),
      name: scopeName,
      description: `OpenID Connect built-in scope: ${scopeName}`,
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'true' },
      protocolMappers: mapper ? [{ id: randomUUID(), name: scopeName, protocol: 'openid-connect', protocolMapper: mapper, consentRequired: false, config: { 'access.token.claim': 'true', 'id.token.claim': 'true' } }] : [],
    };
    realm.clientScopes.push(scope);
    (type === 'default' ? realm.defaultDefaultScopes : realm.defaultOptionalScopes).push(scope.id);
  }
  for (const clientId of BUILTIN_CLIENTS) {
    realm.clients.push({ id: randomUUID(), clientId, enabled: true, protocol: 'openid-connect', publicClient: clientId.includes('console') || clientId === 'admin-cli', defaultClientScopes: [], optionalClientScopes: [] });
  }
  return realm;
}
