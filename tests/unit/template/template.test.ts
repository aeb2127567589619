import aslValidator from 'asl-validator';
import Module from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { bundleOf } from '../../../scripts/bundles';
import { functionsOf, loadTemplate, parseTemplate, type Template } from '../../../scripts/template';
import { fromRoot, ROOT } from '../../support/paths';
import { cfnResourceSpec, PSEUDO_PARAMETERS, SAM_ATTRIBUTES, validateSam } from '../../support/template';

const template: Template = loadTemplate(ROOT);
const resources = Object.entries(template.Resources);
const ASL_FILES = readdirSync(fromRoot('statemachine')).filter((f) => f.endsWith('.asl.json'));

/** Every value nested in the template, with the path that leads to it. */
function* walk(value: unknown, path: string[] = []): Generator<[string[], unknown]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* walk(v, [...path, String(i)]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* walk(v, [...path, k]);
}

describe('template.yaml parsing', () => {
  it('is SAM with the serverless transform', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
  });

  it('fails on an unknown short-form tag and on a duplicate key', () => {
    expect(() => parseTemplate('Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Reff X\n')).toThrow(/Reff/);
    expect(() => parseTemplate('Resources:\n  A:\n    Type: AWS::SNS::Topic\n  A:\n    Type: AWS::SNS::Topic\n')).toThrow(/unique/);
  });

  it('maps short forms to long forms, including dotted !GetAtt', () => {
    const t = parseTemplate('Resources:\n  A:\n    Type: X\n    Properties:\n      P: !GetAtt B.Arn\n      Q: !Sub "${B}"\n      R: !If [C, !Ref B, !Ref AWS::NoValue]\n');
    expect(t.Resources.A!.Properties).toEqual({ P: { 'Fn::GetAtt': ['B', 'Arn'] }, Q: { 'Fn::Sub': '${B}' }, R: { 'Fn::If': ['C', { Ref: 'B' }, { Ref: 'AWS::NoValue' }] } });
  });
});

describe('template.yaml resources', () => {
  it.each(resources.filter(([, r]) => !r.Type.startsWith('AWS::Serverless::')))('%s is a known CloudFormation type with known properties', (_id, resource) => {
    const spec = cfnResourceSpec(resource.Type);
    expect(spec).toBeDefined();
    const unknown = Object.keys(resource.Properties ?? {}).filter((p) => !(p in spec!.properties));
    expect(unknown).toEqual([]);
  });

  it.each(resources.filter(([, r]) => r.Type.startsWith('AWS::Serverless::')))('%s validates against the official SAM schema', (_id, resource) => {
    expect(validateSam(resource.Type, resource)).toEqual([]);
  });

  it('Globals validate against the SAM schema; a current Node.js runtime on arm64', () => {
    expect(validateSam('Globals', template.Globals)).toEqual([]);
    const fn = template.Globals!.Function!;
    expect(fn.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(fn.Architectures).toEqual(['arm64']);
  });

  it('resolves every Ref, GetAtt and ${} in Sub to a parameter, resource or pseudo parameter', () => {
    const names = new Set([...Object.keys(template.Parameters ?? {}), ...Object.keys(template.Resources), ...PSEUDO_PARAMETERS]);
    // SAM generates a role for each function and state machine that declares Policies.
    for (const [id, r] of resources) if (/Function|StateMachine/.test(r.Type)) names.add(`${id}Role`);
    const problems: string[] = [];
    for (const [path, value] of walk(template)) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
      const v = value as Record<string, unknown>;
      if (typeof v.Ref === 'string' && !names.has(v.Ref)) problems.push(`${path.join('.')}: Ref ${v.Ref}`);
      if (Array.isArray(v['Fn::GetAtt'])) {
        const [target, attribute] = v['Fn::GetAtt'] as [string, string];
        const resource = template.Resources[target];
        if (!resource) problems.push(`${path.join('.')}: GetAtt ${target}`);
        else {
          const attributes = SAM_ATTRIBUTES[resource.Type] ?? Object.keys(cfnResourceSpec(resource.Type)?.attributes ?? {});
          if (!attributes.includes(attribute)) problems.push(`${path.join('.')}: GetAtt ${target}.${attribute}`);
        }
      }
      const sub = v['Fn::Sub'];
      const subText = typeof sub === 'string' ? sub : Array.isArray(sub) ? (sub[0] as string) : undefined;
      const local = Array.isArray(sub) ? Object.keys(sub[1] as object) : [];
      for (const m of subText?.matchAll(/\$\{([^!}][^}]*)\}/g) ?? []) {
        const ref = m[1]!.split('.')[0]!;
        if (!names.has(ref) && !local.includes(ref)) problems.push(`${path.join('.')}: Sub \${${m[1]}}`);
      }
      if (Array.isArray(v['Fn::If']) && !(v['Fn::If'][0] in (template.Conditions ?? {}))) problems.push(`${path.join('.')}: If ${String(v['Fn::If'][0])}`);
    }
    for (const [id, r] of resources) if (r.Condition && !(r.Condition in (template.Conditions ?? {}))) problems.push(`${id}: Condition ${r.Condition}`);
    expect(problems).toEqual([]);
  });
});

