import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type StructuredToken } from 'oidc-provider';
import { memoryAdapterFactory } from './adapter';

/**
 * A certified OpenID Provider (oidc-provider 9) dressed as a Keycloak realm, on loopback: issuer
 * `<origin>/realms/<realm>`, Keycloak's endpoint paths, RS256 JWT access tokens for client
 * credentials with the audience and scopes of one resource (RFC 8707), PKCE required, CIMD
 * advertised. Faults make it misbehave the ways a real realm does (checklist §4, §5.3).
 * Used by the verification tests and `keygate rehearse`.
 *
 * @example
 * const op = await start({ resource: { url: 'https://gw.example.com/mcp', audience: 'mcp-gateway-demo', scopes: ['mcp:tools'] },
 *   clients: [{ clientId: 'keygate-canary', secret }], publicOrigin: 'https://auth.example.com' });
 * op.setFaults({ audience: 'account' }); // the next tokens carry only Keycloak's default audience
 * await op.close();
 */
export interface OidcEmulatorOptions {
  /** Realm name: the issuer is `<publicOrigin>/realms/<realm>`, as in Keycloak. */
  realm?: string;
  /**
   * The origin clients use (for example `https://auth.example.com` behind a TLS-terminating proxy
   * that sends X-Forwarded-Host/-Proto). Default: the loopback origin the emulator listens on.
   */
  publicOrigin?: string;
  /** Confidential client-credentials clients (client_secret_basic), such as the keygate canary. */
  clients?: Array<{ clientId: string; secret: string }>;
  /** The protected resource tokens are minted for: its URL (the `resource` indicator), audience and scopes. */
  resource: { url: string; audience: string; scopes: string[] };
  /**
   * The `aud` of a client's tokens as the realm's configuration gives it (Keycloak: the audience mappers
   * on the client's scopes; none, no `aud`), instead of the resource's audience. Without it the resource's
   * audience is issued whatever the realm holds.
   */
  audiences?: (clientId: string, scopes: string[]) => string[];
  accessTokenTtlSeconds?: number;
  algorithm?: 'RS256' | 'ES256' | 'PS256';
  /** Advertise and accept Client ID Metadata Documents (default true). */
  cimd?: boolean;
  /** Fetch used to retrieve CIMD documents (route it to a loopback document host). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** Ways to make the realm misbehave, each a real-world breakage keygate must name. */
export interface OidcFaults {
  /** Announce this issuer in discovery and in tokens (Keycloak without KC_HOSTNAME behind a proxy). */
  issuer?: string;
  /** Token `aud` instead of the resource's audience (`'account'`: the audience mapper is missing). */
  audience?: string | string[];
  /** Tokens without a `scope` claim ("Include in token scope" off). */
  omitScopeClaim?: boolean;
  /** Tokens that are already expired when issued (a clock far behind). */
  expired?: boolean;
  /** Sign tokens with this algorithm instead (an unexpected realm key). */
  algorithm?: 'RS256' | 'ES256' | 'PS256';
  /** Token lifetime in seconds (exp - iat) instead of the configured one. */
  lifetimeSeconds?: number;
  /** Discovery without `code_challenge_methods_supported`. */
  omitS256?: boolean;
  /** Discovery without `client_id_metadata_document_supported`. */
  omitCimdFlag?: boolean;
  /** Discovery endpoints on http (no proxy headers trusted). */
  httpEndpoints?: boolean;
}

export interface OidcCall {
  method: string;
  path: string;
  status: number;
}

export interface OidcEmulator {
  /** The loopback origin the emulator listens on (http://127.0.0.1:port). */
  url: string;
  issuer: string;
  discoveryUrl: string;
  calls: OidcCall[];
  faults: OidcFaults;
  setFaults(faults: OidcFaults): void;
  close(): Promise<void>;
}

/** Keycloak's paths under `/realms/<realm>` (oidc-provider's route names on the left). */
const KEYCLOAK_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  introspection: '/protocol/openid-connect/token/introspect',
  revocation: '/protocol/openid-connect/revoke',
  end_session: '/protocol/openid-connect/logout',
  pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
};

