import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, isLegacyRequest, legacyStatelessFallback, McpServer, type McpRequestContext } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { AGENTCORE_DEFAULT_MCP_VERSIONS, eraOf, MODERN_MCP_VERSION } from '../../functions/core/gateway/mcp-versions';
import { SEED_TOOLS, TOOL_SEPARATOR, toolsFor, type EmulatedTool, type ToolOrigin } from './tools';

export { SEED_TOOLS, toolsFor, type EmulatedTool, type ToolOrigin };

/**
 * An AgentCore Gateway as MCP clients see it, on loopback: an MCP server built with the official MCP
 * TypeScript SDK v2 (`@modelcontextprotocol/server`, streamable HTTP, stateless) speaking the
 * gateway's `supportedVersions`, both eras: 2025-era `initialize` (negotiated to a declared version)
 * and 2026-07-28 `server/discover` with per-request versions; a version the gateway was not given is
 * refused as AgentCore does (400, unsupported protocol version). Behind it, a CUSTOM_JWT authorizer that validates bearer
 * tokens with jose against the authorization server's JWKS, the way AgentCore does
 * (mcp-authorization-checklist §5): 401 with `WWW-Authenticate: Bearer error="invalid_token",
 * scope=…, resource_metadata=…`, 403 `insufficient_scope`, protected-resource metadata at the root
 * well-known URL, and tools named `<target>___<tool>`. Faults reproduce misconfigurations.
 *
 * @example
 * const gw = await start({ publicUrl: 'https://gw.example.com/mcp', authorizer: { discoveryUrl, allowedAudiences: ['mcp-gateway-demo'], allowedScopes: ['mcp:tools'] }, fetch });
 * gw.setFaults({ omitResourceMetadata: true });
 * await gw.close();
 */
export interface GatewayEmulatorOptions {
  /** The MCP URL clients use (https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp). Default: loopback + /mcp. */
  publicUrl?: string;
  authorizer: { discoveryUrl: string; allowedAudiences?: string[]; allowedScopes?: string[]; allowedClients?: string[] };
  /** `protocolConfiguration.mcp.supportedVersions`; default: AgentCore's default (mcp-versions.ts). */
  supportedVersions?: readonly string[];
  /** Targets and their tools; default one target `my-mcp-server` with the seed's tools. */
  targets?: Array<{ name: string; tools?: EmulatedTool[] }>;
  /** Fetch for discovery and the JWKS (route it to the loopback authorization server). */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
}

export interface GatewayFaults {
  /** 401 challenges without `resource_metadata` (a proxy rewriting them). */
  omitResourceMetadata?: boolean;
  /** Accept a token from `?access_token=` when there is no Authorization header. */
  acceptQueryToken?: boolean;
  /** No scope check (allowedScopes not enforced). */
  skipScopeCheck?: boolean;
  /** No authentication at all. */
  acceptAnyone?: boolean;
  /** Protected-resource metadata with this `resource` instead of the MCP URL. */
  prmResource?: string;
  /** Protected-resource metadata with these `authorization_servers`. */
  prmAuthorizationServers?: string[];
}

export interface GatewayCall {
  method: string;
  path: string;
  status: number;
  /** Where the accepted token came from, if any. */
  token?: 'header' | 'query';
  /** The MCP era of an authorized request (a 2026-07-28 request carries its version in `_meta`). */
  era?: 'legacy' | 'modern';
}

export interface GatewayEmulator {
  url: string;
  publicUrl: string;
  resourceMetadataUrl: string;
  calls: GatewayCall[];
  faults: GatewayFaults;
  setFaults(faults: GatewayFaults): void;
  close(): Promise<void>;
}

const SEPARATOR = TOOL_SEPARATOR;

