import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS_DIR } from '../../scripts/toolchain/python-tools';
import { fromRoot } from './paths';

// The real `sam build` of tests/integration/sam/sam-cli.test.ts takes minutes (a copy of the project
// and an npm install per function). A full test run starts it in the background from globalSetup, so
// it overlaps the other tests, and the test (run last: tests/support/sequencer.cjs) collects it; a run
// of the test alone runs it then.

export const SAM_BUILD_DIR = (): string => join(TOOLS_DIR(), 'sam-build');
const STATUS = (): string => `${SAM_BUILD_DIR()}.status.json`;
/** Set by globalSetup for the workers when the build runs in the background (its pid). */
const RUN_VARIABLE = 'KEYGATE_SAM_BUILD_PID';

export interface SamBuild {
  code: number;
  output: string;
  /** How long installing the pinned tools took (0 when present) and `sam build` itself, in ms. */
  toolsMs?: number;
  buildMs?: number;
}

/** Whether this run includes the sam build test: no path patterns (the whole suite), or one that matches it. */
export function runIncludesSamBuild(patterns: readonly string[]): boolean {
  const test = fromRoot('tests', 'integration', 'sam', 'sam-cli.test.ts');
  return patterns.length === 0 || patterns.some((p) => new RegExp(p, 'i').test(test));
}

/** globalSetup: starts `sam build` in the background. */
export function startSamBuild(): void {
  rmSync(STATUS(), { force: true });
  rmSync(`${STATUS()}.part`, { force: true });
  const child = spawn(process.execPath, [fromRoot('bin', 'run-ts.cjs'), fromRoot('scripts', 'toolchain', 'sam-build-run.ts'), SAM_BUILD_DIR(), STATUS()], { cwd: fromRoot(), detached: true, stdio: 'ignore' });
  child.unref();
  process.env[RUN_VARIABLE] = String(child.pid);
}

/** globalTeardown: stops a background build still running (a run that ended early). */
export function stopSamBuild(): void {
  const pid = Number(process.env[RUN_VARIABLE]);
  if (!pid || existsSync(STATUS())) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** The test: the background build's result when this run started one, else a build run now. */
export async function samBuild(): Promise<SamBuild> {
  if (!process.env[RUN_VARIABLE]) startSamBuild();
  const pid = Number(process.env[RUN_VARIABLE]);
  // Waits for the build to end, however long it takes; a runner that died without a word (killed)
  // is a failed build, not a wait until the test's timeout.
  while (!existsSync(STATUS())) {
    // The status appears (renamed into place) before the runner exits: gone without it is killed.
    if (!alive(pid) && !existsSync(STATUS())) return { code: 1, output: `the background sam build (pid ${pid}, scripts/toolchain/sam-build-run.ts) ended without a status in ${STATUS()}` };
    await new Promise((r) => setTimeout(r, 1000));
  }
  return JSON.parse(readFileSync(STATUS(), 'utf8')) as SamBuild;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
