import { createHash } from 'node:crypto';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cimdObserveOps, cimdPublishOps } from '../../../functions/core/cimd/host-program';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import { HOST_EXIT, type HostOperation, type HostProgram } from '../../../functions/core/host/program';
import { start as startSsm, type SsmEmulator } from '../../../emulators/ssm';
import { runExecutor } from '../../support/host-executor';

// The executor's file operations run for real with python3, under a host root of their own
// (KEYGATE_HOST_ROOT), as the Command document runs them.

/** The stack's CimdPublishDirectory in these tests, and the document's path inside it. */
const DIRECTORY = '/srv/www';
const PATH = '/srv/www/oauth/client-metadata.json';
const URL = 'https://cimd.example.com/oauth/client-metadata.json';
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** A document keygate published for URL, as JSON text (perhaps edited by hand since: any other field). */
const keygateDoc = (fields: Record<string, unknown> = {}) => `${JSON.stringify({ client_id: URL, client_name: 'old', ...fields }, null, 2)}\n`;
const program = (ops: HostOperation[]): HostProgram => ({ version: 1, region: 'eu-central-1', ops });
let ssm: SsmEmulator;
let root: string;
const onHost = (path: string) => join(root, path);
const run = (ops: HostOperation[], options: Parameters<typeof runExecutor>[2] = {}) =>
  runExecutor(program(ops), ssm, { env: { KEYGATE_HOST_ROOT: root }, publishDirectory: DIRECTORY, ...options });

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
    const old = keygateDoc();
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
    writeFileSync(onHost(PATH), keygateDoc());
    const big = renderCimdDocument({ url: 'https://cimd.example.com/oauth/client-metadata.json', document: { client_name: 'new', software_version: 'v'.repeat(3000) } });
    const result = await run(cimdPublishOps({ path: PATH, mode: '0644' }, big));
    expect(result.result).toMatchObject({ ok: true, done: 2, results: { cimd: { exists: true, sha256: sha(big.text), bytes: big.bytes, mode: '0644' } } });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(big.text);
    expect(result.stderr).toBe(`keygate: 1/2 write CIMD document ${PATH}\n`);
  });

  it('refuses content that does not hash to the declared SHA-256, writing nothing', async () => {
    const result = await run([{ op: 'write-file', label: 'write x', path: PATH, content: keygateDoc(), sha256: sha('declared'), mode: '0644' }]);
    expect(result).toMatchObject({ code: HOST_EXIT.program, result: { ok: false, error: { kind: 'program', message: expect.stringContaining('does not hash to') } } });
    expect(readdirSync(onHost('/srv/www/oauth'))).toEqual([]);
  });

  it('refuses a relative or non-normalized path', async () => {
    for (const path of ['srv/www/x.json', '/srv/www/../etc/x.json', '/srv/www//x.json']) {
      const result = await run([{ op: 'write-file', label: 'write x', path, content: keygateDoc(), sha256: sha(keygateDoc()), mode: '0644' }]);
      expect([path, result.result]).toMatchObject([path, { ok: false, error: { kind: 'program', message: expect.stringContaining('is not an absolute, normalized path') } }]);
    }
  });

  it('refuses a directory where the rollback copy belongs before writing anything', async () => {
    writeFileSync(onHost(PATH), keygateDoc());
    mkdirSync(onHost(`${PATH}.previous`));
    const doc = renderCimdDocument({ url: URL, document: { client_name: 'new' } });
    const result = await run(cimdPublishOps({ path: PATH, mode: '0644' }, doc));
    expect(result.result).toMatchObject({ ok: false, error: { kind: 'file', message: `${PATH}.previous is a directory; keygate replaces only regular files it wrote` } });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(keygateDoc());
  });

  it('refuses content that is not a CIMD document (a JSON object with a client_id): it writes only CIMD documents', async () => {
    for (const content of ['plain text\n', '[1,2]\n', '{"client_name":"no id"}\n']) {
      const result = await run([{ op: 'write-file', label: 'write x', path: PATH, content, sha256: sha(content), mode: '0644' }]);
      expect([content, result.result]).toMatchObject([content, { ok: false, error: { kind: 'program', message: 'write x: the content is not a CIMD document (a JSON object with a client_id)' } }]);
    }
    expect(readdirSync(onHost('/srv/www/oauth'))).toEqual([]);
  });

  it('replaces a hand-edited keygate document (same client_id), keeping it as the rollback copy', async () => {
    const edited = keygateDoc({ client_name: 'Edited by hand' });
    writeFileSync(onHost(PATH), edited, { mode: 0o644 });
    const doc = renderCimdDocument({ url: URL, document: { client_name: 'new' } });
    const result = await run(cimdPublishOps({ path: PATH, mode: '0644' }, doc));
    expect(result.result).toMatchObject({ ok: true, done: 2, results: { cimd: { exists: true, sha256: sha(doc.text) } } });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(doc.text);
    expect(readFileSync(onHost(`${PATH}.previous`), 'utf8')).toBe(edited);
    expect(statSync(onHost(`${PATH}.previous`)).mode & 0o777).toBe(0o600);
  });

  it('creates missing directories below the publish directory with mode 0755, never the publish directory itself', async () => {
    const doc = renderCimdDocument({ url: URL, document: { client_name: 'new' } });
    const deep = '/srv/www/a/b/client-metadata.json';
    await expect(run(cimdPublishOps({ path: deep, mode: '0644' }, doc))).resolves.toMatchObject({ code: HOST_EXIT.ok });
    expect(statSync(onHost('/srv/www/a')).mode & 0o777).toBe(0o755);
    expect(statSync(onHost('/srv/www/a/b')).mode & 0o777).toBe(0o755);
    // Without the publish directory, nothing is made: not it, not what is above it.
    rmSync(onHost('/srv'), { recursive: true });
    const result = await run(cimdPublishOps({ path: PATH, mode: '0644' }, doc));
    expect(result).toMatchObject({ code: HOST_EXIT.file, result: { ok: false, done: 0, error: { kind: 'file', message: expect.stringContaining('/srv does not exist on the host: keygate publishes under /srv/www (template parameter CimdPublishDirectory) but never creates it') } } });
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('stat-file', () => {
  it('reports a missing file, and hash, size and mode of keygate\'s document with its content only when the hash differs', async () => {
    const doc = keygateDoc();
    writeFileSync(onHost(PATH), doc, { mode: 0o640 });
    const result = await run([
      { op: 'stat-file', id: 'missing', path: '/srv/www/none.json', clientId: URL },
      { op: 'stat-file', id: 'same', path: PATH, expectSha256: sha(doc), clientId: URL },
      { op: 'stat-file', id: 'other', path: PATH, expectSha256: sha('something else'), clientId: URL },
    ]);
    const bytes = Buffer.byteLength(doc);
    expect(result.result).toEqual({
      ok: true,
      done: 3,
      results: {
        missing: { exists: false },
        same: { exists: true, sha256: sha(doc), bytes, mode: '0640' },
        other: { exists: true, sha256: sha(doc), bytes, mode: '0640', content: doc },
      },
    });
  });

  it('leaves out the content of a keygate document too large to print within SSM\'s output limit', async () => {
    const large = keygateDoc({ software_version: 'x'.repeat(20_000) });
    writeFileSync(onHost(PATH), large);
    const result = await run([{ op: 'stat-file', id: 'f', path: PATH, expectSha256: sha('other'), clientId: URL }]);
    expect(result.result).toEqual({ ok: true, done: 1, results: { f: { exists: true, sha256: sha(large), bytes: Buffer.byteLength(large), mode: expect.any(String) } } });
    expect(result.stdout.length).toBeLessThan(24_000);
  });
});

// Foreign content stays on the host: what is not a CIMD document for the client_id keygate publishes
// there is named by size and hash only, never read out, replaced or copied.
describe('files that are not keygate\'s', () => {
  const MARKER = 'FOREIGN-MARKER-4c1b9e';
  const foreign: Array<[string, string]> = [
    ['plain text', `root:${MARKER}:19000:0:99999:7:::\n`],
    ['JSON, not an object', `["${MARKER}"]\n`],
    ['a JSON object without client_id', `{"note":"${MARKER}"}\n`],
    ['another client\'s CIMD document', `{"client_id":"https://cimd.example.com/other.json","client_name":"${MARKER}"}\n`],
    ['invalid UTF-8', `\u00ff${MARKER}`],
  ];

  it.each(foreign)('%s: stat-file gives hash, size and mode marked foreign, with no content', async (_, content) => {
    const bytes = Buffer.from(content, content.startsWith('\u00ff') ? 'latin1' : 'utf8');
    writeFileSync(onHost(PATH), bytes, { mode: 0o600 });
    const result = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected'), URL));
    expect(result.result).toEqual({ ok: true, done: 1, results: { cimd: { exists: true, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, mode: '0600', foreign: true } } });
    expect(result.stdout + result.stderr).not.toContain(MARKER);
  });

  it.each(foreign)('%s: write-file refuses before writing anything, names size and hash, and makes no rollback copy', async (_, content) => {
    writeFileSync(onHost(PATH), content, { mode: 0o600 });
    const before = readFileSync(onHost(PATH));
    const result = await run(cimdPublishOps({ path: PATH, mode: '0644' }, renderCimdDocument({ url: URL, document: { client_name: 'new' } })));
    expect(result).toMatchObject({
      code: HOST_EXIT.file,
      result: { ok: false, done: 0, error: { kind: 'file', path: PATH, message: `${PATH} is not a keygate CIMD document (${before.length} bytes, sha256 ${createHash('sha256').update(before).digest('hex')}); keygate replaces only the document it publishes there (a JSON object with client_id ${URL}): move the file away, or publish to another path under ${DIRECTORY}` } },
    });
    expect(result.stdout + result.stderr).not.toContain(MARKER);
    expect(readFileSync(onHost(PATH))).toEqual(before);
    expect(readdirSync(onHost('/srv/www/oauth'))).toEqual(['client-metadata.json']);
  });

  it('a foreign file at the rollback copy\'s name: refused before the document is written, left as it is', async () => {
    writeFileSync(onHost(PATH), keygateDoc());
    writeFileSync(onHost(`${PATH}.previous`), `secret ${MARKER}\n`, { mode: 0o600 });
    const result = await run(cimdPublishOps({ path: PATH, mode: '0644' }, renderCimdDocument({ url: URL, document: { client_name: 'new' } })));
    expect(result.result).toMatchObject({ ok: false, done: 0, error: { kind: 'file', path: `${PATH}.previous`, message: expect.stringMatching(/\.previous is not a keygate CIMD document \(\d+ bytes, sha256 [0-9a-f]{64}\)/) } });
    expect(result.stdout).not.toContain(MARKER);
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(keygateDoc());
    expect(readFileSync(onHost(`${PATH}.previous`), 'utf8')).toBe(`secret ${MARKER}\n`);
  });

  it('a file larger than any CIMD document is hashed whole, never held or printed', async () => {
    const big = Buffer.alloc(300_000, 'a');
    big.write(MARKER, 150_000);
    writeFileSync(onHost(PATH), big);
    const result = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected'), URL));
    expect(result.result).toMatchObject({ ok: true, results: { cimd: { exists: true, bytes: 300_000, sha256: createHash('sha256').update(big).digest('hex'), foreign: true } } });
    expect(result.stdout).not.toContain(MARKER);
  });

  it('without a client_id in the stat-file operation, every file is foreign', async () => {
    writeFileSync(onHost(PATH), keygateDoc());
    const result = await run([{ op: 'stat-file', id: 'f', path: PATH, expectSha256: sha('other') }]);
    expect(result.result).toMatchObject({ ok: true, results: { f: { foreign: true } } });
    expect(result.result).not.toHaveProperty('results.f.content');
  });
});

// Confinement: the executor runs as root; the Command document hands it the one directory the stack
// declared (CimdPublishDirectory), and no program can make it read or write anywhere else.
describe('the publish directory', () => {
  const SHADOW = `root:$6$${'x'.repeat(20)}:19000:0:99999:7:::\n`;
  beforeEach(() => {
    mkdirSync(onHost('/etc'), { recursive: true });
    writeFileSync(onHost('/etc/shadow'), SHADOW, { mode: 0o600 });
  });
  const doc = () => renderCimdDocument({ url: URL, document: { client_name: 'new' } });

  it.each([
    ['a system file', '/etc/shadow'],
    ['the publish directory\'s parent', '/srv/client-metadata.json'],
    ['a sibling sharing its prefix', '/srv/www-other/client-metadata.json'],
    ['the publish directory itself', '/srv/www'],
  ])('%s (%s): stat-file and write-file refuse, reading and writing nothing', async (_, path) => {
    const observed = await run(cimdObserveOps({ path, mode: '0644' }, sha('expected'), URL));
    const written = await run(cimdPublishOps({ path, mode: '0644' }, doc()));
    for (const r of [observed, written]) {
      expect(r).toMatchObject({
        code: HOST_EXIT.file,
        result: { ok: false, done: 0, error: { kind: 'file', path, message: `${path} is outside /srv/www, the only directory this stack may publish under (template parameter CimdPublishDirectory): set cimd.publish.host.path under /srv/www, or deploy the stack with CimdPublishDirectory naming the web root` } },
      });
      expect(r.stdout).not.toContain('$6$');
    }
    expect(readFileSync(onHost('/etc/shadow'), 'utf8')).toBe(SHADOW);
    expect(existsSync(onHost('/etc/shadow.previous'))).toBe(false);
    expect(existsSync(onHost('/srv/www-other'))).toBe(false);
  });

  it('a rollback path outside the directory is refused before the document is written', async () => {
    const [write] = cimdPublishOps({ path: PATH, mode: '0644' }, doc());
    const result = await run([{ ...(write as Extract<HostOperation, { op: 'write-file' }>), previous: '/etc/shadow' }]);
    expect(result.result).toMatchObject({ ok: false, done: 0, error: { kind: 'file', path: '/etc/shadow', message: expect.stringContaining('/etc/shadow is outside /srv/www') } });
    expect(readFileSync(onHost('/etc/shadow'), 'utf8')).toBe(SHADOW);
    expect(existsSync(onHost(PATH))).toBe(false);
  });

  it('without a publish directory from the Command document, every file operation is refused', async () => {
    const result = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected'), URL), { publishDirectory: undefined });
    expect(result.result).toMatchObject({ ok: false, error: { kind: 'file', message: expect.stringContaining('the Command document names no CIMD publish directory') } });
  });

  it.each(['relative/dir', '/srv/../etc', '/', '/srv/www/'])('a malformed publish directory (%s) is refused as a bad program', async (publishDirectory) => {
    const result = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected'), URL), { publishDirectory });
    expect(result).toMatchObject({ code: HOST_EXIT.program, result: { ok: false, done: 0, error: { kind: 'program', message: expect.stringContaining('is not an absolute, normalized path other than /') } } });
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
  const publishOps = () => cimdPublishOps({ path: PATH, mode: '0644' }, renderCimdDocument({ url: URL, document: { client_name: 'new' } }));

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
    const observed = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected'), URL));
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
    const observed = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected'), URL));
    const written = await run([{ op: 'write-file', label: 'write x', path: PATH, content: keygateDoc(), sha256: sha(keygateDoc()), mode: '0644', previous: `${PATH}.previous` }]);
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
    const observed = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('expected'), URL));
    const written = await run(publishOps());
    // Assess
    expect(observed.result).toEqual({ ok: true, done: 1, results: { cimd: { exists: true, conflict: 'a file with more than one hard link' } } });
    expect(written.result).toMatchObject({ ok: false, done: 0, error: { kind: 'file', message: expect.stringContaining(`${PATH} has 2 hard links`) } });
    for (const out of [observed.stdout, written.stdout]) expect(out).not.toContain('root-only');
    expect(snapshot(outside)).toEqual(before);
    expect(readdirSync(onHost('/srv/www/oauth'))).toEqual(['client-metadata.json']);
  });

  it('the rollback copy being a link: write-file refuses before writing anything', async () => {
    writeFileSync(onHost(PATH), keygateDoc());
    symlinkSync(join(outside, 'oauth', 'client-metadata.json.previous'), onHost(`${PATH}.previous`));
    const before = snapshot(outside);
    const written = await run(publishOps());
    expect(written.result).toMatchObject({ ok: false, done: 0, error: { kind: 'file', message: `${PATH}.previous is a symbolic link; keygate replaces only regular files it wrote` } });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(keygateDoc());
    expect(snapshot(outside)).toEqual(before);
  });

  it('a link swapped in for the file between a check and the open is not followed (the race forced at the open)', async () => {
    // Prepare: a regular file, replaced by a link to root-only content just before the executor opens it.
    const swapToLink = { path: onHost(PATH), target: join(outside, 'oauth', 'client-metadata.json') };
    writeFileSync(onHost(PATH), 'published\n');
    const before = snapshot(outside);
    // Act
    const observed = await run(cimdObserveOps({ path: PATH, mode: '0644' }, sha('published\n'), URL), { swapToLink });
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