describe('functions', () => {
  const functions = functionsOf(template);
  // aws-lambda-builders passes every property as an esbuild flag (scripts/bundles.ts esbuildArgs); these are the ones keygate uses.
  const documented = ['EntryPoints', 'External', 'Format', 'Loader', 'MainFields', 'Minify', 'OutExtension', 'Sourcemap', 'SourcesContent', 'Target', 'Banner', 'UseNpmCi', 'KeepNames', 'Alias'];

  it('there is at least one', () => expect(functions.length).toBeGreaterThan(0));

  // The yaml alias names the package's own ESM build: the file its exports give every condition but node.
  const YAML_ESM_BUILD = 'browser/index.js';
  it('the yaml alias is the installed yaml package\'s own ESM build', () => {
    const yamlPackage = JSON.parse(readFileSync(fromRoot('node_modules', 'yaml', 'package.json'), 'utf8')) as { exports: { '.': { default: string } } };
    expect(yamlPackage.exports['.'].default).toBe(`./${YAML_ESM_BUILD}`);
  });

  it.each(functions.map((f) => [f.logicalId, f] as const))('%s: esbuild metadata as SAM documents it, entry exists, handler matches', (_id, fn) => {
    const resource = template.Resources[fn.logicalId]!;
    expect(resource.Metadata?.BuildMethod).toBe('esbuild');
    expect(Object.keys(fn.build).filter((k) => !documented.includes(k))).toEqual([]);
    expect(fn.build).toMatchObject({ Format: 'cjs', MainFields: 'module,main', KeepNames: true, Minify: true });
    expect(fn.build.External ?? []).not.toContain('@aws-sdk/*'); // bundle the SDK (toolchain-notes §6)
    // Lambda's credentials are in the environment: the SDK's default chain is cut to that link (template.yaml, Globals).
    // yaml: the ESM build of the same installed package, which esbuild can tree-shake (template.yaml, Globals).
    // The MCP client's runtime shim with the SDK's cfworker validator, not ajv (functions/adapters/verify/mcp-runtime-shims.ts).
    expect(fn.build.Alias).toEqual([
      '@aws-sdk/credential-provider-node=./functions/platform/lambda-credentials.ts',
      `yaml=./node_modules/yaml/${YAML_ESM_BUILD}`,
      '@modelcontextprotocol/client/_shims=./functions/adapters/verify/mcp-runtime-shims.ts',
    ]);
    expect(existsSync(fromRoot(fn.entry))).toBe(true);
    expect(fn.handler).toBe(`${basename(fn.entry, '.ts')}.handler`);
    expect(fn.logicalId).toBe(`${basename(fn.entry, '.ts').replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}Function`);
  });

  it.each(functions.map((f) => [f.logicalId, f] as const))('%s: its bundle, as sam build makes it, exports the Handler', (_id, fn) => {
    const bundle = bundleOf(fn);
    const m = new Module(bundle.file, module);
    (m as unknown as { _compile(code: string, file: string): void })._compile(readFileSync(bundle.file, 'utf8'), bundle.file);
    expect(typeof (m.exports as Record<string, unknown>)[bundle.handlerExport]).toBe('function');
  });

  it.each(functions.map((f) => [f.logicalId, f] as const))('%s: its bundle carries no ajv; one with the MCP client has the SDK\'s cfworker validator', (_id, fn) => {
    const { sources } = JSON.parse(readFileSync(`${bundleOf(fn).file}.map`, 'utf8')) as { sources: string[] };
    // The sources as the map names them: the SDK's own sources (its input maps), ajv and cfworker among them.
    const mcp = sources.filter((s) => s.includes('node_modules/@modelcontextprotocol/'));
    expect(sources.filter((s) => /\bajv/i.test(s))).toEqual([]);
    if (mcp.length > 0) {
      expect(sources.filter((s) => s.endsWith('functions/adapters/verify/mcp-runtime-shims.ts'))).toHaveLength(1);
      expect(sources.filter((s) => s.endsWith('/validators/cfWorkerProvider.ts'))).toHaveLength(1);
      expect(sources.filter((s) => s.includes('/@cfworker/json-schema/')).length).toBeGreaterThan(0);
    }
    expect(mcp.length > 0).toBe(fn.logicalId === 'VerifyChainFunction');
  });

  it.each(functions.map((f) => [f.logicalId, f] as const))('%s: its bundle carries no credential provider but the environment one', (_id, fn) => {
    const { sources } = JSON.parse(readFileSync(`${bundleOf(fn).file}.map`, 'utf8')) as { sources: string[] };
    const packages = new Set(sources.map((s) => /node_modules\/(@aws-sdk\/[^/]+)/.exec(s)?.[1]).filter(Boolean));
    expect([...packages].filter((p) => /credential-provider|nested-clients|token-providers/.test(p!))).toEqual(
      [...packages].some((p) => p!.startsWith('@aws-sdk/client-')) ? ['@aws-sdk/credential-provider-env'] : [],
    );
  });
});

