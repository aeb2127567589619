import { createHash } from 'node:crypto';

/**
 * A deterministic idempotency token for CreateGateway / CreateGatewayTarget, derived from the
 * request itself (habit 2: deterministic identifiers). A Lambda or Step Functions retry of the same
 * create sends the same token, so AgentCore returns the original resource instead of a duplicate; a
 * changed request gets a new token instead of an IdempotentParameterMismatch. Length 48 fits the
 * API's 33–256 and `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}` (agentcore-gateway-api.md §7).
 */
export function deriveClientToken(kind: 'gateway' | 'target', request: object): string {
  const digest = createHash('sha256').update(kind).update('\0').update(stableStringify(request)).digest('hex');
  return `keygate-${digest.slice(0, 40)}`;
}

/** JSON with object keys sorted, so that the same request always hashes the same. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
