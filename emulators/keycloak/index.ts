import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readText, startSwitchableServer } from '../http';
import { ADMIN_ROUTES, ReplyError, type AdminContext, type Reply } from './admin-routes';
import { newRealm, type RealmState } from './state';

/**
 * A fast, in-memory stand-in for Keycloak 26.7.3's admin REST API, for the realm reconciler's fast
 * tests and `keygate rehearse`: loopback only, port 0 by default. It answers the calls keygate makes
 * as the real server does, and tests/integration/keycloak-real/contract.test.ts holds it to a real
 * 26.7.3 step by step (statuses, error bodies, the fields keygate reads): profile/policy PUT replaces
 * the whole list, provider ids as registered on the server (CIMD ones only with the feature on),
 * `enabled` defaults to false, globals only with include-global-*=true, 409 on duplicates (a scope
 * already in a realm default list included), user-profile and client-scope validation, and discovery
 * advertising `client_id_metadata_document_supported` with CIMD on. What it does not model: login,
 * tokens, CIMD registration and client policies at run time (the real server's tests cover those).
 */
export interface KeycloakStandInOptions {
  /** The master realm's admin user (the host reads the password from SSM and logs in with it). */
  admin?: { username: string; password: string };
  features?: { cimd?: boolean };
  /** Lifetime of admin access tokens (Keycloak's master realm: 60 s). */
  tokenLifetimeSeconds?: number;
  port?: number;
}

export interface KeycloakCall {
  method: string;
  path: string;
  status: number;
}

export interface KeycloakStandIn {
  /** Base URL, e.g. http://127.0.0.1:41234 (what `keycloak.admin.url` points at). */
  url: string;
  close(): Promise<void>;
  /** Every request, in order (paths without query strings). */
  callLog: KeycloakCall[];
  /** Admin requests that change something (not GET, not the token endpoint). */
  writes(): KeycloakCall[];
  realm(name: string): RealmState | undefined;
  /** Creates a realm as Keycloak would (for tests that start from an existing realm). */
  createRealm(name: string, enabled?: boolean): RealmState;
  /** Puts a realm's state in place (restoring a saved copy), or removes it with `undefined`. */
  putRealm(name: string, state: RealmState | undefined): void;
  setFeature(name: 'cimd', on: boolean): void;
  /** Stops or restarts listening on the same port: while down, connections are refused. */
  setDown(down: boolean): Promise<void>;
  /** The next request matching `method` and a path ending with `pathSuffix` answers `reply` instead. */
  failNext(method: string, pathSuffix: string, reply: Reply): void;
  /**
   * The `n`-th admin write from now (1 = the next POST, PUT or DELETE under /admin/) fails: with `reply`
   * (a 400 or 409, nothing changed), `'drop'` (the connection closes before Keycloak does anything) or
   * `'drop-after-apply'` (Keycloak applies the write, then the connection closes before the answer: the
   * caller cannot know it happened). A host that fails in the middle of an apply, at any step.
   */
  failWrite(n: number, fault: Reply | 'drop' | 'drop-after-apply'): void;
  /** Whether a `failWrite` fault is still waiting for its write (false once it has fired, or after clearFaults). */
  writeFaultPending(): boolean;
  /** Forgets every fault not yet used up (failNext, failWrite). */
  clearFaults(): void;
  /** Forget every issued admin token (as if they had expired). */
  expireTokens(): void;
  /**
   * The `aud` Keycloak puts into a client's access token in `realm`: the Included Custom Audience of
   * every audience mapper (with `access.token.claim` on) on the client's default scopes and on the
   * optional scopes it asked for. Empty when there is none (Keycloak then sends no `aud`: observed on
   * 26.7.3 for a client with only its own default scopes). What the emulated realm's tokens carry.
   */
  tokenAudiences(realm: string, clientId: string, scopes: string[]): string[];
}

