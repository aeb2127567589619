import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPackageRoot } from '../package-root';
import { withLock } from './lock';

/**
 * The AWS SAM CLI and cfn-lint, pinned in scripts/toolchain/python-tools.txt and installed from PyPI
 * into a virtual environment of the project's own, so that `npm install && npm test` needs nothing
 * installed by hand.
 *
 * Where: `.aws-sam/keygate/venv` (git-ignored). Not anywhere else in the project
 * root: `sam build` copies the whole CodeUri (the project root, minus `.aws-sam`, `.git` and
 * `node_modules`) once per function before it runs npm and esbuild there
 * (aws_lambda_builders/workflows/nodejs_npm_esbuild/workflow.py EXCLUDED_FILES), and a cached build
 * hashes the same tree minus `.aws-sam` (samcli/lib/build/build_strategy.py). A 340 MB virtual
 * environment anywhere else would be copied 24 times by every build.
 */
export const TOOLS_DIR = (): string => fromPackageRoot('.aws-sam', 'keygate');
const VENV = (): string => join(TOOLS_DIR(), 'venv');
const PINS = (): string => fromPackageRoot('scripts', 'toolchain', 'python-tools.txt');
/** What the environment was built from: the pins and the interpreter. A different value rebuilds it. */
const STAMP = (): string => join(VENV(), 'keygate-pins.sha256');

export interface PythonTools {
  /** The `sam` executable. */
  sam: string;
  /** The `cfn-lint` executable. */
  cfnLint: string;
  /** The environment's Python (it imports `samtranslator`, which ships with the SAM CLI). */
  python: string;
  /** The environment to run them with: telemetry off, the environment's bin first on PATH. */
  env: NodeJS.ProcessEnv;
}

/**
 * The tools, installed first if the environment is missing or was built from other pins (about a
 * minute from PyPI). Safe to call from several processes at once: one installs, the others wait.
 *
 * @example
 * const { sam, env } = pythonTools();
 * spawnSync(sam, ['validate', '--lint'], { env, cwd: packageRoot() });
 */
export function pythonTools(): PythonTools {
  const python = process.env.KEYGATE_PYTHON ?? 'python3';
  const wanted = stampFor(python);
  if (readStamp() !== wanted) {
    mkdirSync(TOOLS_DIR(), { recursive: true });
    withLock(join(TOOLS_DIR(), 'venv.lock'), () => {
      if (readStamp() !== wanted) install(python, wanted);
    });
  }
  const bin = join(VENV(), 'bin');
  return {
    sam: join(bin, 'sam'),
    cfnLint: join(bin, 'cfn-lint'),
    python: join(bin, 'python'),
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      VIRTUAL_ENV: VENV(),
      // https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-telemetry.html
      SAM_CLI_TELEMETRY: '0',
    },
  };
}

function stampFor(python: string): string {
  const version = run(python, ['-c', 'import sys; print(sys.version)'], `${python} (set KEYGATE_PYTHON to a Python 3.9 or newer)`);
  return createHash('sha256').update(readFileSync(PINS())).update(version.stdout).digest('hex');
}

function readStamp(): string | undefined {
  return existsSync(STAMP()) ? readFileSync(STAMP(), 'utf8').trim() : undefined;
}

function install(python: string, stamp: string): void {
  process.stderr.write(`keygate: installing the AWS SAM CLI and cfn-lint (${PINS().slice(fromPackageRoot().length + 1)}) into ${VENV().slice(fromPackageRoot().length + 1)} …\n`);
  rmSync(VENV(), { recursive: true, force: true });
  run(python, ['-m', 'venv', VENV()], `${python} -m venv`);
  run(join(VENV(), 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', PINS()], 'pip install -r scripts/toolchain/python-tools.txt');
  writeFileSync(STAMP(), `${stamp}\n`);
}

function run(command: string, args: string[], what: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.stderr || result.stdout}`);
  return result;
}
