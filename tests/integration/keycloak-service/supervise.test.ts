import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../support/paths';

// scripts/keycloak/supervise.py keeps a server from outliving the process that started it. Here the
// supervised command is a shell that records its pid and sleeps, so each case is cheap; the real
// Keycloak runs under the same script (scripts/keycloak/server.ts).

const SUPERVISE = fromRoot('scripts', 'keycloak', 'supervise.py');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-supervise-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Polls until `check` holds; a bound for a loaded machine (starting node and python there takes seconds), not a timing expectation. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (check()) return;
  throw new Error(`not within 60 s: ${what}`);
}
jest.setTimeout(180_000);
const pidOf = async (file: string) => {
  await eventually(() => existsSync(file) && readFileSync(file, 'utf8').trim() !== '', `${file} written`);
  return Number(readFileSync(file, 'utf8'));
};
/** The supervised command: records its pid, then runs `body` (default: sleeps). */
const command = (pidFile: string, body = 'exec sleep 300') => ['sh', '-c', `echo $$ > ${pidFile}; ${body}`];

describe('supervise.py', () => {
  it('stops the command and removes the run directory when its parent is killed with SIGKILL', async () => {
    // Prepare: a parent node process that starts the supervisor and then idles
    const run = join(dir, 'run');
    const pidFile = join(dir, 'pid');
    const parentScript = join(dir, 'parent.js');
    writeFileSync(parentScript, `require('node:fs').mkdirSync(${JSON.stringify(run)});
      require('node:child_process').spawn('python3', ${JSON.stringify([SUPERVISE, '--log', join(dir, 'log'), '--remove', run, '--', ...command(pidFile)])}, { stdio: ['pipe', 'ignore', 'ignore'] });
      setInterval(() => {}, 1000);`);
    const parent = spawn(process.execPath, [parentScript], { stdio: 'ignore' });
    const pid = await pidOf(pidFile);
    expect(alive(pid)).toBe(true);
    // Act
    parent.kill('SIGKILL');
    // Assess
    await eventually(() => !alive(pid), 'the supervised command is gone');
    await eventually(() => !existsSync(run), 'the run directory is removed');
  });

  it('stops on a line on stdin (the normal stop): SIGTERM to the command, whose status it returns', async () => {
    const pidFile = join(dir, 'pid');
    const child = spawn('python3', [SUPERVISE, '--log', join(dir, 'log'), '--', ...command(pidFile, 'trap "exit 7" TERM; sleep 300 & wait')], { stdio: ['pipe', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const pid = await pidOf(pidFile);
    child.stdin!.end('stop\n');
    expect(await exited).toBe(7);
    expect(alive(pid)).toBe(false);
  });

  it('kills a command that ignores SIGTERM once the grace period is over', async () => {
    const pidFile = join(dir, 'pid');
    const child = spawn('python3', [SUPERVISE, '--log', join(dir, 'log'), '--grace', '0.5', '--', ...command(pidFile, 'trap "" TERM; while :; do sleep 1; done')], { stdio: ['pipe', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const pid = await pidOf(pidFile);
    child.kill('SIGTERM');
    expect(await exited).toBe(128 + 9);
    expect(alive(pid)).toBe(false);
  });

  it('passes on the status of a command that ends by itself, with the end of its log on stderr', async () => {
    const child = spawn('python3', [SUPERVISE, '--log', join(dir, 'log'), '--remove', join(dir, 'gone'), '--', 'sh', '-c', 'echo starting; echo "port already bound" >&2; exit 3'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => void (stderr += c));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(3);
    expect(stderr).toBe('starting\nport already bound\n');
  });
});
