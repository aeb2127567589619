import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cimdPublishOps } from '../../../functions/core/cimd/host-program';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import { HOST_EXIT, type HostOperation, type HostProgram } from '../../../functions/core/host/program';
import { start as startSsm, type SsmEmulator } from '../../../emulators/ssm';
import { runExecutor } from '../../support/host-executor';
import { seedDesired } from '../../support/seed';

// The executor's file operations run for real with python3, under a host root of their own
// (KEYGATE_HOST_ROOT), as the Command document runs them.

const PATH = '/srv/www/oauth/client-metadata.json';
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const program = (ops: HostOperation[]): HostProgram => ({ version: 1, region: 'eu-central-1', ops });
let ssm: SsmEmulator;
let root: string;
const onHost = (path: string) => join(root, path);
const run = (ops: HostOperation[], options: { fileSizeLimitKiB?: number } = {}) => runExecutor(program(ops), ssm, { env: { KEYGATE_HOST_ROOT: root }, ...options });

beforeAll(async () => {
  ssm = await startSsm();
});
afterAll(() => ssm.close());
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kg-file-ops-'));
  mkdirSync(onHost('/srv/www/oauth'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('write-file', () => {
  it('a write that fails half-way (the file size limit is hit mid-write) leaves the old file intact and no temporary file', async () => {
    // Prepare: the old document is small, the new one is about 3 KiB; the process may write files of 1 KiB at most.
    const old = '{"client_id":"https://cimd.example.com/oauth/client-metadata.json","client_name":"old"}\n';
    writeFileSync(onHost(PATH), old, { mode: 0o644 });
    const big = renderCimdDocument({ url: 'https://cimd.example.com/oauth/client-metadata.json', document: { client_name: 'new', software_version: 'v'.repeat(3000) } });
    // Act
    const result = await run(cimdPublishOps({ path: PATH, mode: '0644' }, big), { fileSizeLimitKiB: 1 });
    // Assess: the write really started and was cut (EFBIG), and the executor reported it as a file error.
    expect(result.code).toBe(HOST_EXIT.file);
    expect(result.result).toMatchObject({ ok: false, done: 0, error: { kind: 'file', path: PATH, message: expect.stringMatching(/^write CIMD document \/srv\/www\/oauth\/client-metadata\.json: File too large/) } });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(old);
    expect(readdirSync(onHost('/srv/www/oauth')).filter((f) => f.endsWith('.keygate-tmp'))).toEqual([]);
    // The rollback copy (written before the document, and small) holds the old bytes, never a part of the new ones.
    expect(readFileSync(onHost(`${PATH}.previous`), 'utf8')).toBe(old);
  });

  it('the same program without the limit writes the whole document', async () => {
    writeFileSync(onHost(PATH), 'old\n');
    const big = renderCimdDocument({ url: 'https://cimd.example.com/oauth/client-metadata.json', document: { client_name: 'new', software_version: 'v'.repeat(3000) } });
    const result = await run(cimdPublishOps({ path: PATH, mode: '0644' }, big));
    expect(result.result).toMatchObject({ ok: true, done: 2, results: { cimd: { exists: true, sha256: sha(big.text), bytes: big.bytes, mode: '0644' } } });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(big.text);
    expect(result.stderr).toBe(`keygate: 1/2 write CIMD document ${PATH}\n`);
  });

  it('refuses content that does not hash to the declared SHA-256, writing nothing', async () => {
    const result = await run([{ op: 'write-file', label: 'write x', path: PATH, content: 'tampered', sha256: sha('declared'), mode: '0644' }]);
    expect(result).toMatchObject({ code: HOST_EXIT.program, result: { ok: false, error: { kind: 'program', message: expect.stringContaining('does not hash to') } } });
    expect(readdirSync(onHost('/srv/www/oauth'))).toEqual([]);
  });

  it('refuses a relative or non-normalized path', async () => {
    for (const path of ['srv/www/x.json', '/srv/www/../etc/x.json', '/srv/www//x.json']) {
      const result = await run([{ op: 'write-file', label: 'write x', path, content: 'x', sha256: sha('x'), mode: '0644' }]);
      expect([path, result.result]).toMatchObject([path, { ok: false, error: { kind: 'program', message: expect.stringContaining('is not an absolute, normalized path') } }]);
    }
  });

  it('refuses a directory where the rollback copy belongs before writing anything', async () => {
    writeFileSync(onHost(PATH), 'old\n');
    mkdirSync(onHost(`${PATH}.previous`));
    const doc = renderCimdDocument(seedDesired().cimd!);
    const result = await run(cimdPublishOps({ path: PATH, mode: '0644' }, doc));
    expect(result.result).toMatchObject({ ok: false, error: { kind: 'file', message: `${PATH}.previous is a directory; keygate replaces only regular files it wrote` } });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe('old\n');
  });
});

describe('stat-file', () => {
  it('reports a missing file, and hash, size and mode with the content only when the hash differs', async () => {
    writeFileSync(onHost(PATH), 'hello\n', { mode: 0o640 });
    const result = await run([
      { op: 'stat-file', id: 'missing', path: '/srv/www/none.json' },
      { op: 'stat-file', id: 'same', path: PATH, expectSha256: sha('hello\n') },
      { op: 'stat-file', id: 'other', path: PATH, expectSha256: sha('something else') },
    ]);
    expect(result.result).toEqual({
      ok: true,
      done: 3,
      results: {
        missing: { exists: false },
        same: { exists: true, sha256: sha('hello\n'), bytes: 6, mode: '0640' },
        other: { exists: true, sha256: sha('hello\n'), bytes: 6, mode: '0640', content: 'hello\n' },
      },
    });
  });

  it('leaves out the content of a file too large to print within SSM\'s output limit', async () => {
    const large = 'x'.repeat(20_000);
    writeFileSync(onHost(PATH), large);
    const result = await run([{ op: 'stat-file', id: 'f', path: PATH, expectSha256: sha('other') }]);
    expect(result.result).toEqual({ ok: true, done: 1, results: { f: { exists: true, sha256: sha(large), bytes: 20_000, mode: expect.any(String) } } });
    expect(result.stdout.length).toBeLessThan(24_000);
  });
});
