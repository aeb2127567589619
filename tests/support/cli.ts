import type { CliIo } from '../../cli/io';
import { run } from '../../cli/run';
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
