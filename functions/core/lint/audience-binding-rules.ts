import { RESOURCE_INDICATORS_SINCE, resourceBinding, resourceIndicatorsSupported } from '../keycloak/audience-binding';
import type { Rule } from './types';

const BINDING = ['keycloak', 'realm', 'audienceBinding'];

/** RFC 8707 resource `https://host/path`: absolute, no fragment (RFC 8707 §2), what the gateway's metadata announces. */
function resourceProblem(resource: string): string | undefined {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:') return 'is not an https URL';
  if (url.hash || resource.includes('#')) return 'has a fragment (RFC 8707 §2 forbids one)';
  return undefined;
}

/**
 * The audience strategy (`keycloak.realm.audienceBinding`) against the Keycloak version, the gateway's
 * allowed audiences and URL, and the realm's audience mappers. What Keycloak 26.7.3 does with
 * `resource`: functions/core/keycloak/audience-binding.ts.
 */
export const audienceBindingRules: Rule[] = [
  {
    id: 'resource-indicator-unsupported',
    severity: 'error',
    summary: `\`audienceBinding.strategy: resource-indicator\` on a Keycloak older than ${RESOURCE_INDICATORS_SINCE}, which has no resource-indicators feature.`,
    check(d, report) {
      const k = d.keycloak;
      if (k.realm.audienceBinding.strategy !== 'resource-indicator' || resourceIndicatorsSupported(k.version)) return;
      report(
        [...BINDING, 'strategy'],
        `is resource-indicator, but keycloak.version ${k.version} has no RFC 8707 resource indicators (experimental from Keycloak ${RESOURCE_INDICATORS_SINCE}): Keycloak ignores resource and the gateway would reject every token bound by it`,
        `use strategy: audience-mapper (the seed's workaround), or run Keycloak ${RESOURCE_INDICATORS_SINCE} or newer started with --features=resource-indicators and set keycloak.version`,
      );
    },
  },
  {
    id: 'resource-indicator-resource-invalid',
    severity: 'error',
    summary: '`audienceBinding.strategy: resource-indicator` without `resource`, or a `resource` that is not an https URL without a fragment.',
    check(d, report) {
      const b = d.keycloak.realm.audienceBinding;
      if (b.strategy !== 'resource-indicator') return;
      if (!b.resource) {
        report(BINDING, 'uses resource-indicator but names no resource: Keycloak needs the gateway URL on the resource client (resource_url)', "set resource to the gateway's MCP URL (https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp, the resource its protected-resource metadata announces)");
        return;
      }
      const problem = resourceProblem(b.resource);
      if (problem) report([...BINDING, 'resource'], `"${b.resource}" ${problem}`, "use the gateway's MCP URL exactly as its protected-resource metadata announces it: https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp");
    },
  },
  {
    id: 'resource-indicator-gateway-mismatch',
    severity: 'error',
    summary: "`audienceBinding.resource` differs from the gateway's URL (`verify.gatewayUrl`), which its protected-resource metadata announces as the resource MCP clients send.",
    check(d, report) {
      const b = d.keycloak.realm.audienceBinding;
      const gateway = d.verify.gatewayUrl;
      if (b.strategy !== 'resource-indicator' || !b.resource || !gateway || b.resource === gateway) return;
      report(
        [...BINDING, 'resource'],
        `"${b.resource}" is not the gateway URL ${gateway} (verify.gatewayUrl): MCP clients send the resource the protected-resource metadata announces (the gateway URL), and Keycloak answers invalid_target for any resource no client's resource_url equals`,
        `set resource to "${gateway}" (exactly: no trailing slash, the same case), or correct verify.gatewayUrl`,
      );
    },
  },
  {
    id: 'resource-indicator-audience-not-allowed',
    severity: 'error',
    summary: '`audienceBinding.resource` is not among `gateway.authorizer.allowedAudiences`: tokens bound to it carry only that audience.',
    check(d, report) {
      const b = d.keycloak.realm.audienceBinding;
      const allowed = d.gateway.authorizer.allowedAudiences;
      if (b.strategy !== 'resource-indicator' || !b.resource || allowed.includes(b.resource)) return;
      report(['gateway', 'authorizer', 'allowedAudiences'], `lacks "${b.resource}": Keycloak replaces aud with the resource, so the gateway would reject every token bound to it`, `add "${b.resource}" to gateway.authorizer.allowedAudiences (and drop the mapper's audience there, so that unbound tokens are refused)`);
    },
  },
  {
    id: 'resource-indicator-client-unmapped',
    severity: 'error',
    summary: "No audience mapper puts `audienceBinding`'s client into access tokens: Keycloak finds the resource only through a client in `aud`, so every request with `resource` gets invalid_target.",
    check(d, report) {
      const realm = d.keycloak.realm;
      if (realm.audienceBinding.strategy !== 'resource-indicator' || !realm.audienceBinding.resource) return;
      const binding = resourceBinding(realm);
      const mapped = realm.clientScopes.flatMap((s) => (s.audienceMapper?.addToAccessToken ? [s.audienceMapper.audience] : []));
      if (binding && mapped.includes(binding.clientId)) return;
      const clientId = binding?.clientId ?? realm.audienceBinding.clientId;
      report(
        clientId ? [...BINDING, 'clientId'] : ['keycloak', 'realm', 'clientScopes'],
        clientId ? `"${clientId}" is put into access tokens by no audience mapper: Keycloak 26.7 looks for the resource among the clients named in aud and answers invalid_target` : 'has no audience mapper, so no client names the resource in aud: Keycloak 26.7 answers invalid_target to every request with resource',
        clientId ? `give the gateway's client scope an audienceMapper with audience "${clientId}" (addToAccessToken: true), or set clientId to a mapper's audience` : 'add an audienceMapper (audience: the resource client id, for example mcp-gateway-demo) to the gateway scope',
      );
    },
  },
  {
    id: 'resource-indicator-refresh-token',
    severity: 'error',
    summary: "`audienceBinding.strategy: resource-indicator` with a CIMD document whose `grant_types` lacks `refresh_token`: Keycloak 26.7.3 answers the login's token request with HTTP 500.",
    check(d, report) {
      if (d.keycloak.realm.audienceBinding.strategy !== 'resource-indicator' || !d.cimd) return;
      const grants = d.cimd.document.grant_types ?? ['authorization_code'];
      if (grants.includes('refresh_token')) return;
      report(
        ['cimd', 'document', 'grant_types'],
        `lacks refresh_token, so Keycloak registers the CIMD client without refresh tokens (use.refresh.tokens follows grant_types), and Keycloak ${RESOURCE_INDICATORS_SINCE}+ fails a token request with resource when it issues no refresh token (HTTP 500, NullPointerException in ResourceIndicatorsPostProcessor; seen on 26.7.3)`,
        'add refresh_token to cimd.document.grant_types (["authorization_code", "refresh_token"])',
      );
    },
  },
];
