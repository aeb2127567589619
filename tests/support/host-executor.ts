import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseFramedResult } from '../../functions/adapters/host/host-result';
import type { HostProgram, HostResult } from '../../functions/core/host/program';
import type { SsmEmulator } from '../../emulators/ssm';
import { fromRoot } from './paths';

export interface ExecutorRun {
  code: number;
  stdout: string;
  stderr: string;
  result: HostResult | undefined;
}

/**
 * Runs functions/host/executor.py directly (no SSM in between), as the Command document does: same
 * interpreter flags, the program as a gzip'd JSON file, `aws` reaching the SSM emulator. `limits`
 * runs it under a real resource limit (bash `ulimit -f`: the largest file it may write, in KiB), so
 * that a write fails half-way the way a full disk or a quota makes it fail; `env` adds variables
 * (KEYGATE_HOST_ROOT); `publishDirectory` is the directory the Command document hands it (CimdPublishDirectory;
 * none: every file operation is refused). `swapToLink` forces a check-then-open race: at the executor's first attempt
 * to open a file named like `swapToLink.path`, that path is atomically replaced by a symbolic link to
 * `swapToLink.target` (a Python audit hook on the `open` event, which fires just before the open, in
 * the executor's own process), as another local user could do between a check and the open.
 */
export function runExecutor(
  program: HostProgram,
  ssm: Pick<SsmEmulator, 'endpoint' | 'fakeBin'>,
  options: { env?: Record<string, string>; publishDirectory?: string; fileSizeLimitKiB?: number; swapToLink?: { path: string; target: string } } = {},
): Promise<ExecutorRun> {
  const dir = mkdtempSync(join(tmpdir(), 'kg-exec-'));
  const file = join(dir, 'program.json.gz');
  writeFileSync(file, gzipSync(JSON.stringify(program)));
  return new Promise((resolve) => {
    const executor = fromRoot('functions', 'host', 'executor.py');
    const programArgs = [file, ...(options.publishDirectory !== undefined ? [options.publishDirectory] : [])];
    let argv = ['-I', executor, ...programArgs];
    if (options.swapToLink) {
      const harness = join(dir, 'swap-to-link.py');
      writeFileSync(harness, SWAP_TO_LINK);
      argv = ['-I', harness, options.swapToLink.path, options.swapToLink.target, basename(options.swapToLink.path), executor, ...programArgs];
    }
    const limit = options.fileSizeLimitKiB;
    const [command, args] = limit === undefined ? ['python3', argv] : ['bash', ['-c', `ulimit -f ${limit} && exec python3 "$@"`, 'bash', ...argv]];
    const child = spawn(command, args, {
      env: { PATH: `${ssm.fakeBin}:${process.env.PATH}`, HOME: dir, AWS_ENDPOINT_URL_SSM: ssm.endpoint, AWS_REGION: 'eu-central-1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? -1, stdout, stderr, result: parseFramedResult(stdout) });
    });
  });
}

/** argv: path to swap, link target, the file name to watch for, executor, program. */
const SWAP_TO_LINK = `import os, runpy, sys
victim, target, name = sys.argv[1:4]
swapped = []
def hook(event, args):
    if event == 'open' and not swapped and isinstance(args[0], str) and os.path.basename(args[0]) == name:
        swapped.append(True)
        os.symlink(target, victim + '.swap')
        os.replace(victim + '.swap', victim)
sys.addaudithook(hook)
sys.argv = sys.argv[4:]
runpy.run_path(sys.argv[0], run_name='__main__')
`;
