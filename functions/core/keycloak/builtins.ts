/**
 * Names of Keycloak's built-in ("global") client profiles, which a realm policy may reference and a
 * realm profile may not reuse. Source: keycloak-default-client-profiles.json of the 26.6 development
 * line (../shared/fixtures/keycloak/fork-EL-SSO2-…ff2f82cb.json); the fork-only `cloud-application`
 * is left out. A byte-exact match with the 26.6.x release is UNCONFIRMED (keycloak-admin-reference §1.4):
 * extend this list if `GET …/client-policies/profiles?include-global-profiles=true` shows more.
 */
export const BUILTIN_CLIENT_PROFILES: readonly string[] = [
  'fapi-1-baseline',
  'fapi-1-advanced',
  'fapi-ciba',
  'fapi-2-security-profile',
  'fapi-2-message-signing',
  'fapi-2-dpop-security-profile',
  'fapi-2-dpop-message-signing',
  'oauth-2-1-for-confidential-client',
  'oauth-2-1-for-public-client',
  'saml-security-profile',
];

export function isBuiltinProfile(name: string): boolean {
  return BUILTIN_CLIENT_PROFILES.includes(name);
}

/**
 * Clients every new Keycloak realm has (26.x): a canary client of the same clientId would be answered
 * 409 after part of the realm was written, or worse, be taken for keygate's own.
 */
export const BUILTIN_CLIENTS: readonly string[] = ['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console'];

/**
 * Client scopes a new Keycloak realm has (observed on 26.7.3, tests/integration/keycloak-real/contract.test.ts:
 * `service_account`, `organization` with the organization feature on by default, and the SAML ones
 * `role_list`, `saml_organization` and `AuthnContextClassRef`). Declaring one would make keygate rewrite a
 * scope every client of the realm uses.
 */
export const BUILTIN_CLIENT_SCOPES: readonly string[] = [
  'AuthnContextClassRef',
  'acr',
  'address',
  'basic',
  'email',
  'microprofile-jwt',
  'offline_access',
  'organization',
  'phone',
  'profile',
  'role_list',
  'roles',
  'saml_organization',
  'service_account',
  'web-origins',
];

/** Keycloak names the user behind a client's service account `service-account-<clientId>`. */
export const SERVICE_ACCOUNT_USER_PREFIX = 'service-account-';
