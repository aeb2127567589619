import { stableStringify } from './client-token';

// Normalizers for comparing what keygate renders with what AgentCore returns (house style habit 3):
// lists without meaningful order become sorted sets, absent and empty mean the same, server defaults
// are filled in, and union members are compared by their one key. Both sides go through the same
// function, so a field is "different" only when its meaning differs.

export type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/**
 * A list whose order carries no meaning (audiences, scopes, clients, subnet and security group ids).
 *
 * @example
 * asSet(['b', 'a', 'b']) // ['a', 'b']
 * asSet(undefined)       // []
 */
export function asSet(value: unknown): string[] {
  return Array.isArray(value) ? [...new Set(value.map(String))].sort() : [];
}

/**
 * A private endpoint union in a comparable form; `null` when absent. `endpointIpAddressType`
 * defaults to IPV4 and an empty security group list equals none.
 *
 * @example
 * normalizePrivateEndpoint({ managedVpcResource: { vpcIdentifier: 'vpc-1', subnetIds: ['b', 'a'], endpointIpAddressType: 'IPV4' } })
 * // { managedVpcResource: { vpcIdentifier: 'vpc-1', subnetIds: ['a', 'b'], endpointIpAddressType: 'IPV4', securityGroupIds: [], routingDomain: null, tags: {} } }
 */
export function normalizePrivateEndpoint(value: unknown): unknown {
  const p = obj(value);
  if (p.managedVpcResource) {
    const m = obj(p.managedVpcResource);
    return {
      managedVpcResource: {
        vpcIdentifier: m.vpcIdentifier ?? null,
        subnetIds: asSet(m.subnetIds),
        endpointIpAddressType: m.endpointIpAddressType ?? 'IPV4',
        securityGroupIds: asSet(m.securityGroupIds),
        routingDomain: m.routingDomain ?? null,
        tags: obj(m.tags),
      },
    };
  }
  return Object.keys(p).length ? JSON.parse(stableStringify(p)) : null;
}

/** Custom claim rules as a set; a list match value as a set too (EQUALS/CONTAINS_ANY on string lists ignore order). */
export function normalizeCustomClaims(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((c) => {
      const claim = obj(c);
      const match = obj(claim.authorizingClaimMatchValue);
      const v = obj(match.claimMatchValue);
      return stableStringify({
        name: claim.inboundTokenClaimName,
        type: claim.inboundTokenClaimValueType,
        operator: match.claimMatchOperator,
        value: v.matchValueStringList !== undefined ? { list: asSet(v.matchValueStringList) } : { string: v.matchValueString },
      });
    })
    .sort();
}

/** One compared field: its name in the document, and how to read its normalized value from a wire body. */
export interface FieldRule {
  field: string;
  read: (body: Json) => unknown;
}

/** One field that differs: what the document wants and what was observed (normalized). */
export interface FieldDiff {
  field: string;
  expected: unknown;
  actual: unknown;
}

/**
 * The fields that differ between a rendered request and an observed resource.
 *
 * @example
 * diffFields([{ field: 'gateway.roleArn', read: (b) => b.roleArn }], { roleArn: 'a' }, { roleArn: 'b' })
 * // [{ field: 'gateway.roleArn', expected: 'a', actual: 'b' }]
 */
export function diffFields(rules: readonly FieldRule[], desired: Json, observed: Json): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  for (const rule of rules) {
    const expected = rule.read(desired);
    const actual = rule.read(observed);
    if (stableStringify(expected) !== stableStringify(actual)) diffs.push({ field: rule.field, expected, actual });
  }
  return diffs;
}

export const pickDefined = (body: Json, keys: readonly string[]): Json =>
  Object.fromEntries(keys.filter((k) => body[k] !== undefined && body[k] !== null).map((k) => [k, body[k]]));

export { obj as asObject };
