import type { DesiredCanaryClient } from '../desired/keycloak';

/** The canary client as the admin API takes it (without its secret, which the host adds). */
export interface CanaryClientRepresentation {
  clientId: string;
  name: string;
  description: string;
  enabled: true;
  protocol: 'openid-connect';
  publicClient: false;
  bearerOnly: false;
  clientAuthenticatorType: 'client-secret';
  serviceAccountsEnabled: true;
  standardFlowEnabled: false;
  implicitFlowEnabled: false;
  directAccessGrantsEnabled: false;
  /** The gateway's allowed scopes, so that every client-credentials token carries their scope and audience. */
  defaultClientScopes: string[];
}

/**
 * keygate's canary client: confidential, client credentials only (a service account; no browser
 * flows, no password grant), with the gateway's allowed scopes as default client scopes, so that its
 * tokens carry the audience mapper's audience and the scopes the gateway checks. Verification uses it.
 *
 * @example
 * renderCanaryClient({ clientId: 'keygate-canary', secretParameter: '/kg/canary' }, ['mcp:tools']).serviceAccountsEnabled // true
 */
export function renderCanaryClient(canary: DesiredCanaryClient, allowedScopes: readonly string[]): CanaryClientRepresentation {
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
  };
}
