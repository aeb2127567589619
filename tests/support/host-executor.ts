import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseFramedResult } from '../../functions/adapters/host/host-runner';
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
 * (KEYGATE_HOST_ROOT).
 */
export function runExecutor(program: HostProgram, ssm: Pick<SsmEmulator, 'endpoint' | 'fakeBin'>, options: { env?: Record<string, string>; fileSizeLimitKiB?: number } = {}): Promise<ExecutorRun> {
  const dir = mkdtempSync(join(tmpdir(), 'kg-exec-'));
  const file = join(dir, 'program.json.gz');
  writeFileSync(file, gzipSync(JSON.stringify(program)));
  return new Promise((resolve) => {
    const argv = ['-I', fromRoot('functions', 'host', 'executor.py'), file];
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