export async function start(options: GatewayEmulatorOptions): Promise<GatewayEmulator> {
  const calls: GatewayCall[] = [];
  const fetchFn = options.fetch ?? fetch;
  const targets = options.targets ?? [{ name: 'my-mcp-server', tools: SEED_TOOLS }];
  const jwt = options.authorizer;
  let authServer: Promise<{ issuer: string; keys: ReturnType<typeof createRemoteJWKSet> }> | undefined;
  // Like AgentCore, the issuer and keys come from the discovery URL, read once and cached.
  const discover = () =>
    (authServer ??= (async () => {
      const doc = (await (await fetchFn(jwt.discoveryUrl)).json()) as { issuer: string; jwks_uri: string };
      return { issuer: doc.issuer, keys: createRemoteJWKSet(new URL(doc.jwks_uri), { [customFetch]: (u, o) => fetchFn(u, o) }) };
    })().catch((error: unknown) => {
      authServer = undefined;
      throw error;
    }));

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const call: GatewayCall = { method: req.method ?? 'GET', path, status: 0 };
    res.on('finish', () => calls.push({ ...call, status: res.statusCode }));
    void route(req, res, call).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publicUrl = options.publicUrl ?? `${url}/mcp`;
  const resourceMetadataUrl = new URL('/.well-known/oauth-protected-resource', publicUrl).href;
  const emulator: GatewayEmulator = {
    url,
    publicUrl,
    resourceMetadataUrl,
    calls,
    faults: {},
    setFaults(faults) {
      emulator.faults = { ...faults };
    },
    close: async () => {
      await modernHandler.close().catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse, call: GatewayCall) {
    const path = call.path;
    if (path === '/.well-known/oauth-protected-resource' && req.method === 'GET') return sendMetadata(res);
    if (path !== new URL(publicUrl).pathname) return send(res, 404, { message: 'Not Found' });
    const f = emulator.faults;
    if (!f.acceptAnyone) {
      const query = new URL(req.url ?? '/', url).searchParams.get('access_token');
      const header = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const token = header ?? (f.acceptQueryToken && query ? query : undefined);
      if (!token) return challenge(res, 401, 'invalid_token', 'Missing Bearer token');
      const verdict = await authorize(token);
      if (verdict !== 'ok') return challenge(res, verdict === 'insufficient_scope' ? 403 : 401, verdict, verdict === 'insufficient_scope' ? 'Insufficient scope' : 'Invalid Bearer token');
      call.token = header ? 'header' : 'query';
    }
    const request = await toWebRequest(req, url);
    const legacy = await isLegacyRequest(request.clone());
    call.era = legacy ? 'legacy' : 'modern';
    const response = legacy ? (legacyVersions.length ? await legacyHandler(request) : unsupported(legacyVersions, 'initialize')) : await modernHandler.fetch(request);
    await sendWeb(res, response);
  }

  // One factory for both eras (the SDK's pattern): the same tools, named `<target>___<tool>`.
  const versions = [...(options.supportedVersions?.length ? options.supportedVersions : AGENTCORE_DEFAULT_MCP_VERSIONS)];
  const legacyVersions = versions.filter((v) => eraOf(v) === 'legacy').sort().reverse();
  const modernVersions = versions.filter((v) => eraOf(v) === 'modern');
  const factory = (ctx: McpRequestContext) => {
    // A legacy instance negotiates among the declared 2025-era versions (newest first): AgentCore
    // answers an `initialize` for another version with one it speaks.
    const supportedProtocolVersions = ctx.era === 'legacy' ? legacyVersions : modernVersions;
    const mcp = new McpServer({ name: 'agentcore-gateway-emulator', version: '1.0.0' }, { supportedProtocolVersions });
    for (const target of targets) {
      for (const tool of target.tools ?? []) {
        const shape = tool.acceptsAnyArguments ? z.looseObject(tool.inputSchema) : z.object(tool.inputSchema);
        mcp.registerTool(`${target.name}${SEPARATOR}${tool.name}`, { description: tool.description, inputSchema: shape }, async (args: Record<string, unknown>) => ({
          content: [{ type: 'text' as const, text: tool.run(args) }],
        }));
      }
    }
    return mcp;
  };
  const legacyHandler = legacyStatelessFallback(factory);
  const modernHandler = createMcpHandler(factory, { legacy: 'reject' });
  if (!modernVersions.length) {
    // A gateway without 2026-07-28 refuses a request that carries it, naming what it speaks.
    const reject = modernHandler.fetch;
    modernHandler.fetch = async (request) => (request.method === 'POST' ? unsupported(legacyVersions, MODERN_MCP_VERSION) : reject(request));
  }

  async function authorize(token: string): Promise<'ok' | 'invalid_token' | 'insufficient_scope'> {
    let payload: JWTPayload;
    try {
      const as = await discover();
      const audiences = jwt.allowedAudiences ?? [];
      ({ payload } = await jwtVerify(token, as.keys, { issuer: as.issuer, ...(audiences.length ? { audience: audiences } : {}), requiredClaims: ['exp'] }));
    } catch {
      return 'invalid_token';
    }
    const clients = jwt.allowedClients ?? [];
    if (clients.length && !clients.includes(String(payload.client_id))) return 'invalid_token';
    const scopes = jwt.allowedScopes ?? [];
    const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    // AgentCore: at least one of the token's scopes must be allowed (checklist §5.2).
    if (scopes.length && !emulator.faults.skipScopeCheck && !scopes.some((s) => granted.includes(s))) return 'insufficient_scope';
    return 'ok';
  }

  function challenge(res: ServerResponse, status: number, error: string, message: string) {
    const params = [`error="${error}"`, ...(jwt.allowedScopes?.length ? [`scope="${jwt.allowedScopes.join(' ')}"`] : [])];
    if (!emulator.faults.omitResourceMetadata) params.push(`resource_metadata="${resourceMetadataUrl}"`);
    res.setHeader('www-authenticate', `Bearer ${params.join(', ')}`);
    send(res, status, { jsonrpc: '2.0', id: null, error: { code: -32001, message } });
  }

  async function sendMetadata(res: ServerResponse) {
    const f = emulator.faults;
    let servers = f.prmAuthorizationServers;
    if (!servers) {
      try {
        servers = [(await discover()).issuer];
      } catch {
        return send(res, 502, { message: 'authorization server unavailable' });
      }
    }
    send(res, 200, { resource: f.prmResource ?? publicUrl, authorization_servers: servers, scopes_supported: jwt.allowedScopes ?? [], bearer_methods_supported: ['header'] });
  }

  return emulator;
}

/** AgentCore's answer to a version it was not configured with (JSON-RPC -32022, MCP 2026-07-28 §versioning). */
function unsupported(supported: readonly string[], requested: string): Response {
  const body = { jsonrpc: '2.0', id: null, error: { code: -32022, message: `Unsupported protocol version: ${requested}`, data: { supported, requested } } };
  return new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json' } });
}

/** node:http → the web-standard Request the SDK v2 handlers take (the body read whole: MCP requests are small). */
async function toWebRequest(req: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && chunks.length > 0;
  return new Request(new URL(req.url ?? '/', base), { method: req.method ?? 'GET', headers, ...(hasBody ? { body: Buffer.concat(chunks) } : {}) });
}

/** The web-standard Response back onto node:http, streamed (an SSE answer arrives in parts). */
async function sendWeb(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  res.on('close', () => void reader.cancel().catch(() => undefined));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
