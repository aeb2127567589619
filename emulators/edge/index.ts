import { renderCimdDocument } from '../../functions/core/cimd/render-cimd';
import type { DesiredState } from '../../functions/core/desired/document';
import { hostResolverRules, mappedFetch, type NameMap } from '../../cli/login/net';
import type { LocalCa } from '../../scripts/tls/local-ca';
import { LOGIN_NAMES } from '../../scripts/tls/keycloak-trust';
import { start as startCimdHost, type CimdHost } from '../cimd-host';
import { start as startLoadBalancer, type LoadBalancer } from '../load-balancer';
import { start as startGateway, SEED_TOOLS, type GatewayEmulator } from '../mcp-gateway';

/**
 * The seed's network edge around a real Keycloak, on loopback, for the login flow: the internal load
 * balancer (TLS from a local CA, one port for every public name) in front of Keycloak (`auth.`), the
 * CIMD document's web host (`cimd.`) and the gateway (the MCP SDK server behind its JWT check against
 * Keycloak's keys, `<gateway host>`). Public URLs carry the balancer's port (no fixed port 443 here):
 * `https://auth.<domain>:<port>/realms/<realm>`, `https://cimd.<domain>:<port>/oauth/…`.
 *
 * Two steps, because the document's URLs depend on the port: `startEdge` opens the balancer, then
 * `serve(desired)` starts the CIMD host and the gateway for the document written with `urls`.
 *
 * @example
 * const edge = await startEdge({ ca, keycloakUrl: kc.url });
 * const desired = seedWith((raw) => edge.pointDocument(raw, realm));
 * await edge.serve(desired);
 * const run = await runLogin({ gatewayUrl: edge.gatewayUrl, clientMetadataUrl: desired.cimd!.url, fetch: edge.fetch, browser, … });
 */
export interface EdgeOptions {
  ca: LocalCa;
  /** The real Keycloak's loopback URL (http). */
  keycloakUrl: string;
  /** The gateway's public host name. Default: an AgentCore-shaped name. */
  gatewayHost?: string;
}

export interface Edge {
  balancer: LoadBalancer;
  /** `https://auth.<domain>:<port>` etc. */
  origins: { auth: string; cimd: string; gateway: string };
  gatewayUrl: string;
  /** Node's fetch for these names (real TLS to the balancer, the local CA trusted). */
  fetch: ReturnType<typeof mappedFetch>;
  /** The name map, for Chromium: `--host-resolver-rules` and the certificate's SPKI hash. */
  browser: { hostResolverRules: string; trustedSpki: string[] };
  names: NameMap;
  /** Points a raw seed document at this edge: realm name, discovery URL, CIMD URL (and its trusted host), publish off. */
  pointDocument(raw: Record<string, any>, realm: string): void;
  /** Starts the CIMD host (the rendered document) and the gateway (the document's authorizer). */
  serve(desired: DesiredState): Promise<{ cimd?: CimdHost; gateway: GatewayEmulator }>;
  /**
   * Serves another document on the CIMD host's name, at `path` (a client of its own: its client_id is
   * the returned URL unless the document says otherwise); returns that URL.
   */
  serveDocument(path: string, document: Record<string, unknown>): Promise<string>;
  cimd?: CimdHost;
  gateway?: GatewayEmulator;
  close(): Promise<void>;
}

export const DEFAULT_GATEWAY_HOST = 'mcp-gateway-keycloak-demo-0123456789.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com';

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const gatewayHost = options.gatewayHost ?? DEFAULT_GATEWAY_HOST;
  const certificate = options.ca.issue([LOGIN_NAMES.auth, LOGIN_NAMES.cimd, gatewayHost]);
  const balancer = await startLoadBalancer({ certificate: { certPem: certificate.certPem + options.ca.certPem, keyPem: certificate.keyPem }, routes: { [LOGIN_NAMES.auth]: options.keycloakUrl } });
  const names: NameMap = { hosts: { [LOGIN_NAMES.auth]: '127.0.0.1', [LOGIN_NAMES.cimd]: '127.0.0.1', [gatewayHost]: '127.0.0.1' }, ca: [options.ca.certPem] };
  const origins = { auth: balancer.origin(LOGIN_NAMES.auth), cimd: balancer.origin(LOGIN_NAMES.cimd), gateway: balancer.origin(gatewayHost) };
  const fetchFn = mappedFetch(names);
  const extras: CimdHost[] = [];
  const edge: Edge = {
    balancer,
    origins,
    gatewayUrl: `${origins.gateway}/mcp`,
    fetch: fetchFn,
    browser: { hostResolverRules: hostResolverRules(names), trustedSpki: [certificate.spkiSha256] },
    names,
    pointDocument(raw, realm) {
      raw.keycloak.realm.name = realm;
      raw.gateway.authorizer.discoveryUrl = `${origins.auth}/realms/${realm}/.well-known/openid-configuration`;
      raw.cimd.url = `${origins.cimd}${new URL(raw.cimd.url).pathname}`;
      delete raw.cimd.publish;
    },
    async serve(desired) {
      const jwt = desired.gateway.authorizer;
      if (desired.cimd) {
        const url = new URL(desired.cimd.url);
        edge.cimd = await startCimdHost({ path: url.pathname, document: renderCimdDocument(desired.cimd).document });
        balancer.route(url.hostname, edge.cimd.url);
      }
      edge.gateway = await startGateway({
        publicUrl: edge.gatewayUrl,
        authorizer: { discoveryUrl: jwt.discoveryUrl, allowedAudiences: jwt.allowedAudiences, allowedScopes: jwt.allowedScopes, allowedClients: jwt.allowedClients },
        targets: desired.targets.map((t) => ({ name: t.name, tools: SEED_TOOLS })),
        ...(desired.gateway.protocol?.supportedVersions?.length ? { supportedVersions: desired.gateway.protocol.supportedVersions } : {}),
        fetch: fetchFn,
      });
      balancer.route(gatewayHost, edge.gateway.url);
      return { ...(edge.cimd ? { cimd: edge.cimd } : {}), gateway: edge.gateway };
    },
    async serveDocument(path, document) {
      const url = `${origins.cimd}${path}`;
      const host = await startCimdHost({ path, document: { client_id: url, ...document } });
      extras.push(host);
      balancer.route(LOGIN_NAMES.cimd, host.url, path);
      return url;
    },
    close: async () => {
      await Promise.all([edge.cimd?.close(), edge.gateway?.close(), ...extras.map((h) => h.close()), balancer.close()]);
      await fetchFn.close();
    },
  };
  return edge;
}
