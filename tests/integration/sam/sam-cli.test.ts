import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { bundleOf, buildBundles } from '../../../scripts/bundles';
import { functionsOf, loadTemplate } from '../../../scripts/template';
import { pythonTools, type PythonTools } from '../../../scripts/toolchain/python-tools';
import { ROOT } from '../../support/paths';
import { SAM_BUILD_DIR, samBuild, type SamBuild } from '../../support/sam-build';

// The real AWS SAM CLI (and cfn-lint, through `sam validate --lint`) on template.yaml, as a user runs
// them from the project root (samconfig.toml applies: a cached, parallel build). `sam build` writes
// into its own directory, not .aws-sam/build, so that a test run never replaces what a user built.
// Minutes, not seconds: a first build copies the project and runs `npm install` once per function;
// a full test run starts it in the background at globalSetup and runs this file last (sam-build.ts).

const MINUTES = 60_000;

let tools: PythonTools;

beforeAll(() => {
  tools = pythonTools();
}, 15 * MINUTES);

function sam(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(tools.sam, args, { cwd: ROOT, env: tools.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/** The tool's own words when it fails: the test's message is its exit code and its output. */
const succeeded = (run: { code: number; output: string }) => ({ code: run.code, output: run.code === 0 ? 'ok' : run.output });

describe('sam validate --lint', () => {
  it('finds template.yaml a valid SAM template with no cfn-lint finding', async () => {
    const run = await sam(['validate', '--lint']);
    expect(succeeded(run)).toEqual({ code: 0, output: 'ok' });
    expect(run.output).toContain('is a valid SAM Template');
  }, 10 * MINUTES);
});

describe('sam build', () => {
  const functions = functionsOf(loadTemplate(ROOT));
  let built: SamBuild;

  beforeAll(async () => {
    await buildBundles();
    built = await samBuild();
  }, 30 * MINUTES);

  it('builds every function of the template', () => {
    expect(succeeded(built)).toEqual({ code: 0, output: 'ok' });
    expect(readdirSync(SAM_BUILD_DIR()).filter((f) => f !== 'template.yaml').sort()).toEqual(functions.map((f) => f.logicalId).sort());
  });

  // The bundles the integration tests, `keygate rehearse` and `npm run bench` load (scripts/bundles.ts)
  // are these, byte for byte. The source maps differ only in where `sources` point: into the scratch
  // copy (and, for a cached build, the dependency folder under .aws-sam/deps) instead of the project.
  it.each(functions.map((f) => [f.logicalId, f] as const))('%s: its files are byte for byte the bundle the tests run', (id, fn) => {
    const ours = bundleOf(fn).dir;
    const sams = join(SAM_BUILD_DIR(), id);
    expect(existsSync(sams)).toBe(true);
    expect(readdirSync(sams).sort()).toEqual(readdirSync(ours).sort());
    for (const file of readdirSync(ours)) {
      const a = readFileSync(join(sams, file));
      const b = readFileSync(join(ours, file));
      if (!file.endsWith('.map')) {
        expect({ file, identical: a.equals(b) }).toEqual({ file, identical: true });
        continue;
      }
      const samMap = JSON.parse(a.toString('utf8')) as SourceMap;
      const ourMap = JSON.parse(b.toString('utf8')) as SourceMap;
      expect({ ...samMap, sources: [] }).toEqual({ ...ourMap, sources: [] });
      expect(Object.keys(samMap)).toEqual(Object.keys(ourMap));
      const entry = relative(ROOT, join(ROOT, fn.entry));
      expect(projectRelativeSources(samMap, sams, entry)).toEqual(ourMap.sources.map((s) => relative(ROOT, resolve(ours, s))));
    }
  });
});

interface SourceMap {
  sources: string[];
  [key: string]: unknown;
}

/**
 * A `sam build` source map's sources, relative to the project as if built there: a source in the
 * scratch copy (whose root is where the entry point was) or in a cached build's dependency folder
 * (.aws-sam/deps/<uuid>/node_modules/…). Anything else is an error naming it.
 */
function projectRelativeSources(map: SourceMap, dir: string, entry: string): string[] {
  const absolute = map.sources.map((s) => resolve(dir, s));
  const entrySource = absolute.find((s) => s.endsWith(`/${entry}`));
  if (!entrySource) throw new Error(`no source ${entry} in ${dir}: ${map.sources.slice(0, 3).join(', ')} …`);
  const scratch = entrySource.slice(0, -entry.length);
  const deps = new RegExp(`^${join(ROOT, '.aws-sam', 'deps').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[0-9a-f-]{36}/(node_modules/.+)$`);
  return absolute.map((s) => {
    if (s.startsWith(scratch)) return s.slice(scratch.length);
    const m = deps.exec(s);
    if (m) return m[1]!;
    throw new Error(`source ${s} of ${dir} is neither in the scratch copy ${scratch} nor in a dependency folder`);
  });
}
