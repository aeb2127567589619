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
