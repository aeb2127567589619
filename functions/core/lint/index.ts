import type { DesiredState } from '../desired/document';
import { formatPath } from '../desired/paths';
import { audienceBindingRules } from './audience-binding-rules';
import { cimdRules } from './cimd-rules';
import { gatewayRules } from './gateway-rules';
import { inputRules } from './input-rules';
import { keycloakRules } from './keycloak-rules';
import { mcpRules } from './mcp-rules';
import { resourcePolicyRules } from './resource-policy-rules';
import { verifyRules } from './verify-rules';
import type { Finding, LintContext, Rule } from './types';

export type { Finding, LintContext, Rule, Severity } from './types';

/** Every lint rule, in the order findings are reported. */
export const RULES: readonly Rule[] = [...gatewayRules, ...mcpRules, ...resourcePolicyRules, ...keycloakRules, ...audienceBindingRules, ...cimdRules, ...verifyRules, ...inputRules];

/**
 * Semantic checks across the whole document: the mistakes that only show up as a rejected token
 * (audience, scope, discovery URL, CIMD trust, redirect URIs, the #49456 workaround, the policy
 * source). Pure; the document is already shape-checked.
 *
 * @example
 * lintDesiredState(desired).filter((f) => f.severity === 'error').map((f) => f.ruleId)
 */
export function lintDesiredState(desired: DesiredState, context: LintContext = {}): Finding[] {
  const findings: Finding[] = [];
  for (const rule of RULES) {
    rule.check(
      desired,
      (pathSegments, message, fix) => {
        findings.push({ ruleId: rule.id, severity: rule.severity, path: formatPath(pathSegments), pathSegments, message, fix });
      },
      context,
    );
  }
  return findings;
}
