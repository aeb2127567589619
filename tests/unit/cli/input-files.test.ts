import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_INPUT_BYTES, readInputFile, type CliIo } from '../../../cli/io';
import { run } from '../../../cli/run';
import { fromRoot } from '../../support/paths';
import { seedText } from '../../support/seed';

// `--config` (and `--keycloak-observed`) must be a regular file under a size limit: a FIFO, a device or
// a directory is refused with exit 2 and a clear message, before anything is read from it.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kg-cli-input-'));
  mkdirSync(join(dir, 'a-directory'));
  writeFileSync(join(dir, 'seed.yaml'), seedText());
  writeFileSync(join(dir, 'huge.yaml'), `# ${'x'.repeat(MAX_INPUT_BYTES)}\n${seedText()}`);
  execFileSync('mkfifo', [join(dir, 'a-fifo')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI in-process with the real file reader. */
async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readFile: readInputFile, isTTY: false, env: {} };
  return { code: await run(argv, io), stdout, stderr };
}

describe('CLI input files', () => {
  it.each([
    ['a directory', () => join(dir, 'a-directory'), 'it is a directory, not a regular file'],
    ['/dev/zero', () => '/dev/zero', 'it is a character device, not a regular file'],
    ['a FIFO', () => join(dir, 'a-fifo'), 'it is a FIFO (named pipe), not a regular file'],
    ['a file over the limit', () => join(dir, 'huge.yaml'), `bytes, over the ${MAX_INPUT_BYTES}-byte limit for an input file`],
    ['a missing file', () => join(dir, 'none.yaml'), 'no such file'],
  ])('%s as --config: exit 2 naming what it is, for lint, plan and parameters', async (_, path, what) => {
    for (const command of ['lint', 'plan', 'parameters']) {
      const out = await cli([command, '--config', path()]);
      expect([command, out.code, out.stdout]).toEqual([command, 2, '']);
      expect(out.stderr).toBe(`keygate ${command}: cannot read ${path()}: ${out.stderr.match(/: (it is [^:]*|no such file)/)![1]}: pass the desired-state document's file (YAML or JSON), for example examples/seed.yaml\n`);
      expect(out.stderr).toContain(what);
    }
  });

  it('--json reports it as one object too', async () => {
    const out = await cli(['lint', '--config', '/dev/zero', '--json']);
    expect(out.code).toBe(2);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: expect.stringContaining('cannot read /dev/zero: it is a character device') });
  });

  it('a snapshot that is not a regular file is refused the same way', async () => {
    const out = await cli(['plan', '--config', join(dir, 'seed.yaml'), '--keycloak-observed', '/dev/zero']);
    expect(out).toMatchObject({ code: 2, stderr: 'keygate plan: cannot read --keycloak-observed /dev/zero: it is a character device, not a regular file\n' });
  });

  it('a regular file under the limit is read', async () => {
    expect(readInputFile(join(dir, 'seed.yaml'))).toBe(seedText());
    await expect(cli(['lint', '--config', join(dir, 'seed.yaml')])).resolves.toMatchObject({ code: 0 });
  });

  it('the installed command returns at once on a FIFO with no writer (it used to wait forever)', async () => {
    const out = await new Promise<{ code: number | null; stderr: string; killed: boolean }>((resolve) => {
      const child = execFile(process.execPath, [fromRoot('bin', 'keygate.cjs'), 'lint', '--config', join(dir, 'a-fifo')], { timeout: 60_000 }, (error, _stdout, stderr) =>
        resolve({ code: child.exitCode, stderr, killed: Boolean(error?.killed) }),
      );
    });
    expect(out).toEqual({ code: 2, killed: false, stderr: expect.stringContaining('it is a FIFO (named pipe), not a regular file') });
  });
});
