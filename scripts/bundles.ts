import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fromPackageRoot, packageRoot } from './package-root';
import { functionsOf, loadTemplate, type FunctionSpec } from './template';
import { acquireLock } from './toolchain/lock';

// The Lambda bundles the tests, `keygate rehearse` and `npm run bench` run: esbuild invoked with the
// command line `sam build` gives it, derived from template.yaml alone. Built here because `sam build`
// takes minutes (a copy of the project and an `npm install` per function); the test
// tests/integration/sam/sam-build.test.ts runs the real `sam build` and requires its output to be
// byte for byte these bundles, for every function.

/** Where the bundles go: one directory per function, laid out as `sam build` lays out .aws-sam/build. */
export const bundlesDir = (): string => fromPackageRoot('.aws-sam', 'keygate', 'bundles');

/**
 * The esbuild arguments aws-lambda-builders passes for a function's `Metadata.BuildProperties`
 * (aws_lambda_builders/workflows/nodejs_npm_esbuild/esbuild.py, EsbuildCommandBuilder, as of
 * aws-lambda-builders 1.67.0 in aws-sam-cli 1.170.0), in its order: the entry points, then
 * `--bundle --platform=node --outdir=…` and the defaults for an unset Target (es2020), Format (cjs) and
 * Minify (on), then every other property, its PascalCase name made kebab-case
 * (samcli/lib/samlib/resource_metadata_normalizer.py normalize_build_properties): true → `--name`,
 * false → nothing, a string → `--name=value`, a list → `--name:item` per item. Nothing is added.
 *
 * @example
 * esbuildArgs(fn, '/out') // ['functions/ensure-gateway.ts', '--bundle', '--platform=node', '--outdir=/out', '--format=cjs', …]
 */
export function esbuildArgs(fn: FunctionSpec, outdir: string, root = packageRoot()): string[] {
  const config = new Map(Object.entries(fn.build).map(([key, value]) => [snakeCase(key), value]));
  if (!config.has('entry_points')) config.set('entry_points', [fn.handler.split('.')[0]]);
  const entries = config.get('entry_points');
  if (!Array.isArray(entries) || entries.length === 0) throw new TypeError(`${fn.logicalId}: Metadata.BuildProperties.EntryPoints must be a non-empty list`);
  if (((config.get('external') as unknown[] | undefined) ?? []).includes('./node_modules/*')) {
    throw new TypeError(`${fn.logicalId}: External './node_modules/*' (dependencies left out of the bundle) is not built here; keygate bundles every dependency`);
  }
  const args = entries.map((entry) => entryWithExtension(String(entry), root, fn.logicalId));
  args.push('--bundle', '--platform=node', `--outdir=${outdir}`);
  if (!config.has('target')) args.push('--target=es2020');
  if (!config.has('format')) args.push('--format=cjs');
  if (!config.has('minify')) args.push('--minify');
  for (const [key, value] of config) {
    if (['bundle', 'platform', 'outdir', 'use_npm_ci', 'entry_points'].includes(key)) continue;
    const flag = `--${key.replace(/_/g, '-')}`;
    if (value === true) args.push(flag);
    else if (value === false) continue;
    else if (typeof value === 'string') args.push(`${flag}=${value}`);
    else if (Array.isArray(value)) args.push(...value.map((item) => `${flag}:${String(item)}`));
    else throw new TypeError(`${fn.logicalId}: Metadata.BuildProperties value of ${key} must be true/false, a string or a list (aws-lambda-builders refuses ${JSON.stringify(value)})`);
  }
  return args;
}

/** `MainFields` → `main_fields`: the regex of resource_metadata_normalizer.py, `(?<!^)(?=[A-Z])`. */
const snakeCase = (key: string): string => key.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase();

/** An entry point without an extension gets .ts or .js, whichever exists (esbuild.py _get_explicit_file_type). */
function entryWithExtension(entry: string, root: string, id: string): string {
  if (extname(entry)) {
    if (existsSync(join(root, entry))) return entry;
  } else {
    for (const ext of ['.ts', '.js']) if (existsSync(join(root, entry + ext))) return entry + ext;
  }
  throw new Error(`${id}: entry point ${join(root, entry)} does not exist`);
}

export interface Bundle {
  logicalId: string;
  /** The function's directory (what `sam build` writes to .aws-sam/build/<LogicalId>/). */
  dir: string;
  /** The file Lambda loads for the function's Handler (`ensure-gateway.handler` → ensure-gateway.js). */
  file: string;
  handlerExport: string;
}

/** Where a function's bundle is (built or not). */
export function bundleOf(fn: FunctionSpec): Bundle {
  const dir = join(bundlesDir(), fn.logicalId);
  const dot = fn.handler.lastIndexOf('.');
  return { logicalId: fn.logicalId, dir, file: join(dir, `${fn.handler.slice(0, dot)}.js`), handlerExport: fn.handler.slice(dot + 1) };
}

export interface BuildReport {
  built: string[];
  upToDate: string[];
  ms: number;
}

