import { TOOL_NAME_SEPARATOR } from '../verify/expectations';
import type { Rule } from './types';

export const verifyRules: Rule[] = [
  {
    id: 'verify-tool-target-unknown',
    severity: 'error',
    summary: 'A tool in `verify.expectedTools` or `verify.toolCalls` is not named `<target>___<tool>` for a declared target.',
    check(d, report) {
      const targets = d.targets.map((t) => t.name);
      const judge = (path: Array<string | number>, name: string) => {
        const i = name.indexOf(TOOL_NAME_SEPARATOR);
        const target = i > 0 ? name.slice(0, i) : undefined;
        if (!target || !targets.includes(target) || i + TOOL_NAME_SEPARATOR.length >= name.length) {
          report(path, `"${name}" is not <target>${TOOL_NAME_SEPARATOR}<tool> for a declared target (${targets.join(', ')}): the gateway never lists it`, `write it as the gateway lists it, for example ${targets[0]}${TOOL_NAME_SEPARATOR}${target ? name.slice(i + TOOL_NAME_SEPARATOR.length) || 'add_numbers' : name}`);
        }
      };
      d.verify.expectedTools.forEach((t, i) => judge(['verify', 'expectedTools', i], t));
      d.verify.toolCalls.forEach((c, i) => judge(['verify', 'toolCalls', i, 'tool'], c.tool));
    },
  },
  {
    id: 'verify-gateway-url-invalid',
    severity: 'error',
    summary: '`verify.gatewayUrl` is not an https URL with a path (the MCP URL ends with `/mcp`).',
    check(d, report) {
      const url = d.verify.gatewayUrl;
      if (url === undefined) return;
      let ok = false;
      try {
        const parsed = new URL(url);
        ok = parsed.protocol === 'https:' && parsed.pathname.length > 1;
      } catch {
        ok = false;
      }
      if (!ok) report(['verify', 'gatewayUrl'], `"${url}" is not the gateway's https MCP URL`, 'use the gatewayUrl GetGateway reports, for example https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp, or omit it');
    },
  },
  {
    id: 'verify-canary-missing',
    severity: 'warning',
    summary: 'Verification is on but no canary client is declared: token, MCP call and denied-call checks are skipped.',
    check(d, report) {
      if (d.verify.enabled && !d.keycloak.realm.canaryClient) {
        report(['keycloak', 'realm'], 'declares no canaryClient, so verification cannot get a token: only discovery, the 401 challenge, the metadata and the CIMD document are checked', 'declare keycloak.realm.canaryClient (keygate creates it as a client-credentials client)');
      }
    },
  },
  {
    id: 'verify-network-missing',
    severity: 'warning',
    summary: 'Keycloak is private (the authorizer uses a private endpoint) but `verify.network` is not set, so the verify function cannot reach it.',
    check(d, report) {
      if (d.verify.enabled && d.gateway.authorizer.privateEndpoint && !d.verify.network) {
        report(['verify'], 'has no network, but Keycloak is reached through a private endpoint: the verify function runs outside the VPC and cannot reach it', 'set verify.network.subnetIds and securityGroupIds (a subnet that reaches the load balancer and the VPC endpoints)');
      }
    },
  },
];
