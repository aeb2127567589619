import type { CacheBounds } from '../cimd/cache-time';
import { renderCimdDocument, type CimdDocument } from '../cimd/render-cimd';
import type { DesiredState } from '../desired/document';
import type { DesiredToolCall } from '../desired/verify';
import { declaredMcpVersions } from '../gateway/mcp-versions';
import { resourceBinding, type ResourceBinding } from '../keycloak/audience-binding';
import { cimdTrustedDomains } from '../lint/cimd-rules';

export const DISCOVERY_SUFFIX = '/.well-known/openid-configuration';

/**
 * AgentCore lists a target's tools as `${target_name}___${tool_name}`
 * (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/gateway-tool-naming.html; one
 * rendering of that page shows two underscores, the Markdown source and the samples three).
 */
export const TOOL_NAME_SEPARATOR = '___';

/** Everything the live chain must show, derived once from the desired state. */
export interface ChainExpectations {
  discoveryUrl: string;
  /** The discovery URL without `/.well-known/openid-configuration`: what `iss` must be everywhere. */
  issuer: string;
  /** The gateway's MCP URL (`https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp`). */
  gatewayUrl?: string;
  audiences: string[];
  /** With `audienceBinding.strategy: resource-indicator`: the resource tokens are requested for and bound to, and its client. */
  resourceBinding?: ResourceBinding;
  /** The MCP protocol versions the gateway speaks (`gateway.protocol.supportedVersions` or AgentCore's default), newest first. */
  mcpVersions: string[];
  scopes: string[];
  allowedClients: string[];
  targets: string[];
  expectedTools: string[];
  toolCalls: DesiredToolCall[];
  deniedScope: string;
  algorithms: string[];
  maxTokenLifetimeSeconds: number;
  clockToleranceSeconds: number;
  queryTokenProbe: boolean;
  canaryClientId?: string;
  cimd?: {
    url: string;
    /** The document keygate publishes (what the served copy must equal). */
    document: CimdDocument;
    trustedDomains: string[];
    /** Whether the realm has a CIMD executor at all (without one, redirect hosts are not checked against domains). */
    trustConfigured: boolean;
    /** Keycloak's min/max cache time for metadata documents: how long a served change takes to reach clients. */
    keycloakCache: CacheBounds;
  };
}

/**
 * Derives what verification expects from the desired state; `gatewayUrl` comes from the caller
 * (provisioning observes it) or from `verify.gatewayUrl`.
 *
 * @example
 * expectationsFor(seed, { gatewayUrl: 'https://gw.example.com/mcp' }).issuer
 * // 'https://auth.agentcore-keycloak-example.com/realms/mcp-demo'
 */
export function expectationsFor(desired: DesiredState, opts: { gatewayUrl?: string } = {}): ChainExpectations {
  const jwt = desired.gateway.authorizer;
  const verify = desired.verify;
  const gatewayUrl = opts.gatewayUrl ?? verify.gatewayUrl;
  const canary = desired.keycloak.realm.canaryClient;
  const cimd = desired.cimd;
  return {
    discoveryUrl: jwt.discoveryUrl,
    issuer: issuerOf(jwt.discoveryUrl),
    ...(gatewayUrl ? { gatewayUrl } : {}),
    audiences: jwt.allowedAudiences,
    ...(resourceBinding(desired.keycloak.realm) ? { resourceBinding: resourceBinding(desired.keycloak.realm)! } : {}),
    mcpVersions: declaredMcpVersions(desired.gateway),
    scopes: jwt.allowedScopes,
    allowedClients: jwt.allowedClients,
    targets: desired.targets.map((t) => t.name),
    expectedTools: verify.expectedTools,
    toolCalls: verify.toolCalls,
    deniedScope: verify.deniedScope,
    algorithms: verify.algorithms,
    maxTokenLifetimeSeconds: verify.maxTokenLifetimeSeconds,
    clockToleranceSeconds: verify.clockToleranceSeconds,
    queryTokenProbe: verify.queryTokenProbe,
    ...(canary ? { canaryClientId: canary.clientId } : {}),
    ...(cimd
      ? (() => {
          const trust = cimdTrustedDomains(desired);
          return { cimd: { url: cimd.url, document: renderCimdDocument(cimd).document, trustedDomains: trust.domains, trustConfigured: trust.configured, keycloakCache: cimd.keycloakCache } };
        })()
      : {}),
  };
}

/**
 * The issuer a discovery URL belongs to (OIDC Discovery §4: issuer + `/.well-known/openid-configuration`).
 *
 * @example
 * issuerOf('https://kc.example.com/realms/r/.well-known/openid-configuration') // 'https://kc.example.com/realms/r'
 */
export function issuerOf(discoveryUrl: string): string {
  return discoveryUrl.endsWith(DISCOVERY_SUFFIX) ? discoveryUrl.slice(0, -DISCOVERY_SUFFIX.length) : discoveryUrl;
}
