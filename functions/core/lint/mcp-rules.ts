import { AGENTCORE_MCP_VERSIONS, declaredMcpVersions, eraOf, isAgentCoreMcpVersion, MODERN_MCP_VERSION, nearestMcpVersion } from '../gateway/mcp-versions';
import { cimdPolicies } from '../keycloak/analysis';
import type { Rule } from './types';

/**
 * What each declared MCP protocol version requires of the document (docs/mcp-versions.md has the
 * table per version with its sources). The versions AgentCore accepts and its default:
 * functions/core/gateway/mcp-versions.ts.
 */
export const mcpRules: Rule[] = [
  {
    id: 'mcp-version-unsupported',
    severity: 'error',
    summary: '`gateway.protocol.supportedVersions` names a version AgentCore does not accept (2026-07-28, 2025-11-25, 2025-06-18, 2025-03-26), or is an empty list.',
    check(d, report) {
      const versions = d.gateway.protocol?.supportedVersions;
      if (versions === undefined) return;
      if (!versions.length) {
        report(['gateway', 'protocol', 'supportedVersions'], 'is an empty list: the gateway would speak no MCP version', `list the versions MCP clients use (for example [${MODERN_MCP_VERSION}, 2025-11-25]), or omit supportedVersions for AgentCore's default (2025-03-26)`);
      }
      const seen = new Set<string>();
      versions.forEach((v, i) => {
        if (!isAgentCoreMcpVersion(v)) {
          report(['gateway', 'protocol', 'supportedVersions', i], `"${v}" is not an MCP version AgentCore Gateway accepts (${AGENTCORE_MCP_VERSIONS.join(', ')})`, `use "${nearestMcpVersion(v)}" or another of ${AGENTCORE_MCP_VERSIONS.join(', ')} (AgentCore docs, gateway-using.html)`);
        } else if (seen.has(v)) {
          report(['gateway', 'protocol', 'supportedVersions', i], `"${v}" is listed twice`, 'list each version once');
        }
        seen.add(v);
      });
    },
  },
  {
    id: 'mcp-dcr-deprecated',
    severity: 'warning',
    summary: 'The gateway declares MCP 2026-07-28 but the document has no CIMD (no `cimd` document, no CIMD client policy): MCP clients can only register by Dynamic Client Registration, which 2026-07-28 deprecates.',
    check(d, report) {
      if (!declaredMcpVersions(d.gateway).some((v) => eraOf(v) === 'modern')) return;
      if (d.cimd && cimdPolicies(d.keycloak.realm).length) return;
      const missing = [...(d.cimd ? [] : ['a cimd document']), ...(cimdPolicies(d.keycloak.realm).length ? [] : ['a client policy with a client-id-uri condition and a client-id-metadata-document profile'])];
      report(
        d.cimd ? ['keycloak', 'realm', 'clientPolicies'] : ['cimd'],
        `the gateway speaks MCP ${MODERN_MCP_VERSION}, whose clients register by Client ID Metadata Document; without ${missing.join(' and ')} they fall back to Dynamic Client Registration, deprecated in ${MODERN_MCP_VERSION} (changelog "Deprecated" 4, PR #2858; basic/authorization/client-registration)`,
        `declare ${missing.join(' and ')} (the seed's cimd-profile and cimd-policy), and start Keycloak with --features=cimd`,
      );
    },
  },
];
