/**
 * The MCP protocol versions an AgentCore Gateway speaks, and which era each belongs to. One table
 * for lint, verification, the gateway emulator and the docs.
 *
 * - Accepted values: "AgentCore Gateway supports the following MCP versions: 2026-07-28, 2025-11-25,
 *   2025-06-18, and 2025-03-26" (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/gateway-using.html).
 *   AWS's Smithy model has no enum for them (`McpVersion` is a plain string,
 *   shared/fixtures/agentcore/bedrock-agentcore-control.smithy.json), so a typo reaches AgentCore
 *   unless lint stops it.
 * - Default: the model's `McpVersion` carries `smithy.api#default: "2025-03-26"`: what a gateway
 *   without `supportedVersions` speaks. UNCONFIRMED beyond the model (no AWS page states it).
 * - 2026-07-28 is the stateless revision: no `initialize`, no `Mcp-Session-Id`; every request carries
 *   its version (MCP-Protocol-Version header and `_meta`), capabilities come from `server/discover`
 *   (https://modelcontextprotocol.io/specification/2026-07-28/changelog, SEP-2567, SEP-2575).
 */
export const AGENTCORE_MCP_VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'] as const;
export type McpVersion = (typeof AGENTCORE_MCP_VERSIONS)[number];

/** What AgentCore uses when `protocolConfiguration.mcp.supportedVersions` is not set (the model's default). */
export const AGENTCORE_DEFAULT_MCP_VERSIONS: readonly McpVersion[] = ['2025-03-26'];

/** The stateless revision (and any later one): `server/discover` instead of `initialize`. */
export const MODERN_MCP_VERSION = '2026-07-28';

export type McpEra = 'legacy' | 'modern';

/**
 * @example
 * eraOf('2026-07-28') // 'modern'
 * eraOf('2025-11-25') // 'legacy'
 */
export const eraOf = (version: string): McpEra => (version >= MODERN_MCP_VERSION ? 'modern' : 'legacy');

export const isAgentCoreMcpVersion = (version: string): version is McpVersion => (AGENTCORE_MCP_VERSIONS as readonly string[]).includes(version);

/**
 * The versions a gateway declared in the document speaks: its `supportedVersions` (newest first, no
 * duplicates), or AgentCore's default when it declares none.
 *
 * @example
 * declaredMcpVersions({ protocol: { supportedVersions: ['2025-11-25', '2026-07-28'] } }) // ['2026-07-28', '2025-11-25']
 * declaredMcpVersions({}) // ['2025-03-26']
 */
export function declaredMcpVersions(gateway: { protocol?: { supportedVersions?: readonly string[] } | undefined }): string[] {
  const declared = gateway.protocol?.supportedVersions;
  const list = declared && declared.length ? declared : AGENTCORE_DEFAULT_MCP_VERSIONS;
  return [...new Set(list)].sort().reverse();
}

/**
 * The supported version nearest to a typo: the one with the most characters in the same place, or
 * the newest. Only used to word a fix.
 */
export function nearestMcpVersion(version: string): McpVersion {
  const score = (v: string) => [...v].filter((ch, i) => version[i] === ch).length;
  return [...AGENTCORE_MCP_VERSIONS].sort((a, b) => score(b) - score(a))[0]!;
}
