import type * as z from 'zod/mini';
import { closest, formatPath } from './paths';

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

export interface DescribedIssue {
  path: ReadonlyArray<PropertyKey>;
  message: string;
  /** From a schema check that knows the fix (`params.fix` of a custom issue). */
  fix?: string;
}

/** Turns zod issues into one readable problem per mistake, with a suggestion for misspelled keys. */
export function describeIssues(issues: readonly Issue[], root: AnySchema, data: unknown): DescribedIssue[] {
  const out: DescribedIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(root, issue.path, data);
      for (const key of issue.keys) {
        const suggestion = closest(key, known);
        const hint = suggestion ? ` (did you mean "${suggestion}"?)` : known.length ? ` (known keys: ${known.join(', ')})` : '';
        out.push({ path: [...issue.path, key], message: `unknown key${hint}` });
      }
      continue;
    }
    // A union (cimd.publish is host or s3) whose branch the data chose by its keys: that branch's
    // problems say what is wrong ("mode: must be a quoted string"), "matches no allowed form" does not.
    const branch = issue.code === 'invalid_union' ? chosenBranch(issue) : undefined;
    if (branch) {
      out.push(...describeIssues(branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue), root, data));
      continue;
    }
    const fix = issue.code === 'custom' && typeof issue.params?.fix === 'string' ? issue.params.fix : undefined;
    out.push({ path: issue.path, message: describe(issue, valueAt(data, issue.path)), ...(fix ? { fix } : {}) });
  }
  return out;
}

/** The union branch that took the data's keys (no unknown key at its root), the one with the fewest problems. */
function chosenBranch(issue: Issue): readonly Issue[] | undefined {
  if ('discriminator' in issue) return undefined;
  const branches = (issue as { errors?: Issue[][] }).errors ?? [];
  const fitting = branches.filter((b) => b.length > 0 && !b.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0));
  return fitting.length ? fitting.reduce((best, b) => (b.length < best.length ? b : best)) : undefined;
}

function describe(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      if (issue.message && !issue.message.startsWith('Invalid input')) return issue.message;
      return `must be ${article(issue.expected)}, not ${kindOf(value)}`;
    case 'invalid_union':
      if ('discriminator' in issue && Array.isArray((issue as { options?: unknown[] }).options)) {
        const options = (issue as unknown as { options: unknown[] }).options.map((o) => JSON.stringify(o));
        return `must be one of ${options.join(', ')}${value === undefined ? '' : `, not ${JSON.stringify(value)}`}`;
      }
      return issue.message.startsWith('Invalid input') ? 'does not match any allowed form' : issue.message;
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const custom = issue.message && !issue.message.startsWith('Invalid');
      if (custom) return issue.message;
      return values.length === 1
        ? `must be ${values[0]}${value === undefined ? '' : `, not ${JSON.stringify(value)}`}`
        : `must be one of ${values.join(', ')}${value === undefined ? '' : `, not ${JSON.stringify(value)}`}`;
    }
    case 'too_small':
      if (!issue.message.startsWith('Too small')) return issue.message;
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (!issue.message.startsWith('Too big')) return issue.message;
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} items`;
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `has an invalid format (${issue.format})` : issue.message;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping';
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

export function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Keys an object schema accepts at `path`, following the data through unions. */
function knownKeys(root: AnySchema, path: ReadonlyArray<PropertyKey>, data: unknown): string[] {
  let schema: AnySchema | undefined = root;
  let value: unknown = data;
  for (const segment of path) {
    schema = resolveUnion(unwrap(schema), value);
    const def = (schema as { _zod: { def: Record<string, unknown> } } | undefined)?._zod.def;
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
    if (!def) return [];
    if (def.type === 'object') schema = (def.shape as Record<string, AnySchema>)[String(segment)];
    else if (def.type === 'array') schema = def.element as AnySchema;
    else if (def.type === 'record') schema = def.valueType as AnySchema;
    else return [];
  }
  const def = (resolveUnion(unwrap(schema), value) as { _zod: { def: Record<string, unknown> } } | undefined)?._zod.def;
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
  let s = schema;
  for (;;) {
    const def = (s as { _zod: { def: Record<string, unknown> } } | undefined)?._zod.def;
    if (!def) return s;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') s = def.innerType as AnySchema;
    else if (def.type === 'pipe') s = def.in as AnySchema;
    else return s;
  }
}

function resolveUnion(schema: AnySchema | undefined, value: unknown): AnySchema | undefined {
  const def = (schema as { _zod: { def: Record<string, unknown> } } | undefined)?._zod.def;
  if (def?.type !== 'union') return schema;
  const options = (def.options as AnySchema[]).map(unwrap);
  const discriminator = def.discriminator as string | undefined;
  const record = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const matches = options.filter((o) => {
    const shape = (o as { _zod: { def: { shape?: Record<string, AnySchema> } } })._zod.def.shape;
    if (!shape) return false;
    if (discriminator) {
      const lit = (shape[discriminator] as { _zod: { def: { values?: unknown[] } } } | undefined)?._zod.def.values;
      return lit?.includes(record[discriminator]) ?? false;
    }
    return Object.keys(record).some((k) => k in shape);
  });
  return matches[0] ?? options[0];
}

export { formatPath };
