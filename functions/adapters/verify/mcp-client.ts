import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { DesiredToolCall } from '../../core/desired/verify';
import type { ToolCallOutcome, ToolListOutcome } from '../../core/verify/mcp';
import type { HttpObservation } from '../../core/verify/observation';
import { networkErrorText, observe, type FetchLike } from '../http/fetch';

const CLIENT_INFO = { name: 'keygate-verify', version: '1' };

/** An MCP `initialize` request body, for the raw probes (they only look at the status and challenge). */
export const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
});

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/**
 * Sends an MCP `initialize` over streamable HTTP, optionally with a bearer token, and records the
 * answer. Used for the unauthenticated and under-scoped probes.
 */
export function probeInitialize(fetchFn: FetchLike, url: string, bearer?: string): Promise<HttpObservation> {
  return observe(fetchFn, url, { method: 'POST', headers: { ...MCP_HEADERS, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: INITIALIZE_BODY });
}

/**
 * Sends an MCP `initialize` with the token in the query string and no Authorization header. The
 * reported URL has the token masked.
 */
export function probeQueryToken(fetchFn: FetchLike, url: string, token: string): Promise<HttpObservation> {
  const withToken = new URL(url);
  withToken.searchParams.set('access_token', token);
  const masked = new URL(url);
  masked.searchParams.set('access_token', '…');
  return observe(fetchFn, withToken.href, { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE_BODY }, masked.href);
}

/**
 * Connects with the official MCP TypeScript SDK client (streamable HTTP, the token in the
 * Authorization header), lists the tools and makes the configured calls. The last HTTP status and
 * challenge are recorded through the fetch, because the SDK's errors carry only the status.
 */
export async function listAndCallTools(
  fetchFn: FetchLike,
  url: string,
  token: string,
  calls: readonly DesiredToolCall[],
): Promise<{ list: ToolListOutcome; calls: ToolCallOutcome[] }> {
  let last: { status: number; challenge?: string } | undefined;
  const recording: FetchLike = async (input, init) => {
    const response = await fetchFn(input, init);
    if (init?.method === 'POST') last = { status: response.status, ...(response.headers.get('www-authenticate') ? { challenge: response.headers.get('www-authenticate')! } : {}) };
    return response;
  };
  const client = new Client(CLIENT_INFO);
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
    const list: ToolListOutcome = { ok: true, tools, ...(server ? { server: `${server.name} ${server.version}` } : {}) };
    const results: ToolCallOutcome[] = [];
    for (const call of calls) results.push(await callTool(client, call));
    return { list, calls: results };
  } catch (error) {
    const status = error instanceof StreamableHTTPError ? error.code : last?.status;
    const unreachable = !(error instanceof StreamableHTTPError) && last === undefined;
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
