/**
 * Reads the environment once, for one function, and fails loudly listing every problem (house style
 * habit 8). Nothing else in functions/ reads process.env.
 */
export function readEnv<K extends string>(
  spec: Record<K, { required?: boolean; fallback?: string; pattern?: RegExp; hint?: string }>,
  env: Record<string, string | undefined> = process.env,
): Readonly<Record<K, string>> {
  const out = {} as Record<K, string>;
  const problems: string[] = [];
  for (const key of Object.keys(spec) as K[]) {
    const rule = spec[key];
    const value = env[key]?.trim() ?? rule.fallback;
    if (value === undefined || (value === '' && rule.required)) {
      if (rule.required) problems.push(`${key} is not set${rule.hint ? ` (${rule.hint})` : ''}`);
      out[key] = '';
      continue;
    }
    if (rule.pattern && value !== '' && !rule.pattern.test(value)) problems.push(`${key}="${value}" does not match ${String(rule.pattern)}${rule.hint ? ` (${rule.hint})` : ''}`);
    out[key] = value;
  }
  if (problems.length) throw new TypeError(`invalid function configuration: ${problems.join('; ')}`);
  return Object.freeze(out);
}
