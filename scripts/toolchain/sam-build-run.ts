// Runs the pinned `sam build` into a directory of its own and records how it ended, for a test run
// that starts it in the background (tests/support/sam-build.ts): node bin/run-ts.cjs
// scripts/toolchain/sam-build-run.ts <build dir> <status file>. The status file gets
// {"code": <exit code>, "output": "<stdout and stderr>", "toolsMs": …, "buildMs": …} when sam has
// finished (installing the tools first if they are missing: toolsMs), for the record of what the test
// command spends on them.
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { packageRoot } from '../package-root';
import { pythonTools } from './python-tools';

const [buildDir, statusFile] = process.argv.slice(2) as [string, string];
let output = '';
const started = Date.now();
let toolsMs = 0;
// Written whole, then renamed: a reader that sees the file sees all of it.
const done = (code: number) => {
  writeFileSync(`${statusFile}.part`, JSON.stringify({ code, output, toolsMs, buildMs: Date.now() - started - toolsMs }));
  renameSync(`${statusFile}.part`, statusFile);
};
try {
  const { sam, env } = pythonTools();
  toolsMs = Date.now() - started;
  const child = spawn(sam, ['build', '--build-dir', relative(packageRoot(), buildDir)], { cwd: packageRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.on('error', (error) => ((output += String(error)), done(1)));
  child.on('close', (code) => done(code ?? 1));
} catch (error) {
  output += (error as Error).message;
  done(1);
}
