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

/**
 * A value built once per distinct configuration: `build` runs again only when one of the variables
 * `names` reads differently than at the last build. In Lambda the environment never changes, so this
 * is once per container (house style habits 7 and 8); the local world points the same loaded bundle
 * at other emulators between runs, and the clients and settings follow without a reset. Mark the
 * call with a PURE annotation (as every caller in functions/ does): tree shaking keeps a module-level call otherwise, and with it the SDK client
 * of every function that imports the module.
 *
 * @example
 * const config = perEnvironment(['DRIFT_LOCK_TABLE'], () => readEnv({ DRIFT_LOCK_TABLE: { required: true } }));
 */
export function perEnvironment<T>(names: readonly string[], build: () => T): () => T {
  let last: { key: string; value: T } | undefined;
  return () => {
    const key = JSON.stringify(names.map((name) => process.env[name] ?? null));
    if (last?.key !== key) last = { key, value: build() };
    return last.value;
  };
}

/** `readEnv(spec)`, read again only when one of its variables changes (see perEnvironment). */
export const envOnce = <K extends string>(spec: Record<K, { required?: boolean; fallback?: string; pattern?: RegExp; hint?: string }>) =>
  perEnvironment(Object.keys(spec), () => readEnv(spec));

/**
 * What an AWS SDK client reads from the environment when it is built: region, credentials and the
 * endpoint overrides (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`; the local emulators use them).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export const sdkClientEnv = (service: string): string[] => ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', `AWS_ENDPOINT_URL_${service}`];
