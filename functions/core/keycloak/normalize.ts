/**
 * Normalizers: Keycloak gives back the same setting in several spellings (`true` and `"true"`, a JSON
 * number for a numeric string, multivalued options in any order, a missing `enabled` meaning false),
 * so keygate compares canonical forms only (house style habit 3). Each normalizer is table-tested in
 * tests/unit/core/keycloak/normalize.test.ts.
 */

/** One field that differs: `field` is a dotted path inside the object, values are the normalized forms. */
export interface FieldDiff {
  field: string;
  expected: unknown;
  actual: unknown;
}

/**
 * `true`/`"true"` → true, `false`/`"false"` → false, numbers → their text, string lists → sorted sets.
 *
 * @example
 * normalizeConfigValue('true') // true
 * normalizeConfigValue(['b', 'a']) // ['a', 'b']
 */
export function normalizeConfigValue(value: unknown): unknown {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return [...new Set(value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))].sort();
  return value;
}

/**
 * A configuration map in canonical form: values normalized, keys sorted, and absent, null and empty
 * lists treated alike (Keycloak reads all three as "not set").
 *
 * @example
 * normalizeConfig({ 'auto-configure': 'true', domains: [] }) // { 'auto-configure': true }
 */
export function normalizeConfig(config: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config ?? {}).sort()) {
    const value = normalizeConfigValue(config![key]);
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return out;
}

/** Keycloak lower-cases usernames and e-mail addresses when it stores them. */
export const normalizeUsername = (name: string): string => name.toLowerCase();

/** `enabled` on a client policy: Keycloak reads a missing value as false (keycloak-admin-reference §1.2). */
export const normalizeEnabled = (value: unknown): boolean => value === true || value === 'true';

/**
 * Field-by-field differences between two normalized values: objects by key, arrays by position
 * (callers sort the arrays whose order carries no meaning before calling).
 *
 * @example
 * diffValues({ a: 1, b: [1, 2] }, { a: 1, b: [1] }) // [{ field: 'b', expected: [1, 2], actual: [1] }]
 */
export function diffValues(expected: unknown, actual: unknown, field = ''): FieldDiff[] {
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((k) => diffValues(expected[k], actual[k], field ? `${field}.${k}` : k));
  }
  const sameShapeList = Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length;
  if (sameShapeList && expected.some((e) => isPlainObject(e))) {
    return expected.flatMap((e, i) => diffValues(e, actual[i], `${field}[${i}]`));
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [{ field: field || '(value)', expected, actual }];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Stable JSON for sorting and set comparison (keys sorted at every level). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
