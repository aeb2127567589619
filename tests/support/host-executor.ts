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
 * interpreter flags, the program as a gzip'd JSON file, `aws` reaching the SSM emulator.
 */
export function runExecutor(program: HostProgram, ssm: Pick<SsmEmulator, 'endpoint' | 'fakeBin'>): Promise<ExecutorRun> {
  const dir = mkdtempSync(join(tmpdir(), 'kg-exec-'));
  const file = join(dir, 'program.json.gz');
  writeFileSync(file, gzipSync(JSON.stringify(program)));
  return new Promise((resolve) => {
    const child = spawn('python3', ['-I', fromRoot('functions', 'host', 'executor.py'), file], {
      env: { PATH: `${ssm.fakeBin}:${process.env.PATH}`, HOME: dir, AWS_ENDPOINT_URL_SSM: ssm.endpoint, AWS_REGION: 'eu-central-1' },
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
