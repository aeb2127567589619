import { spawn } from 'node:child_process';
import type { CliIo } from '../../cli/io';
import { run } from '../../cli/run';
import { fromRoot } from './paths';
import { seedText } from './seed';

/** Runs the CLI in-process with an in-memory file system (examples/seed.yaml is always there). */
export async function runCli(argv: string[], opts: { files?: Record<string, string>; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const files = opts.files ?? {};
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readFile: (path) => {
      if (path in files) return files[path]!;
      if (path === 'examples/seed.yaml') return seedText();
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    },
    isTTY: false,
    env: opts.env ?? {},
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  cwd?: string;
  /** The whole environment of the process (default: this one's, with NO_COLOR). */
  env?: NodeJS.ProcessEnv;
  /** Acts on the output as it arrives (send a signal, start another command). */
  onOutput?: (out: { stdout: string; stderr: string }, child: ReturnType<typeof spawn>) => void;
}

/** Runs `node bin/keygate.cjs …` as a separate process, as a user does. */
export function spawnKeygate(args: string[], opts: SpawnOptions = {}): Promise<Exit> {
  const child = spawn(process.execPath, [fromRoot('bin', 'keygate.cjs'), ...args], { cwd: opts.cwd ?? fromRoot(), env: opts.env ?? { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => {
    out.stdout += c.toString('utf8');
    opts.onOutput?.(out, child);
  });
  child.stderr.on('data', (c: Buffer) => {
    out.stderr += c.toString('utf8');
    opts.onOutput?.(out, child);
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, ...out })));
}
