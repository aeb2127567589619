import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, type Tags } from 'yaml';
import { packageRoot } from './package-root';

/**
 * CloudFormation YAML: every short-form intrinsic (`!Ref`, `!GetAtt` in dotted and list forms,
 * `!Sub`, …) parsed into its long form. Strict: an unknown tag or a duplicate key is an error, not a
 * warning (toolchain-notes §8).
 */
const INTRINSICS = ['Ref', 'Sub', 'Join', 'If', 'Select', 'GetAZs', 'Base64', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Split', 'ImportValue', 'Cidr', 'Transform', 'ToJsonString', 'Length'];

const customTags: Tags = [
  ...INTRINSICS.flatMap((name) => {
    const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
    return (['scalar', 'seq', 'map'] as const).map((collection) => ({
      tag: `!${name}`,
      ...(collection === 'scalar' ? {} : { collection }),
      resolve: (value: unknown) => ({ [key]: toJS(value) }),
    }));
  }),
  ...(['scalar', 'seq'] as const).map((collection) => ({
    tag: '!GetAtt',
    ...(collection === 'scalar' ? {} : { collection }),
    resolve: (value: unknown) => {
      const v = toJS(value);
      return { 'Fn::GetAtt': typeof v === 'string' ? [v.slice(0, v.indexOf('.')), v.slice(v.indexOf('.') + 1)] : v };
    },
  })),
  { tag: '!Condition', resolve: (value: unknown) => ({ Condition: toJS(value) }) },
] as Tags;

function toJS(value: unknown): unknown {
  return value && typeof (value as { toJSON?: () => unknown }).toJSON === 'function' ? (value as { toJSON: () => unknown }).toJSON() : value;
}

export type Template = {
  Transform?: string | string[];
  Parameters?: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[]; AllowedPattern?: string }>;
  Conditions?: Record<string, unknown>;
  Globals?: Record<string, Record<string, unknown>>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; DependsOn?: string | string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
};

export function parseTemplate(text: string): Template {
  const doc = parseDocument(text, { customTags, strict: true, uniqueKeys: true, logLevel: 'silent', version: '1.1' });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length) throw new Error(`template.yaml: ${problems.map((p) => p.message).join('; ')}`);
  return doc.toJS() as Template;
}

/** keygate's template.yaml (from the package root, not the cwd: the emulators run it from anywhere). */
export function loadTemplate(root = packageRoot()): Template {
  return parseTemplate(readFileSync(join(root, 'template.yaml'), 'utf8'));
}

export interface FunctionSpec {
  logicalId: string;
  handler: string;
  entry: string;
  build: Record<string, unknown>;
}

export function functionsOf(template: Template): FunctionSpec[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function')
    .map(([logicalId, r]) => {
      const build = ((r.Metadata?.BuildProperties as Record<string, unknown>) ?? {}) as Record<string, unknown>;
      const entries = (build.EntryPoints as string[] | undefined) ?? [];
      return { logicalId, handler: String(r.Properties?.Handler), entry: entries[0] ?? '', build };
    });
}
