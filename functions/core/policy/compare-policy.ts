import type { Change, FieldDiff } from '../plan/change';
import type { PolicyDocument } from './render-resource-policy';

/**
 * A policy in canonical form for comparison: single values become lists, value lists are sorted and
 * de-duplicated, statements are sorted, keys are sorted. Two policies that differ only in the order
 * of statements or values (or in `"x"` vs `["x"]`) compare equal; the service may hand back either
 * form (agentcore-gateway-api.md §10: "compare parsed JSON", as Terraform does).
 */
export function canonicalPolicy(policy: unknown): unknown {
  if (!policy || typeof policy !== 'object' || Array.isArray(policy)) return policy;
  const p = policy as { Version?: unknown; Statement?: unknown; Id?: unknown };
  const statements = (Array.isArray(p.Statement) ? p.Statement : p.Statement === undefined ? [] : [p.Statement]).map((s) => sortKeys(canonicalStatement(s)));
  statements.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return sortKeys({ ...p, Statement: statements });
}

function canonicalStatement(statement: unknown): unknown {
  if (!statement || typeof statement !== 'object') return statement;
  const s = { ...(statement as Record<string, unknown>) };
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource']) if (key in s) s[key] = valueSet(s[key]);
  if (s.Condition && typeof s.Condition === 'object') {
    const condition: Record<string, Record<string, unknown>> = {};
    for (const [operator, keys] of Object.entries(s.Condition as Record<string, Record<string, unknown>>)) {
      condition[operator] = Object.fromEntries(Object.entries(keys ?? {}).map(([k, v]) => [k, valueSet(v)]));
    }
    s.Condition = condition;
  }
  return s;
}

function valueSet(value: unknown): unknown {
  const list = Array.isArray(value) ? value : [value];
  return [...new Set(list.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))].sort();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** Parses policy text as the service returns it; undefined when it is not JSON. */
export function parsePolicyText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type ResourcePolicyChange = Change<unknown> & { kind: 'resource-policy'; fields: FieldDiff[] };

/**
 * Plan for the gateway resource policy: `create` when there is none (a 404 or a Get without
 * `policy`: both mean none, as Terraform treats them), `update` when the parsed documents differ,
 * `noop` otherwise. There is no `delete`: keygate never removes the policy because something else
 * failed.
 *
 * @example
 * planResourcePolicy(arn, desired, undefined).action // 'create'
 */
export function planResourcePolicy(gatewayArn: string, desired: PolicyDocument, observedText: string | undefined): ResourcePolicyChange {
  const base = { kind: 'resource-policy' as const, name: gatewayArn, after: desired };
  if (observedText === undefined || observedText === '') return { ...base, action: 'create', reason: 'missing', fields: [{ field: 'policy', expected: desired, actual: null }] };
  const observed = parsePolicyText(observedText);
  if (observed === undefined) return { ...base, action: 'update', before: observedText, reason: 'unparsable', fields: [{ field: 'policy', expected: desired, actual: observedText }] };
  const fields = diffPolicies(canonicalPolicy(desired), canonicalPolicy(observed));
  return fields.length ? { ...base, action: 'update', before: observed, reason: 'differs', fields } : { ...base, action: 'noop', before: observed, reason: 'in-sync', fields: [] };
}

/** Readable differences between two canonical policies, by statement Sid (or position). */
function diffPolicies(expected: unknown, actual: unknown): FieldDiff[] {
  const e = expected as { Version?: unknown; Statement: Array<Record<string, unknown>> };
  const a = actual as { Version?: unknown; Statement?: Array<Record<string, unknown>> };
  const out: FieldDiff[] = [];
  if (e.Version !== a.Version) out.push({ field: 'Version', expected: e.Version, actual: a.Version });
  const key = (s: Record<string, unknown>, i: number) => (typeof s.Sid === 'string' ? s.Sid : `#${i}`);
  const actualBySid = new Map((a.Statement ?? []).map((s, i) => [key(s, i), s]));
  const expectedBySid = new Map(e.Statement.map((s, i) => [key(s, i), s]));
  for (const [sid, statement] of expectedBySid) {
    const other = actualBySid.get(sid);
    if (!other) out.push({ field: `Statement[${sid}]`, expected: statement, actual: null });
    else for (const field of new Set([...Object.keys(statement), ...Object.keys(other)])) {
      if (JSON.stringify(statement[field]) !== JSON.stringify(other[field])) out.push({ field: `Statement[${sid}].${field}`, expected: statement[field], actual: other[field] ?? null });
    }
  }
  for (const [sid, statement] of actualBySid) if (!expectedBySid.has(sid)) out.push({ field: `Statement[${sid}]`, expected: null, actual: statement });
  return out;
}

/**
 * The VPC endpoint ids a policy currently allows: the `aws:SourceVpce` values of its Allow
 * statements' StringEquals conditions. Rotation keeps these allowed during the grace period.
 */
export function allowedVpcEndpointIds(policy: unknown): string[] {
  const statements = ((policy as { Statement?: unknown } | undefined)?.Statement ?? []) as Array<Record<string, any>>;
  const ids = (Array.isArray(statements) ? statements : [statements])
    .filter((s) => s?.Effect === 'Allow')
    .flatMap((s) => {
      const v = s.Condition?.StringEquals?.['aws:SourceVpce'];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    })
    .filter((v): v is string => typeof v === 'string');
  return [...new Set(ids)].sort();
}
