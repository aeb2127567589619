import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { SEED_TOOLS, TOOL_SEPARATOR, toolsFor, type EmulatedTool, type ToolOrigin } from './tools';

export { SEED_TOOLS, toolsFor, type EmulatedTool, type ToolOrigin };

/**
 * An AgentCore Gateway as MCP clients see it, on loopback: an MCP server built with the official MCP
 * TypeScript SDK (streamable HTTP, stateless) behind a CUSTOM_JWT authorizer that validates bearer
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
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
    // Stateless streamable HTTP: one server and transport per request (the SDK's stateless pattern).
    const mcp = new McpServer({ name: 'agentcore-gateway-emulator', version: '1.0.0' });
    for (const target of targets) {
      for (const tool of target.tools ?? []) {
        const inputSchema = tool.acceptsAnyArguments ? z.looseObject(tool.inputSchema) : tool.inputSchema;
        mcp.registerTool(`${target.name}${SEPARATOR}${tool.name}`, { description: tool.description, inputSchema }, async (args: Record<string, unknown>) => ({
          content: [{ type: 'text' as const, text: tool.run(args) }],
        }));
      }
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
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

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
