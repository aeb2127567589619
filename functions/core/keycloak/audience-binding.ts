import type { DesiredRealm } from '../desired/keycloak';
import { compareVersions } from './version';

/**
 * RFC 8707 resource indicators in Keycloak: the experimental feature `resource-indicators`
 * (`Profile.Feature.RESOURCE_INDICATORS`, EXPERIMENTAL in keycloak-common-26.7.3.jar; Keycloak PR
 * #46763). What Keycloak 26.7.3 does with `resource` (ResourceIndicatorsPostProcessor, observed on the
 * real server, tests/integration/keycloak-real/resource-indicators.test.ts):
 * - it looks for a client whose clientId is in the token's `aud` and whose attribute `resource_url`
 *   equals the resource, and replaces `aud` with the resource; no such client → 400 `invalid_target`;
 * - so with the feature on, a realm without that client refuses every MCP client that sends
 *   `resource` (they MUST), whatever its audience mapper says;
 * - a request without `resource` keeps the mapper's audience;
 * - client credentials without a refresh token end in HTTP 500 (a NullPointerException on the
 *   missing refresh token, ResourceIndicatorsPostProcessor.java:66): the canary gets
 *   `client_credentials.use_refresh_token` so that its requests with `resource` work.
 * Whether 26.6 ships the feature is UNCONFIRMED (no 26.6 distribution on Maven Central to ask), so
 * keygate requires 26.7.0.
 */
export const RESOURCE_INDICATORS_SINCE = '26.7.0';
export const RESOURCE_INDICATORS_FEATURE = 'resource-indicators';
/** The client attribute Keycloak matches the resource against (ResourceIndicatorConstants.CLIENT_RESOURCE_URL_ATTRIBUTE). */
export const RESOURCE_URL_ATTRIBUTE = 'resource_url';
/** Makes Keycloak issue a refresh token for client credentials (works around the 26.7.3 NullPointerException). */
export const CLIENT_CREDENTIALS_REFRESH_ATTRIBUTE = 'client_credentials.use_refresh_token';

export const resourceIndicatorsSupported = (keycloakVersion: string): boolean => compareVersions(keycloakVersion, RESOURCE_INDICATORS_SINCE) >= 0;

/** The resource-indicator binding with its client id resolved, or undefined for the audience-mapper strategy. */
export interface ResourceBinding {
  resource: string;
  clientId: string;
}

/**
 * @example
 * resourceBinding(realm) // { resource: 'https://gw…/mcp', clientId: 'mcp-gateway-demo' } or undefined
 */
export function resourceBinding(realm: DesiredRealm): ResourceBinding | undefined {
  const b = realm.audienceBinding;
  if (b.strategy !== 'resource-indicator' || !b.resource) return undefined;
  const clientId = b.clientId ?? realm.clientScopes.find((s) => s.audienceMapper)?.audienceMapper?.audience;
  return clientId ? { resource: b.resource, clientId } : undefined;
}
