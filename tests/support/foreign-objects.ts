import { start as startCimdHost, type CimdHost } from '../../emulators/cimd-host';
import type { RealKeycloak } from './real-keycloak';

/**
 * Another team's objects in a realm on the real Keycloak, planted through its admin API, and a real
 * CIMD registration: what keygate must leave exactly as it found it (docs/MANAGED.md).
 *
 * - client profiles with executors keygate never writes (secure-logout, reject-request,
 *   use-lightweight-access-token, confidential-client) and a CIMD profile of their own;
 * - a disabled policy with conditions keygate never writes (client-type, acr-condition, client-scopes)
 *   that also references a built-in profile, and an enabled CIMD policy for their loopback clients;
 * - a client scope with its own audience mapper, a user, a realm attribute;
 * - a client that Keycloak itself created from a Client ID Metadata Document, by a real authorization
 *   request (`registerCimdClient`).
 */
export const TEAM = {
  profiles: [
    {
      name: 'team-payments-profile',
      description: 'owned by the payments team',
      executors: [
        { executor: 'secure-logout', configuration: {} },
        { executor: 'reject-request', configuration: {} },
        { executor: 'use-lightweight-access-token', configuration: {} },
        { executor: 'confidential-client', configuration: {} },
      ],
    },
    {
      name: 'team-cimd-profile',
      executors: [{ executor: 'client-id-metadata-document', configuration: { 'cimd-allow-http-scheme': 'true', 'cimd-allow-permitted-domains': ['127.0.0.1'], 'cimd-restrict-same-domain': 'false', 'cimd-required-properties': ['client_id', 'redirect_uris'], 'only-allow-confidential-client': 'false' } }],
    },
  ],
  policies: [
    {
      name: 'team-payments-policy',
      description: 'disabled while the payments team tries it',
      enabled: false,
      conditions: [
        { condition: 'client-type', configuration: { protocol: 'openid-connect' } },
        { condition: 'acr-condition', configuration: {} },
        { condition: 'client-scopes', configuration: { type: 'Optional', scopes: ['offline_access'] } },
      ],
      profiles: ['team-payments-profile', 'fapi-1-baseline'],
    },
    {
      name: 'team-cimd-policy',
      enabled: true,
      conditions: [{ condition: 'client-id-uri', configuration: { 'client-id-uri-scheme': ['http'], 'client-id-uri-allow-permitted-domains': ['127.0.0.1'] } }],
      profiles: ['team-cimd-profile'],
    },
  ],
  scope: { name: 'team:read', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' } },
  mapper: { name: 'aud-team', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.custom.audience': 'team-api', 'access.token.claim': 'true', 'introspection.token.claim': 'true' } },
  user: { username: 'bob', email: 'bob@team.example.org', enabled: true, firstName: 'Bob' },
  realmAttribute: ['team.setting', 'kept'] as const,
};

const TEAM_NAMES = new Set([...TEAM.profiles.map((p) => p.name), ...TEAM.policies.map((p) => p.name)]);

export interface ForeignObjects {
  /** The CIMD client's clientId (its document URL), once registered. */
  cimdClientId?: string;
  /** Registers a CIMD client the way an MCP client does: one authorization request; Keycloak fetches the document and persists a client. */
  registerCimdClient(): Promise<void>;
  /** Everything of the team's, exactly as Keycloak returns it. */
  snapshot(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function plantForeignObjects(kc: RealKeycloak, realm: string): Promise<ForeignObjects> {
  const base = `/admin/realms/${realm}`;
  const { profiles } = await kc.ok('GET', `${base}/client-policies/profiles`);
  await kc.ok('PUT', `${base}/client-policies/profiles`, { profiles: [...profiles, ...TEAM.profiles] });
  const { policies } = await kc.ok('GET', `${base}/client-policies/policies`);
  await kc.ok('PUT', `${base}/client-policies/policies`, { policies: [...policies, ...TEAM.policies] });
  const scope = await kc.call('POST', `${base}/client-scopes`, TEAM.scope);
  const scopeId = scope.location!.split('/').at(-1)!;
  await kc.ok('POST', `${base}/client-scopes/${scopeId}/protocol-mappers/models`, TEAM.mapper);
  await kc.ok('POST', `${base}/users`, TEAM.user);
  const realmDoc = await kc.ok('GET', base);
  const { clientProfiles, clientPolicies, ...rest } = realmDoc;
  await kc.ok('PUT', base, { ...rest, attributes: { ...rest.attributes, [TEAM.realmAttribute[0]]: TEAM.realmAttribute[1] } });

  let host: CimdHost | undefined;
  const foreign: ForeignObjects = {
    registerCimdClient: async () => {
      host = await startCimdHost({ path: '/team/client.json', document: {} });
      foreign.cimdClientId = host.documentUrl;
      // Registered without a port: under an OAuth 2.1-compliant redirect enforcer Keycloak 26.7 refuses a
      // registered loopback URI with one, and matches this one on any port (keycloak-real/redirect-uris.test.ts).
      host.publish({ client_id: host.documentUrl, client_name: 'Team CLI', redirect_uris: ['http://127.0.0.1/team/callback'], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' });
      const page = await authorize(kc.url, realm, host.documentUrl, 'http://127.0.0.1:53682/team/callback');
      if (page.status !== 200) throw new Error(`CIMD registration of ${host.documentUrl} failed: HTTP ${page.status} ${page.message}`);
      const [client] = await kc.ok('GET', `${base}/clients?clientId=${encodeURIComponent(host.documentUrl)}`);
      if (!client) throw new Error(`Keycloak did not persist a client for ${host.documentUrl}`);
    },
    snapshot: async () => {
      const scopes = (await kc.ok('GET', `${base}/client-scopes`)) as Array<{ name: string }>;
      const realmNow = await kc.ok('GET', base);
      return {
        profiles: (await kc.ok('GET', `${base}/client-policies/profiles`)).profiles.filter((p: { name: string }) => TEAM_NAMES.has(p.name)),
        policies: (await kc.ok('GET', `${base}/client-policies/policies`)).policies.filter((p: { name: string }) => TEAM_NAMES.has(p.name)),
        scope: scopes.find((s) => s.name === TEAM.scope.name),
        user: (await kc.ok('GET', `${base}/users?username=bob&exact=true`))[0],
        realmAttribute: realmNow.attributes?.[TEAM.realmAttribute[0]],
        ...(foreign.cimdClientId ? { cimdClient: (await kc.ok('GET', `${base}/clients?clientId=${encodeURIComponent(foreign.cimdClientId)}`))[0] } : {}),
      };
    },
    close: async () => void (await host?.close()),
  };
  return foreign;
}

/**
 * One authorization request as an MCP client makes it (authorization code + PKCE S256), without
 * following redirects; returns the status and, for Keycloak's error page, its message.
 */
export async function authorize(url: string, realm: string, clientId: string, redirectUri: string): Promise<{ status: number; location?: string; message?: string }> {
  const query = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
  const response = await fetch(`${url}/realms/${realm}/protocol/openid-connect/auth?${query}`, { redirect: 'manual' });
  const text = await response.text();
  const message = /id="kc-error-message"[\s\S]*?<p[^>]*>([^<]*)</.exec(text)?.[1]?.trim() ?? /class="instruction">([^<]*)</.exec(text)?.[1]?.trim();
  const location = response.headers.get('location') ?? undefined;
  return { status: response.status, ...(location ? { location } : {}), ...(message ? { message } : {}) };
}