describe('state machines', () => {
  const machines = resources.filter(([, r]) => r.Type === 'AWS::Serverless::StateMachine');

  it('every ASL file belongs to a state machine and every state machine has a file', () => {
    const uris = machines.map(([, r]) => r.Properties!.DefinitionUri);
    expect(uris.sort()).toEqual(ASL_FILES.map((f) => `statemachine/${f}`).sort());
  });

  it.each(machines.map(([id, r]) => [id, r] as const))('%s: ${} placeholders equal DefinitionSubstitutions', (_id, r) => {
    const text = readFileSync(fromRoot(String(r.Properties!.DefinitionUri)), 'utf8');
    const placeholders = [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!))].sort();
    expect(placeholders).toEqual(Object.keys((r.Properties!.DefinitionSubstitutions as object) ?? {}).sort());
  });

  it.each(ASL_FILES)('%s passes asl-validator', (file) => {
    const definition = JSON.parse(readFileSync(fromRoot('statemachine', file), 'utf8'));
    const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });
});

describe('samconfig.toml', () => {
  const config = parseToml(readFileSync(fromRoot('samconfig.toml'), 'utf8')) as Record<string, any>;
  const params = template.Parameters ?? {};

  it('is version 0.1 with cached, parallel builds', () => {
    expect(config.version).toBe(0.1);
    expect(config.default.build.parameters).toMatchObject({ cached: true, parallel: true });
  });

  it.each(['default', 'prod'])('[%s] names a stack, capabilities and parameters the template declares', (env) => {
    const deploy = config[env].deploy.parameters;
    expect(config[env].global.parameters.stack_name).toMatch(/^keygate-/);
    expect(deploy.capabilities).toMatch(/CAPABILITY_(NAMED_)?IAM/);
    const keys = (deploy.parameter_overrides as string[]).map((p) => p.slice(0, p.indexOf('=')));
    expect(keys.filter((k) => !(k in params))).toEqual([]);
    const required = Object.entries(params).filter(([, p]) => p.Default === undefined).map(([k]) => k);
    expect(required.filter((k) => !keys.includes(k))).toEqual([]);
  });
});