export async function start(options: OidcEmulatorOptions): Promise<OidcEmulator> {
  const realm = options.realm ?? 'mcp-demo';
  const prefix = `/realms/${realm}`;
  const calls: OidcCall[] = [];
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    res.on('finish', () => calls.push({ method: req.method ?? 'GET', path, status: res.statusCode }));
    if (!path.startsWith(`${prefix}/`)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Realm does not exist"}');
      return;
    }
    // Mounted under the realm path the way Express mounts it: oidc-provider reads originalUrl to
    // find its mount path when it builds endpoint URLs.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = req.url!.slice(prefix.length);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${options.publicOrigin ?? url}${prefix}`;
  const emulator: OidcEmulator = {
    url,
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    calls,
    faults: {},
    setFaults(faults) {
      emulator.faults = { ...faults };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const provider = await buildProvider(issuer, options, () => emulator.faults);
  handle = provider.callback();
  return emulator;
}

async function buildProvider(issuer: string, options: OidcEmulatorOptions, faults: () => OidcFaults): Promise<Provider> {
  const keys = await Promise.all(
    (['RS256', 'ES256', 'PS256'] as const).map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      return { ...(await exportJWK(privateKey)), kid: `${alg.toLowerCase()}-1`, alg, use: 'sig' };
    }),
  );
  const { resource } = options;
  const ttl = options.accessTokenTtlSeconds ?? 300;
  const provider = new Provider(issuer, {
    adapter: memoryAdapterFactory(),
    jwks: { keys },
    clients: (options.clients ?? []).map((c) => ({
      client_id: c.clientId,
      client_secret: c.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    routes: KEYCLOAK_ROUTES,
    scopes: ['openid', 'offline_access', ...resource.scopes],
    pkce: { required: () => true },
    ttl: { AccessToken: ttl, ClientCredentials: ttl, Grant: 600, Interaction: 600, Session: 600, IdToken: ttl },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      devInteractions: { enabled: false },
      ...(options.cimd === false ? {} : { clientIdMetadataDocument: { enabled: true, ack: 'draft-02' } }),
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource.url,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          if (indicator !== resource.url) throw new errors.InvalidTarget();
          return {
            scope: resource.scopes.join(' '),
            audience: resource.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ttl,
            jwt: { sign: { alg: faults().algorithm ?? options.algorithm ?? 'RS256' } },
          };
        },
      },
    },
    formats: {
      customizers: {
        jwt: (_ctx, token, jwt) => {
          if (options.audiences) {
            const clientId = String((token as { clientId?: string }).clientId ?? jwt.payload.client_id ?? '');
            const audiences = options.audiences(clientId, String(jwt.payload.scope ?? '').split(' ').filter(Boolean));
            // Keycloak then sends no aud; oidc-provider refuses a JWT without one, so the closest: an empty list.
            jwt.payload.aud = audiences.length === 1 ? audiences[0]! : audiences;
          }
          applyTokenFaults(jwt, faults());
        },
      },
    },
  });
  provider.proxy = true; // trust X-Forwarded-Host/-Proto from the proxy in front (resolvingFetch)
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200) ctx.body = applyDiscoveryFaults(ctx.body as Record<string, unknown>, faults());
  });
  return provider;
}

function applyTokenFaults(jwt: StructuredToken, f: OidcFaults): void {
  const p = jwt.payload;
  if (f.issuer) p.iss = f.issuer;
  if (f.audience) p.aud = f.audience;
  if (f.omitScopeClaim) delete p.scope;
  const iat = p.iat as number;
  if (f.lifetimeSeconds) p.exp = iat + f.lifetimeSeconds;
  if (f.expired) {
    const lifetime = (p.exp as number) - iat;
    p.iat = iat - lifetime - 600;
    p.exp = iat - 600;
  }
}

function applyDiscoveryFaults(body: Record<string, unknown>, f: OidcFaults): Record<string, unknown> {
  let doc = { ...body };
  if (f.issuer) doc.issuer = f.issuer;
  if (f.omitS256) delete doc.code_challenge_methods_supported;
  if (f.omitCimdFlag) delete doc.client_id_metadata_document_supported;
  if (f.httpEndpoints) doc = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/^https:/, 'http:') : v]));
  return doc;
}
