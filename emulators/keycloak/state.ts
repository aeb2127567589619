import { randomUUID } from 'node:crypto';
import server from './keycloak-26.7.3.json';

// In-memory realms of the Keycloak admin stand-in, with what Keycloak 26.7.3 puts into a new realm.
// The provider ids and the built-in ("global") client profiles were captured from a real 26.7.3
// (keycloak-26.7.3.json); tests/integration/keycloak-real/contract.test.ts holds the rest of this
// file to the real server.

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
  /** Rebuilt by a realm PUT only when the body names it (Keycloak's updateRealm). */
  webAuthnPolicyRpEntityName: string;
  /** Reset to its default (600) by every realm PUT that leaves it out. */
  oauth2DeviceCodeLifespan: number;
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
export const GLOBAL_PROFILES: Json[] = server.globalProfiles as Json[];
export const GLOBAL_POLICIES: Json[] = server.globalPolicies as Json[];

/** Executor and condition provider ids the server knows; the CIMD ones exist only with --features=cimd. */
export const CIMD_EXECUTORS: string[] = server.cimdProviders.executors;
export const CIMD_CONDITIONS: string[] = server.cimdProviders.conditions;
export const EXECUTORS = server.clientPolicyExecutors.filter((id) => !CIMD_EXECUTORS.includes(id));
export const CONDITIONS = server.clientPolicyConditions.filter((id) => !CIMD_CONDITIONS.includes(id));
export const MAPPER_TYPES: Record<string, string[]> = server.protocolMapperTypes;

// [name, protocol, realm list ('none': in neither), mapper]: a new 26.7.3 realm's scopes (service_account
// is for service-account clients, in neither list; organization because that feature is on by default).
const BUILTIN_SCOPES: Array<[name: string, protocol: 'openid-connect' | 'saml', type: 'default' | 'optional' | 'none', mapper: string]> = [
  ['acr', 'openid-connect', 'default', 'oidc-acr-mapper'],
  ['basic', 'openid-connect', 'default', 'oidc-sub-mapper'],
  ['email', 'openid-connect', 'default', 'oidc-usermodel-property-mapper'],
  ['profile', 'openid-connect', 'default', 'oidc-full-name-mapper'],
  ['roles', 'openid-connect', 'default', 'oidc-usermodel-realm-role-mapper'],
  ['web-origins', 'openid-connect', 'default', 'oidc-allowed-origins-mapper'],
  ['address', 'openid-connect', 'optional', 'oidc-address-mapper'],
  ['microprofile-jwt', 'openid-connect', 'optional', 'oidc-usermodel-realm-role-mapper'],
  ['offline_access', 'openid-connect', 'optional', ''],
  ['phone', 'openid-connect', 'optional', 'oidc-usermodel-attribute-mapper'],
  ['organization', 'openid-connect', 'optional', 'oidc-organization-membership-mapper'],
  ['service_account', 'openid-connect', 'none', 'oidc-usersessionmodel-note-mapper'],
  ['role_list', 'saml', 'default', 'saml-role-list-mapper'],
  ['saml_organization', 'saml', 'default', 'saml-organization-membership-mapper'],
  ['AuthnContextClassRef', 'saml', 'default', ''],
];
/** Their `include.in.token.scope` and `display.on.consent.screen` as 26.7.3 sets them (absent where it sets none). */
const BUILTIN_SCOPE_ATTRIBUTES: Record<string, Record<string, string>> = {
  acr: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
  basic: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
  email: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'true' },
  profile: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'true' },
  roles: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'true' },
  'web-origins': { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
  address: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'true' },
  'microprofile-jwt': { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' },
  offline_access: { 'display.on.consent.screen': 'true' },
  phone: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'true' },
  organization: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'true' },
  service_account: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
  role_list: { 'display.on.consent.screen': 'true' },
  saml_organization: { 'display.on.consent.screen': 'false' },
  AuthnContextClassRef: {},
};
const BUILTIN_CLIENTS = ['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console'];

/** A new realm as Keycloak creates it: built-in scopes in the default lists, built-in clients, no profiles or policies. */
export function newRealm(name: string, enabled: boolean): RealmState {
  const realm: RealmState = {
    id: randomUUID(),
    realm: name,
    enabled,
    webAuthnPolicyRpEntityName: 'keycloak',
    oauth2DeviceCodeLifespan: 600,
    attributes: {},
    users: [],
    clientScopes: [],
    defaultDefaultScopes: [],
    defaultOptionalScopes: [],
    clients: [],
    profiles: [],
    policies: [],
  };
  for (const [scopeName, protocol, type, mapper] of BUILTIN_SCOPES) {
    const scope: ScopeState = {
      id: randomUUID(),
      name: scopeName,
      description: `${protocol === 'saml' ? 'SAML' : 'OpenID Connect'} built-in scope: ${scopeName}`,
      protocol,
      attributes: { ...BUILTIN_SCOPE_ATTRIBUTES[scopeName] },
      protocolMappers: mapper ? [{ id: randomUUID(), name: scopeName, protocol, protocolMapper: mapper, consentRequired: false, config: { 'access.token.claim': 'true', 'id.token.claim': 'true' } }] : [],
    };
    realm.clientScopes.push(scope);
    if (type !== 'none') (type === 'default' ? realm.defaultDefaultScopes : realm.defaultOptionalScopes).push(scope.id);
  }
  for (const clientId of BUILTIN_CLIENTS) {
    realm.clients.push({ id: randomUUID(), clientId, enabled: true, protocol: 'openid-connect', publicClient: clientId.includes('console') || clientId === 'admin-cli', defaultClientScopes: [], optionalClientScopes: [] });
  }
  return realm;
}
