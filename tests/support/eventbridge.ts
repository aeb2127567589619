/** Template values for resolving intrinsics in an EventBridge pattern (a stack as deployed). */
export const STACK_VALUES: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'ap-northeast-1',
  'AWS::AccountId': '111122223333',
  'AWS::StackName': 'keygate-dev',
  VpcEndpointParameterName: '/keygate/mcp-keycloak-agentcore/gateway-vpce-id',
};

/** Resolves `Fn::Sub` and `Ref` against {@link STACK_VALUES}. */
export function resolve(value: unknown, values: Record<string, string> = STACK_VALUES): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, values));
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v['Fn::Sub'] === 'string') return (v['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_m, k: string) => values[k] ?? `\${${k}}`);
    if (typeof v.Ref === 'string' && v.Ref in values) return values[v.Ref];
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, values)]));
  }
  return value;
}

/** A small EventBridge pattern matcher: exact values and `prefix` (what keygate's rules use). */
export function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = event[key];
    if (Array.isArray(rule)) return rule.some((r) => (r && typeof r === 'object' && 'prefix' in r ? typeof value === 'string' && value.startsWith(String(r.prefix)) : r === value));
    return value !== null && typeof value === 'object' && matches(rule as Record<string, unknown>, value as Record<string, unknown>);
  });
}

export { parameterStoreEvent } from '../../emulators/world';
