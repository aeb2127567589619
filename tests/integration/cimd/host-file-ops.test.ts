import { createHash } from 'node:crypto';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cimdObserveOps, cimdPublishOps } from '../../../functions/core/cimd/host-program';
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
const run = (ops: HostOperation[], options: Parameters<typeof runExecutor>[2] = {}) => runExecutor(program(ops), ssm, { env: { KEYGATE_HOST_ROOT: root }, ...options });

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

// The executor runs as root: a symbolic link on the way to the file, or swapped in for it, must make it
// read and write nothing through the link, and say which component is a link and how to fix it.
describe('symbolic links', () => {
  const SECRET = '{"secret":"root-only-7d1e"}\n';
  let outside: string;
  /** Every entry of the link target, with its bytes (files) and inode/mtime: what must not change. */
  const snapshot = (dir: string): Record<string, unknown> =>
    Object.fromEntries(readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((f) => {
      const st = lstatSync(join(dir, f));
      return [f, { ino: st.ino, mtimeMs: st.mtimeMs, bytes: st.isFile() ? readFileSync(join(dir, f), 'utf8') : null }];
    }));
  const publishOps = () => cimdPublishOps({ path: PATH, mode: '0644' }, renderCimdDocument(seedDesired().cimd!));

  beforeEach(() => {
    outside = mkdtempSync(join(tmpdir(), 'kg-outside-'));
    mkdirSync(join(outside, 'oauth'));
    writeFileSync(join(outside, 'oauth', 'client-metadata.json'), SECRET, { mode: 0o600 });
    writeFileSync(join(outside, 'oauth', 'client-metadata.json.previous'), SECRET, { mode: 0o600 });
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  it.each([
    ['the parent directory', '/srv/www/oauth', () => join(outside, 'oauth')],
    ['a directory higher up (whose target lacks the directories below)', '/srv', () => join(outside, 'empty')],
  ])('%s being a link: stat-file and write-file refuse, name the link and the fix, and read or write nothing through it', async (_, link, target) => {
    // Prepare: the link replaces a real directory of the path; its target holds root-only content.
    mkdirSync(join(outside, 'empty'));
    rmSync(onHost(link), { recursive: true });
    symlinkSync(target(), onHost(link));
    const before = snapshot(outside);
    // Act
    const observed = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected')));
    const written = await run(publishOps());
    // Assess: the observation reports a conflict naming the link and the fix, with no content of the target.
    for (const out of [observed.stdout, written.stdout]) expect(out).not.toContain('root-only');
    expect(snapshot(outside)).toEqual(before);
    expect(observed.result).toEqual({
      ok: true,
      done: 1,
      results: { cimd: { exists: true, conflict: `a symbolic link at ${link} on the way to ${PATH} (replace the link with a real directory, or point cimd.publish.host.path at the real path)` } },
    });
    // The write stops before anything is written (exit 6), naming the link and the fix.
    expect(written.code).toBe(HOST_EXIT.file);
    expect(written.result).toMatchObject({
      ok: false,
      done: 0,
      error: { kind: 'file', path: PATH, link, message: `${link} is a symbolic link; keygate never follows a link on the way to ${PATH}: replace the link with a real directory, or point cimd.publish.host.path at the real path` },
    });
    expect(lstatSync(onHost(link)).isSymbolicLink()).toBe(true);
    // The fix the message names works: a real directory instead of the link, and the same program writes.
    rmSync(onHost(link));
    mkdirSync(onHost('/srv/www/oauth'), { recursive: true });
    await expect(run(publishOps())).resolves.toMatchObject({ code: HOST_EXIT.ok, result: { ok: true, done: 2, results: { cimd: { exists: true, mode: '0644' } } } });
    expect(statSync(onHost('/srv/www/oauth')).isDirectory()).toBe(true);
  });

  it('the file itself being a link: reported as a conflict, refused by write-file, the target unchanged', async () => {
    // Prepare
    symlinkSync(join(outside, 'oauth', 'client-metadata.json'), onHost(PATH));
    const before = snapshot(outside);
    // Act
    const observed = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected')));
    const written = await run([{ op: 'write-file', label: 'write x', path: PATH, content: 'new', sha256: sha('new'), mode: '0644', previous: `${PATH}.previous` }]);
    // Assess
    expect(observed.result).toEqual({ ok: true, done: 1, results: { cimd: { exists: true, conflict: 'a symbolic link' } } });
    expect(written.result).toMatchObject({ ok: false, error: { kind: 'file', message: `${PATH} is a symbolic link; keygate replaces only regular files it wrote` } });
    for (const out of [observed.stdout, written.stdout]) expect(out).not.toContain('root-only');
    expect(snapshot(outside)).toEqual(before);
    expect(readdirSync(onHost('/srv/www/oauth'))).toEqual(['client-metadata.json']);
  });

  it('the file being a second hard link to another file: not read, not copied to .previous, the other file unchanged', async () => {
    // Prepare: the document's name made to point at root-only content (a hard link; fs.protected_hardlinks may be off).
    linkSync(join(outside, 'oauth', 'client-metadata.json'), onHost(PATH));
    const before = snapshot(outside);
    // Act
    const observed = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected')));
    const written = await run(publishOps());
    // Assess
    expect(observed.result).toEqual({ ok: true, done: 1, results: { cimd: { exists: true, conflict: 'a file with more than one hard link' } } });
    expect(written.result).toMatchObject({ ok: false, done: 0, error: { kind: 'file', message: expect.stringContaining(`${PATH} has 2 hard links`) } });
    for (const out of [observed.stdout, written.stdout]) expect(out).not.toContain('root-only');
    expect(snapshot(outside)).toEqual(before);
    expect(readdirSync(onHost('/srv/www/oauth'))).toEqual(['client-metadata.json']);
  });

  it('the rollback copy being a link: write-file refuses before writing anything', async () => {
    writeFileSync(onHost(PATH), 'old\n');
    symlinkSync(join(outside, 'oauth', 'client-metadata.json.previous'), onHost(`${PATH}.previous`));
    const before = snapshot(outside);
    const written = await run(publishOps());
    expect(written.result).toMatchObject({ ok: false, done: 0, error: { kind: 'file', message: `${PATH}.previous is a symbolic link; keygate replaces only regular files it wrote` } });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe('old\n');
    expect(snapshot(outside)).toEqual(before);
  });

  it('a link swapped in for the file between a check and the open is not followed (the race forced at the open)', async () => {
    // Prepare: a regular file, replaced by a link to root-only content just before the executor opens it.
    const swapToLink = { path: onHost(PATH), target: join(outside, 'oauth', 'client-metadata.json') };
    writeFileSync(onHost(PATH), 'published\n');
    const before = snapshot(outside);
    // Act
    const observed = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('published\n')), { swapToLink });
    rmSync(onHost(PATH));
    writeFileSync(onHost(PATH), 'published\n');
    const written = await run(publishOps(), { swapToLink });
    // Assess: the executor saw a link, not the target's content, and the swap really happened (the link is still there).
    for (const out of [observed.stdout, written.stdout]) expect(out).not.toContain('root-only');
    expect(observed.result).toEqual({ ok: true, done: 1, results: { cimd: { exists: true, conflict: 'a symbolic link' } } });
    expect(written.result).toMatchObject({ ok: false, done: 0, error: { kind: 'file', message: `${PATH} is a symbolic link; keygate replaces only regular files it wrote` } });
    expect(lstatSync(onHost(PATH)).isSymbolicLink()).toBe(true);
    expect(existsSync(onHost(`${PATH}.previous`))).toBe(false);
    expect(snapshot(outside)).toEqual(before);
  });
});
