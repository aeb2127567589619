import { Client, SdkHttpError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { DesiredToolCall } from '../../core/desired/verify';
import { eraOf, MODERN_MCP_VERSION } from '../../core/gateway/mcp-versions';
import type { ToolCallOutcome, ToolListOutcome } from '../../core/verify/mcp';
import type { HttpObservation } from '../../core/verify/observation';
import { networkErrorText, observe, type FetchLike } from '../http/fetch';

const CLIENT_INFO = { name: 'keygate-verify', version: '1' };

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/**
 * The first request an MCP client of `version` sends, for the raw probes (they only look at the
 * status and challenge): `initialize` in the 2025 era; in 2026-07-28 `server/discover` with the
 * version in the MCP-Protocol-Version header, the method in Mcp-Method and the per-request `_meta`
 * (https://modelcontextprotocol.io/specification/2026-07-28/basic/transports, SEP-2575).
 *
 * @example
 * firstRequest('2025-11-25').body // '{"jsonrpc":"2.0","id":1,"method":"initialize",…}'
 */
export function firstRequest(version: string): { headers: Record<string, string>; body: string } {
  if (eraOf(version) === 'legacy') {
    return { headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: CLIENT_INFO } }) };
  }
  const meta = { 'io.modelcontextprotocol/protocolVersion': version, 'io.modelcontextprotocol/clientInfo': CLIENT_INFO, 'io.modelcontextprotocol/clientCapabilities': {} };
  return {
    headers: { ...MCP_HEADERS, 'mcp-protocol-version': version, 'mcp-method': 'server/discover' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta } }),
  };
}

/**
 * Sends the first MCP request of `version` over streamable HTTP, optionally with a bearer token, and
 * records the answer. Used for the unauthenticated and under-scoped probes.
 */
export function probeFirstRequest(fetchFn: FetchLike, url: string, version: string, bearer?: string): Promise<HttpObservation> {
  const first = firstRequest(version);
  return observe(fetchFn, url, { method: 'POST', headers: { ...first.headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: first.body });
}

/**
 * Sends the first MCP request with the token in the query string and no Authorization header. The
 * reported URL has the token masked.
 */
export function probeQueryToken(fetchFn: FetchLike, url: string, token: string, version: string = MODERN_MCP_VERSION): Promise<HttpObservation> {
  const withToken = new URL(url);
  withToken.searchParams.set('access_token', token);
  const masked = new URL(url);
  masked.searchParams.set('access_token', '…');
  const first = firstRequest(version);
  return observe(fetchFn, withToken.href, { method: 'POST', headers: first.headers, body: first.body }, masked.href);
}

/**
 * The official MCP TypeScript SDK v2 client for one protocol version: a 2025-era version offered
 * alone in `initialize` (the gateway must answer it, not another), 2026-07-28 pinned (`server/discover`
 * must offer it; no fallback to `initialize`).
 */
export function clientFor(version: string, info: { name: string; version: string } = CLIENT_INFO): Client {
  return eraOf(version) === 'modern' ? new Client(info, { versionNegotiation: { mode: { pin: version } } }) : new Client(info, { supportedProtocolVersions: [version] });
}

/**
 * Connects with the official MCP TypeScript SDK v2 client in `version` (streamable HTTP, the token in
 * the Authorization header), lists the tools and makes the configured calls. The last HTTP status and
 * challenge are recorded through the fetch, because the SDK's errors carry only the status.
 */
export async function listAndCallTools(
  fetchFn: FetchLike,
  url: string,
  token: string,
  calls: readonly DesiredToolCall[],
  version: string,
): Promise<{ list: ToolListOutcome; calls: ToolCallOutcome[] }> {
  let last: { status: number; challenge?: string } | undefined;
  const recording: FetchLike = async (input, init) => {
    const response = await fetchFn(input, init);
    if (init?.method === 'POST') last = { status: response.status, ...(response.headers.get('www-authenticate') ? { challenge: response.headers.get('www-authenticate')! } : {}) };
    return response;
  };
  const client = clientFor(version);
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: recording, requestInit: { headers: { authorization: `Bearer ${token}` } } });
  try {
    await client.connect(transport);
    const tools: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      tools.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
    } while (cursor && tools.length < 10_000);
    const server = client.getServerVersion();
    const negotiated = client.getNegotiatedProtocolVersion();
    const list: ToolListOutcome = { ok: true, tools, ...(server ? { server: `${server.name} ${server.version}` } : {}), ...(negotiated ? { protocolVersion: negotiated } : {}) };
    const results: ToolCallOutcome[] = [];
    for (const call of calls) results.push(await callTool(client, call));
    return { list, calls: results };
  } catch (error) {
    const status = error instanceof SdkHttpError ? error.status : last?.status;
    const unreachable = !(error instanceof SdkHttpError) && last === undefined;
    const list: ToolListOutcome = {
      ok: false,
      error: unreachable ? networkErrorText(error) : firstLine(error),
      ...(typeof status === 'number' && status > 0 ? { status } : {}),
      ...(last?.challenge ? { challenge: last.challenge } : {}),
      ...(unreachable ? { unreachable } : {}),
    };
    return { list, calls: [] };
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function callTool(client: Client, call: DesiredToolCall): Promise<ToolCallOutcome> {
  try {
    const result = await client.callTool({ name: call.tool, arguments: call.arguments });
    const content = Array.isArray(result.content) ? result.content : [];
    const text = content.map((c: { type: string; text?: string }) => (c.type === 'text' ? (c.text ?? '') : `[${c.type}]`)).join('\n');
    return { ok: true, isError: result.isError === true, text };
  } catch (error) {
    return { ok: false, error: firstLine(error) };
  }
}

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0]!.slice(0, 300);
