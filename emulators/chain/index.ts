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
  /**
   * The realm is a real Keycloak at this loopback URL (started with proxy-headers=xforwarded): its public
   * host routes there, and no oidc-provider starts. Tokens, keys and audiences are then Keycloak's own.
   */
  keycloak?: { url: string };
  /**
   * With the emulated realm: the audiences its tokens for a client carry, read from the realm's
   * configuration (the Keycloak stand-in's audience mappers on the client's scopes), as Keycloak issues
   * them. Without it the emulated realm issues the document's first allowed audience.
   */
  realmAudiences?: (clientId: string, scopes: string[]) => string[];
}

export interface Chain<Op extends OidcEmulator | undefined = OidcEmulator> {
  gatewayUrl: string;
  /** What each target's emulated MCP server offers, and where each tool comes from. */
  tools: Array<{ target: string; tools: Array<{ name: string; origin: ToolOrigin }> }>;
  /** Routes each public host of the document to its loopback emulator. */
  fetch: FetchLike;
  /** `host=origin` pairs, the form `keygate verify --resolve` takes. */
  routes: Record<string, string>;
  /** The emulated realm (oidc-provider); undefined when the realm is a real Keycloak (`keycloak`). */
  op: Op;
  /** Where the realm answers on loopback: the emulated realm's URL or the real Keycloak's. */
  realmUrl: string;
  gateway: GatewayEmulator;
  cimd?: CimdHost;
  /** Clears every fault. */
  heal(): void;
  close(): Promise<void>;
}

export async function startChain(desired: DesiredState, options: ChainOptions & { keycloak: { url: string } }): Promise<Chain<undefined>>;
export async function startChain(desired: DesiredState, options: ChainOptions & { keycloak?: undefined }): Promise<Chain>;
export async function startChain(desired: DesiredState, options: ChainOptions): Promise<Chain<OidcEmulator | undefined>>;
export async function startChain(desired: DesiredState, options: ChainOptions): Promise<Chain<OidcEmulator | undefined>> {
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
  const op = options.keycloak
    ? undefined
    : await startOidc({
        realm: realm.name,
        publicOrigin: issuer.origin,
        resource: { url: options.gatewayUrl, audience: jwt.allowedAudiences[0] ?? options.gatewayUrl, scopes: jwt.allowedScopes },
        ...(options.realmAudiences ? { audiences: options.realmAudiences } : {}),
        clients: canary && options.canarySecret ? [{ clientId: canary.clientId, secret: options.canarySecret }] : [],
        cimd: desired.cimd !== undefined,
        // The realm fetches client metadata documents from the CIMD host, by its public name.
        fetch: resolvingFetch(cimdRoutes) as (url: string, init: RequestInit) => Promise<Response>,
      });
  const realmUrl = options.keycloak?.url ?? op!.url;
  const routes: Record<string, string> = { [issuer.host]: realmUrl, ...cimdRoutes };
  // Every target's MCP server serves the tools the document's verification names (mcp-gateway/tools.ts).
  const servers = desired.targets.map((t) => ({ name: t.name, tools: toolsFor(t.name, desired.verify) }));
  const gateway = await startGateway({
    publicUrl: options.gatewayUrl,
    authorizer: { discoveryUrl: jwt.discoveryUrl, allowedAudiences: jwt.allowedAudiences, allowedScopes: jwt.allowedScopes, allowedClients: jwt.allowedClients },
    targets: servers.map((t) => ({ name: t.name, tools: t.tools })),
    ...(desired.gateway.protocol?.supportedVersions?.length ? { supportedVersions: desired.gateway.protocol.supportedVersions } : {}),
    fetch: resolvingFetch({ ...routes }),
  });
  routes[new URL(options.gatewayUrl).host] = gateway.url;
  return {
    gatewayUrl: options.gatewayUrl,
    tools: servers.map((t) => ({ target: t.name, tools: t.tools.map((x) => ({ name: x.name, origin: x.origin })) })),
    fetch: resolvingFetch(routes),
    routes,
    op,
    realmUrl,
    gateway,
    ...(cimd ? { cimd } : {}),
    heal() {
      op?.setFaults({});
      gateway.setFaults({});
      cimd?.setFaults({});
    },
    close: async () => {
      await Promise.all([op?.close(), gateway.close(), cimd?.close()]);
    },
  };
}
