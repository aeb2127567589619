import type { DesiredCanaryClient } from '../desired/keycloak';
import { CLIENT_CREDENTIALS_REFRESH_ATTRIBUTE, RESOURCE_URL_ATTRIBUTE, type ResourceBinding } from './audience-binding';

/** What the clients keygate keeps have in common, as the admin API takes them: confidential, no browser flow. */
interface KeptClientRepresentation {
  clientId: string;
  name: string;
  description: string;
  enabled: true;
  protocol: 'openid-connect';
  publicClient: false;
  standardFlowEnabled: false;
  implicitFlowEnabled: false;
  directAccessGrantsEnabled: false;
  defaultClientScopes: string[];
}

/** The canary client as the admin API takes it (without its secret, which the host adds). */
export interface CanaryClientRepresentation extends KeptClientRepresentation {
  bearerOnly: false;
  clientAuthenticatorType: 'client-secret';
  serviceAccountsEnabled: true;
  /** The gateway's allowed scopes, so that every client-credentials token carries their scope and audience. */
  defaultClientScopes: string[];
  /** Only the attributes keygate manages (merged into the client's, never replacing them). */
  attributes?: Record<string, string>;
}

/** The resource-server client of a resource-indicator binding: bearer-only, its `resource_url` the gateway URL. */
export interface ResourceClientRepresentation extends KeptClientRepresentation {
  bearerOnly: true;
  serviceAccountsEnabled: false;
  attributes: Record<string, string>;
}

/**
 * The client through which Keycloak 26.7 resolves an RFC 8707 resource: its clientId is in the
 * token's aud (the audience mapper's), its `resource_url` is the resource, and Keycloak then sets aud
 * to the resource (functions/core/keycloak/audience-binding.ts). Bearer-only: nobody logs in with it.
 *
 * @example
 * renderResourceClient({ resource: 'https://gw/mcp', clientId: 'mcp-gateway-demo' }).attributes // { resource_url: 'https://gw/mcp' }
 */
export function renderResourceClient(binding: ResourceBinding): ResourceClientRepresentation {
  return {
    clientId: binding.clientId,
    name: 'keygate resource (MCP gateway)',
    description: 'The MCP gateway as an RFC 8707 resource: Keycloak binds tokens requested with its resource_url to it (managed by keygate)',
    enabled: true,
    protocol: 'openid-connect',
    publicClient: false,
    bearerOnly: true,
    serviceAccountsEnabled: false,
    standardFlowEnabled: false,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    defaultClientScopes: [],
    attributes: { [RESOURCE_URL_ATTRIBUTE]: binding.resource },
  };
}

/**
 * keygate's canary client: confidential, client credentials only (a service account; no browser
 * flows, no password grant), with the gateway's allowed scopes as default client scopes, so that its
 * tokens carry the audience mapper's audience and the scopes the gateway checks. Verification uses it.
 *
 * @example
 * renderCanaryClient({ clientId: 'keygate-canary', secretParameter: '/kg/canary' }, ['mcp:tools']).serviceAccountsEnabled // true
 */
export function renderCanaryClient(canary: DesiredCanaryClient, allowedScopes: readonly string[], binding?: ResourceBinding): CanaryClientRepresentation {
  return {
    clientId: canary.clientId,
    name: 'keygate canary',
    description: 'Client-credentials client keygate uses to verify tokens end to end (managed by keygate)',
    enabled: true,
    protocol: 'openid-connect',
    publicClient: false,
    bearerOnly: false,
    clientAuthenticatorType: 'client-secret',
    serviceAccountsEnabled: true,
    standardFlowEnabled: false,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    defaultClientScopes: [...new Set(allowedScopes)].sort(),
    // Keycloak 26.7.3 answers a client-credentials request with `resource` by HTTP 500 unless it also
    // issues a refresh token (audience-binding.ts).
    ...(binding ? { attributes: { [CLIENT_CREDENTIALS_REFRESH_ATTRIBUTE]: 'true' } } : {}),
  };
}