export async function start(options: KeycloakStandInOptions = {}): Promise<KeycloakStandIn> {
  const admin = options.admin ?? { username: 'admin', password: 'admin' };
  const lifetimeMs = (options.tokenLifetimeSeconds ?? 60) * 1000;
  const realms = new Map<string, RealmState>([['master', newRealm('master', true)]]);
  const tokens = new Map<string, number>();
  const callLog: KeycloakCall[] = [];
  const failures: Array<{ method: string; suffix: string; reply: Reply }> = [];
  let writeFault: { remaining: number; fault: Reply | 'drop' | 'drop-after-apply' } | undefined;
  const ctx: AdminContext = { realms, features: { cimd: options.features?.cimd ?? true }, baseUrl: '' };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = await readText(req);
    const isWrite = req.method !== 'GET' && url.pathname.startsWith('/admin/');
    const fault = isWrite && writeFault && --writeFault.remaining === 0 ? writeFault.fault : undefined;
    if (fault !== undefined) writeFault = undefined;
    if (fault === 'drop') return void req.socket.destroy();
    const reply = fault !== undefined && fault !== 'drop-after-apply' ? fault : route(req.method ?? 'GET', url, text, req.headers.authorization);
    if (fault === 'drop-after-apply') {
      callLog.push({ method: req.method ?? 'GET', path: url.pathname, status: reply.status });
      return void req.socket.destroy();
    }
    callLog.push({ method: req.method ?? 'GET', path: url.pathname, status: reply.status });
    const headers: Record<string, string> = reply.body === undefined ? {} : { 'content-type': 'application/json' };
    if (reply.location) headers.location = reply.location;
    res.writeHead(reply.status, headers).end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  };

  const route = (method: string, url: URL, text: string, authorization: string | undefined): Reply => {
    const segments = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const injected = failures.findIndex((f) => f.method === method && url.pathname.endsWith(f.suffix));
    if (injected >= 0) return failures.splice(injected, 1)[0]!.reply;
    if (segments[0] === 'realms') return publicRoute(method, segments, text);
    if (segments[0] !== 'admin') return { status: 404, body: { error: 'Unable to find matching target resource method' } };
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token || (tokens.get(token) ?? 0) < Date.now()) return { status: 401, body: { error: 'HTTP 401 Unauthorized' } };
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return { status: 400, body: { error: 'unable to read contents from stream' } };
    }
    for (const [m, pattern, handler] of ADMIN_ROUTES) {
      const params = match(pattern, segments);
      if (m !== method || !params) continue;
      try {
        return handler(ctx, params, body, url.searchParams);
      } catch (error) {
        if (error instanceof ReplyError) return error.reply;
        throw error;
      }
    }
    return { status: 405, body: { error: 'HTTP 405 Method Not Allowed' } };
  };

  const publicRoute = (method: string, segments: string[], text: string): Reply => {
    const realm = realms.get(segments[1] ?? '');
    const rest = segments.slice(2).join('/');
    if (!realm) return { status: 404, body: { error: 'Realm does not exist' } };
    if (method === 'GET' && rest === '.well-known/openid-configuration') return { status: 200, body: discovery(ctx.baseUrl, realm.realm, ctx.features.cimd) };
    if (method === 'POST' && rest === 'protocol/openid-connect/token') {
      const form = new URLSearchParams(text);
      const valid = realm.realm === 'master' && form.get('grant_type') === 'password' && form.get('client_id') === 'admin-cli' && form.get('username') === admin.username && form.get('password') === admin.password;
      // 400, not 401: RFC 6749 §5.2's invalid_grant, as 26.7.3 answers it.
      if (!valid) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' } };
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, Date.now() + lifetimeMs);
      return { status: 200, body: { access_token: token, expires_in: lifetimeMs / 1000, token_type: 'Bearer', scope: 'profile email' } };
    }
    return { status: 404, body: { error: 'Unable to find matching target resource method' } };
  };

  const server = await startSwitchableServer((req, res) => void handle(req, res).catch((e) => res.writeHead(500).end(String(e))), options.port ?? 0);
  ctx.baseUrl = server.url;

  return {
    url: ctx.baseUrl,
    close: server.close,
    callLog,
    writes: () => callLog.filter((c) => c.method !== 'GET' && c.path.startsWith('/admin/')),
    realm: (name) => realms.get(name),
    createRealm: (name, enabled = true) => {
      const r = newRealm(name, enabled);
      realms.set(name, r);
      return r;
    },
    putRealm: (name, state) => void (state ? realms.set(name, state) : realms.delete(name)),
    setFeature: (_name, on) => void (ctx.features.cimd = on),
    setDown: server.setDown,
    failNext: (method, pathSuffix, reply) => void failures.push({ method, suffix: pathSuffix, reply }),
    failWrite: (n, fault) => void (writeFault = { remaining: n, fault }),
    writeFaultPending: () => writeFault !== undefined,
    clearFaults: () => {
      failures.splice(0);
      writeFault = undefined;
    },
    expireTokens: () => tokens.clear(),
    tokenAudiences: (name, clientId, scopes) => {
      const audiences = grantedScopes(realms.get(name), clientId, scopes).flatMap((scope) =>
        scope.protocolMappers
          .filter((m) => m.protocolMapper === 'oidc-audience-mapper' && m.config?.['access.token.claim'] !== 'false' && m.config?.['included.custom.audience'])
          .map((m) => String(m.config['included.custom.audience'])),
      );
      return [...new Set(audiences)];
    },
  };
}

/** The scopes a client's token is made from: its default scopes, and the optional ones asked for. */
function grantedScopes(r: RealmState | undefined, clientId: string, asked: string[]) {
  const client = r?.clients.find((c) => c.clientId === clientId);
  if (!r || !client) return [];
  const scopeOf = (id: string) => r.clientScopes.find((s) => s.id === id);
  const ids = [...client.defaultClientScopes, ...client.optionalClientScopes.filter((id) => asked.includes(scopeOf(id)?.name ?? ''))];
  return ids.map(scopeOf).filter((s): s is NonNullable<typeof s> => s !== undefined);
}

function match(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split('/').filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    if (part.startsWith(':')) params[part.slice(1)] = segments[i]!;
    else if (part !== segments[i]) return undefined;
  }
  return params;
}

function discovery(base: string, realm: string, cimd: boolean) {
  const issuer = `${base}/realms/${realm}`;
  return {
    issuer,
    authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
    token_endpoint: `${issuer}/protocol/openid-connect/token`,
    jwks_uri: `${issuer}/protocol/openid-connect/certs`,
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token', 'password'],
    code_challenge_methods_supported: ['plain', 'S256'],
    // keycloak/keycloak#49730: 26.6 omits "none" here even with CIMD on.
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'tls_client_auth', 'client_secret_jwt'],
    ...(cimd ? { client_id_metadata_document_supported: true } : {}),
  };
}