/**
 * Builds every function of template.yaml whose bundle is missing or older than its inputs (its
 * BuildProperties, the esbuild version, the installed packages, the files under functions/ and any
 * other source its last bundle came from). One process at a time builds; others wait and reuse.
 */
export async function buildBundles(options: { force?: boolean; only?: string[] } = {}): Promise<BuildReport> {
  const started = Date.now();
  const root = packageRoot();
  const functions = functionsOf(loadTemplate(root)).filter((fn) => !options.only || options.only.includes(fn.logicalId));
  mkdirSync(bundlesDir(), { recursive: true });
  const report: BuildReport = { built: [], upToDate: [], ms: 0 };
  const release = acquireLock(join(bundlesDir(), '.lock'));
  try {
    const shared = sharedInputs(root);
    const stale = functions.filter((fn) => {
      const fresh = !options.force && isFresh(fn, root, shared);
      if (fresh) report.upToDate.push(fn.logicalId);
      return !fresh;
    });
    await inParallel(stale, Math.max(1, cpus().length), async (fn) => {
      rmSync(stampFile(fn), { force: true });
      await buildOne(fn, root);
      writeStamp(fn, root, shared);
      report.built.push(fn.logicalId);
    });
  } finally {
    release();
  }
  report.ms = Date.now() - started;
  return report;
}

async function buildOne(fn: FunctionSpec, root: string): Promise<void> {
  const bundle = bundleOf(fn);
  // Into a fresh directory, renamed into place: a reader never sees half a bundle.
  const scratch = `${bundle.dir}.building-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const args = esbuildArgs(fn, scratch, root);
  const { code, stderr } = await run(esbuildBinary(root), args, root);
  if (code !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`${fn.logicalId}: esbuild ${args.join(' ')} failed:\n${stderr.trim()}`);
  }
  rmSync(bundle.dir, { recursive: true, force: true });
  renameSync(scratch, bundle.dir);
  if (!existsSync(bundle.file)) {
    throw new Error(`${fn.logicalId}: Handler ${fn.handler} needs ${basename(bundle.file)}, but the build made ${readdirSync(bundle.dir).join(', ')} (the Handler's file part must be the entry point's name)`);
  }
}

/** The esbuild `sam build` finds first: the project's own (`npm root`/.bin, esbuild.py esbuild_binary). */
const esbuildBinary = (root: string): string => join(root, 'node_modules', '.bin', 'esbuild');

function run(command: string, args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? 1, stderr }));
  });
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item).catch((e) => errors.push(e));
    }),
  );
  if (errors.length) throw new Error(errors.map((e) => (e as Error).message).join('\n\n'));
}

/**
 * Beside each bundle: the hash of what it was built from, and its sources outside functions/ and
 * node_modules (none today; a future import of, say, schema/), whose changes make it stale too.
 */
interface Stamp {
  hash: string;
  otherSources: string[];
}
const stampFile = (fn: FunctionSpec): string => `${bundleOf(fn).dir}.stamp.json`;

function readStamp(fn: FunctionSpec): Stamp | undefined {
  if (!existsSync(stampFile(fn)) || !existsSync(bundleOf(fn).file)) return undefined;
  try {
    return JSON.parse(readFileSync(stampFile(fn), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

function isFresh(fn: FunctionSpec, root: string, shared: string): boolean {
  const stamp = readStamp(fn);
  return stamp !== undefined && stamp.hash === hashOf(fn, root, shared, stamp.otherSources);
}

function writeStamp(fn: FunctionSpec, root: string, shared: string): void {
  const otherSources = sourcesOutsideFunctions(fn, root);
  writeFileSync(stampFile(fn), JSON.stringify({ hash: hashOf(fn, root, shared, otherSources), otherSources }));
}

/** What every bundle depends on: esbuild's version, the installed packages, every file under functions/. */
function sharedInputs(root: string): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, 'node_modules', 'esbuild', 'package.json')));
  const lock = join(root, 'node_modules', '.package-lock.json');
  hash.update(existsSync(lock) ? readFileSync(lock) : 'no node_modules/.package-lock.json');
  for (const file of filesUnder(join(root, 'functions'))) hash.update(statLine(file, root));
  return hash.digest('hex');
}

function hashOf(fn: FunctionSpec, root: string, shared: string, otherSources: string[]): string {
  const hash = createHash('sha256').update(shared).update(JSON.stringify(esbuildArgs(fn, '<outdir>', root)));
  for (const file of otherSources) hash.update(statLine(file, root));
  return hash.digest('hex');
}

function sourcesOutsideFunctions(fn: FunctionSpec, root: string): string[] {
  const map = `${bundleOf(fn).file}.map`;
  if (!existsSync(map)) return [];
  const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
  return sources.map((s) => resolve(dirname(map), s)).filter((file) => !relative(root, file).startsWith('functions/') && !file.includes('/node_modules/'));
}

function statLine(file: string, root: string): string {
  try {
    const s = statSync(file);
    return `${relative(root, file)} ${s.size} ${s.mtimeMs}\n`;
  } catch {
    return `${relative(root, file)} missing\n`;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
