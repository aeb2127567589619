import type { PolicyDocument, PolicyStatement } from './render-resource-policy';

/** A request as IAM sees it for the keys keygate's policies use. */
export interface PolicyRequest {
  action: string;
  resource: string;
  /** Condition context; an absent key is a missing key (e.g. a call that did not come through a VPC endpoint). */
  context: Record<string, string | undefined>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/**
 * Evaluates the subset of IAM policy language keygate writes, so that tests assert what a policy
 * means rather than how it is spelled: Allow/Deny, `Principal: "*"`, exact or `*`-wildcard actions
 * and resources, and the condition operators StringEquals, StringNotEquals, their `IfExists` forms,
 * and Null. Standard evaluation: an explicit Deny wins, then an Allow, else the implicit deny.
 * Operator semantics follow the IAM reference
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
 * several values of one key are ORed (a negated operator is true only if none match); a negated
 * operator is true for a missing key; a non-negated operator is false for one; `…IfExists` is true
 * for a missing key; `Null: "true"` holds when the key is missing. Anything else throws, so an
 * unsupported construct is never silently evaluated.
 *
 * @example
 * evaluatePolicy(doc, { action: 'bedrock-agentcore:InvokeGateway', resource: arn, context: {} }) // 'explicit-deny'
 */
export function evaluatePolicy(policy: PolicyDocument | { Statement: unknown[] }, request: PolicyRequest): Decision {
  const statements = (policy.Statement as PolicyStatement[]).filter((s) => matches(s, request));
  if (statements.some((s) => s.Effect === 'Deny')) return 'explicit-deny';
  if (statements.some((s) => s.Effect === 'Allow')) return 'allow';
  return 'implicit-deny';
}

function matches(s: PolicyStatement, r: PolicyRequest): boolean {
  if ((s as { Principal?: unknown }).Principal !== '*') throw new TypeError(`unsupported Principal ${JSON.stringify((s as { Principal?: unknown }).Principal)}`);
  return anyGlob(s.Action, r.action) && anyGlob(s.Resource, r.resource) && conditionsHold(s.Condition ?? {}, r.context);
}

function anyGlob(patterns: string | string[], value: string): boolean {
  return (Array.isArray(patterns) ? patterns : [patterns]).some((p) => new RegExp(`^${p.split('*').map(escape).join('.*')}$`).test(value));
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function conditionsHold(condition: Record<string, Record<string, string | string[]>>, context: PolicyRequest['context']): boolean {
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => operatorHolds(operator, context[key], Array.isArray(expected) ? expected : [expected])),
  );
}

function operatorHolds(operator: string, actual: string | undefined, values: string[]): boolean {
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  if (base === 'Null') {
    if (ifExists) throw new TypeError('NullIfExists is not an IAM operator');
    return values.some((v) => (v === 'true') === (actual === undefined));
  }
  if (actual === undefined) {
    if (ifExists) return true;
    if (base === 'StringEquals') return false;
    if (base === 'StringNotEquals') return true;
  }
  if (base === 'StringEquals') return values.includes(actual!);
  if (base === 'StringNotEquals') return !values.includes(actual!);
  throw new TypeError(`unsupported condition operator ${operator}`);
}
