import { resolvingFetch, type FetchLike } from '../../functions/adapters/http/fetch';
import { renderCimdDocument } from '../../functions/core/cimd/render-cimd';
import type { DesiredState } from '../../functions/core/desired/document';
import { issuerOf } from '../../functions/core/verify/expectations';
import { start as startCimdHost, type CimdHost } from '../cimd-host';
import { start as startGateway, toolsFor, type GatewayEmulator, type ToolOrigin } from '../mcp-gateway';
import { start as startOidc, type OidcEmulator } from '../oidc';

/**
 * The live chain of a desired-state document, on loopback: the realm (oidc-provider), the gateway
 * (MCP SDK server behind a JWT authorizer) and the CIMD document host, wired under the document's
 * own host names through a resolving fetch, as a TLS-terminating proxy would. What
 * `keygate verify --resolve …` and `keygate rehearse` talk to.
 *
 * @example
 * const chain = await startChain(desired, { gatewayUrl: 'https://gw.example.com/mcp', canarySecret });
 * const report = await verifyChain(desired, { gatewayUrl: chain.gatewayUrl, canarySecret: { value: canarySecret }, fetch: chain.fetch, now: () => new Date() });
 * await chain.close();
 */
export interface ChainOptions {
  /** Public MCP URL of the emulated gateway. */
  gatewayUrl: string;
  /** Secret of the canary client the realm knows (when the document declares one). */
  canarySecret?: string;
  /** Serve the CIMD document from this file as it is on disk (what keygate published), instead of the rendered document. */
  cimdFile?: string;
}

export interface Chain {
  gatewayUrl: string;
  /** What each target's emulated MCP server offers, and where each tool comes from. */
  tools: Array<{ target: string; tools: Array<{ name: string; origin: ToolOrigin }> }>;
  /** Routes each public host of the document to its loopback emulator. */
  fetch: FetchLike;
  /** `host=origin` pairs, the form `keygate verify --resolve` takes. */
  routes: Record<string, string>;
  op: OidcEmulator;
  gateway: GatewayEmulator;
  cimd?: CimdHost;
  /** Clears every fault. */
  heal(): void;
  close(): Promise<void>;
}

export async function startChain(desired: DesiredState, options: ChainOptions): Promise<Chain> {
  const jwt = desired.gateway.authorizer;
  const issuer = new URL(issuerOf(jwt.discoveryUrl));
  const realm = desired.keycloak.realm;
  if (issuer.pathname !== `/realms/${realm.name}`) {
    throw new TypeError(`gateway.authorizer.discoveryUrl must be https://<host>/realms/${realm.name}/.well-known/openid-configuration to emulate it`);
  }
  const canary = realm.canaryClient;
  const cimdUrl = desired.cimd ? new URL(desired.cimd.url) : undefined;
  const served = options.cimdFile ? { file: options.cimdFile } : desired.cimd ? { document: renderCimdDocument(desired.cimd).document } : undefined;
  const cimd = served && cimdUrl ? await startCimdHost({ path: cimdUrl.pathname, ...served }) : undefined;
  const cimdRoutes: Record<string, string> = cimd && cimdUrl ? { [cimdUrl.host]: cimd.url } : {};
  const op = await startOidc({
    realm: realm.name,
    publicOrigin: issuer.origin,
    resource: { url: options.gatewayUrl, audience: jwt.allowedAudiences[0] ?? options.gatewayUrl, scopes: jwt.allowedScopes },
    clients: canary && options.canarySecret ? [{ clientId: canary.clientId, secret: options.canarySecret }] : [],
    cimd: desired.cimd !== undefined,
    // The realm fetches client metadata documents from the CIMD host, by its public name.
    fetch: resolvingFetch(cimdRoutes) as (url: string, init: RequestInit) => Promise<Response>,
  });
  const routes: Record<string, string> = { [issuer.host]: op.url, ...cimdRoutes };
  // Every target's MCP server serves the tools the document's verification names (mcp-gateway/tools.ts).
  const servers = desired.targets.map((t) => ({ name: t.name, tools: toolsFor(t.name, desired.verify) }));
  const gateway = await startGateway({
    publicUrl: options.gatewayUrl,
    authorizer: { discoveryUrl: jwt.discoveryUrl, allowedAudiences: jwt.allowedAudiences, allowedScopes: jwt.allowedScopes, allowedClients: jwt.allowedClients },
    targets: servers.map((t) => ({ name: t.name, tools: t.tools })),
    fetch: resolvingFetch({ ...routes }),
  });
  routes[new URL(options.gatewayUrl).host] = gateway.url;
  return {
    gatewayUrl: options.gatewayUrl,
    tools: servers.map((t) => ({ target: t.name, tools: t.tools.map((x) => ({ name: x.name, origin: x.origin })) })),
    fetch: resolvingFetch(routes),
    routes,
    op,
    gateway,
    ...(cimd ? { cimd } : {}),
    heal() {
      op.setFaults({});
      gateway.setFaults({});
      cimd?.setFaults({});
    },
    close: async () => {
      await Promise.all([op.close(), gateway.close(), cimd?.close()]);
    },
  };
}
