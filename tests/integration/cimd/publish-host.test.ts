import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { CimdOutcome } from '../../../functions/adapters/cimd/reconcile-cimd';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import type { DesiredState } from '../../../functions/core/desired/document';
import { validateDesiredStateShape } from '../../../functions/core/desired/load';
import type { HostProgram } from '../../../functions/core/host/program';
import { startWorld, type LocalWorld } from '../../../emulators/world';
import { deployed, invoke } from '../../support/lambda';
import { seedRaw } from '../../support/seed';

// Publishing the CIMD document to the Keycloak host through the local world: the real handler, the
// real SSM client, the SSM emulator running the template's Command document with bash, and the real
// host executor writing under the world's host root (KEYGATE_HOST_ROOT).

const handler = deployed('PublishCimdDocumentFunction');
const PATH = '/opt/cimd/public/oauth/client-metadata.json';
let world: LocalWorld;
let desired: DesiredState;
const file = () => world.hostFile(PATH);
const publish = (d: DesiredState = desired, mode: 'publish' | 'observe' = 'publish') => invoke(handler, { desired: d, mode }) as Promise<CimdOutcome>;

/** The programs sent since `from` (SendCommand calls), decoded: what the host was asked to do. */
const programsSince = (from: number): HostProgram[] =>
  world.ssm.calls.slice(from).filter((c) => c.operation === 'SendCommand').map((c) => JSON.parse(gunzipSync(Buffer.from(c.input.Parameters.program[0], 'base64')).toString('utf8')) as HostProgram);
const opsOf = (programs: HostProgram[]) => programs.map((p) => p.ops.map((o) => o.op));

beforeAll(async () => {
  world = await startWorld({ document: seedRaw(), speed: 400 });
  desired = validateDesiredStateShape(world.document, 'world');
});
afterAll(() => world.close());

describe('publishing the CIMD document to the Keycloak host', () => {
  const rendered = () => renderCimdDocument(desired.cimd!);

  it('first publish writes the file: the rendered bytes, mode 0644, parent directories 0755, nothing else', async () => {
    // Prepare
    const from = world.ssm.calls.length;
    // Act
    const result = await publish();
    // Assess
    expect(result).toMatchObject({ mode: 'publish', outcome: 'created', url: desired.cimd!.url, destination: `file ${PATH} on i-0123456789abcdef0`, plan: { action: 'create', reason: 'missing' } });
    expect(readFileSync(file(), 'utf8')).toBe(rendered().text);
    expect((statSync(file()).mode & 0o777).toString(8)).toBe('644');
    expect((statSync(dirname(file())).mode & 0o777).toString(8)).toBe('755');
    expect(readdirSync(dirname(file()))).toEqual(['client-metadata.json']);
    // One command observes, one writes and reads back; no admin login in either.
    expect(opsOf(programsSince(from))).toEqual([['stat-file'], ['write-file', 'stat-file']]);
    expect(programsSince(from).every((p) => p.admin === undefined)).toBe(true);
  });

  it('the same document again writes nothing (one read-only command; the file keeps its inode and mtime)', async () => {
    // Prepare
    const before = statSync(file());
    const from = world.ssm.calls.length;
    // Act
    const result = await publish();
    // Assess
    expect(result).toMatchObject({ outcome: 'unchanged', plan: { action: 'noop', reason: 'in-sync', fields: [] } });
    expect(opsOf(programsSince(from))).toEqual([['stat-file']]);
    const after = statSync(file());
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(existsSync(`${file()}.previous`)).toBe(false);
  });

  it('a hand-edited file is detected with the differing fields (observe writes nothing), then restored with the edit kept as .previous', async () => {
    // Prepare: someone edits the file on the host.
    const edited = `${JSON.stringify({ ...rendered().document, client_name: 'Edited on the host', redirect_uris: ['https://callback.attacker.example/cb'] }, null, 2)}\n`;
    writeFileSync(file(), edited);
    // Act: drift detection's view
    const observed = await publish(desired, 'observe');
    // Assess
    expect(observed).toMatchObject({ mode: 'observe', outcome: 'drifted', plan: { action: 'update', reason: 'differs' } });
    expect(observed.outcome !== 'skipped' && observed.plan.fields).toEqual([
      { field: 'client_name', expected: 'MCP Inspector AWS CIMD Client', actual: 'Edited on the host' },
      { field: 'redirect_uris', expected: ['http://127.0.0.1/oauth/callback'], actual: ['https://callback.attacker.example/cb'] },
    ]);
    expect(readFileSync(file(), 'utf8')).toBe(edited);
    // Act: provisioning (or repair) publishes
    const restored = await publish();
    // Assess
    expect(restored).toMatchObject({ outcome: 'updated', plan: { reason: 'differs' } });
    expect(readFileSync(file(), 'utf8')).toBe(rendered().text);
    expect(readFileSync(`${file()}.previous`, 'utf8')).toBe(edited);
    expect((statSync(`${file()}.previous`).mode & 0o777).toString(8)).toBe('600');
    await expect(publish(desired, 'observe')).resolves.toMatchObject({ outcome: 'in-sync' });
  });

  it('a changed file mode is drift too, restored without touching the rollback copy', async () => {
    // Prepare
    const previous = readFileSync(`${file()}.previous`, 'utf8');
    chmodSync(file(), 0o600);
    // Act
    const result = await publish();
    // Assess
    expect(result).toMatchObject({ outcome: 'updated', plan: { reason: 'attributes', fields: [{ field: '(mode)', expected: '0644', actual: '0600' }] } });
    expect((statSync(file()).mode & 0o777).toString(8)).toBe('644');
    expect(readFileSync(`${file()}.previous`, 'utf8')).toBe(previous);
  });

  it('a document failing lint is refused with the rule id, and nothing is read or written', async () => {
    // Prepare: shape-valid, lint-invalid (the load step would refuse it too; the publisher refuses it whatever path it took)
    const raw = structuredClone(world.document);
    raw.cimd.document.token_endpoint_auth_method = 'client_secret_basic';
    raw.cimd.document.client_name = 'Would be published';
    const bad = validateDesiredStateShape(raw, 'bad');
    const before = readFileSync(file(), 'utf8');
    const from = world.ssm.calls.length;
    // Act / Assess
    await expect(publish(bad)).rejects.toMatchObject({ name: 'CimdDocumentRejectedError', rules: [{ ruleId: 'cimd-client-secret', path: 'cimd.document.token_endpoint_auth_method' }] });
    await expect(publish(bad)).rejects.toThrow(/\[cimd-client-secret\]/);
    expect(programsSince(from)).toEqual([]);
    expect(readFileSync(file(), 'utf8')).toBe(before);
  });

  it('a directory or a symbolic link where the document belongs is reported and never replaced', async () => {
    // Prepare
    const other = world.hostFile('/opt/cimd/public/oauth/someone-elses.json');
    writeFileSync(other, '{"owner":"someone else"}\n');
    rmSync(file());
    symlinkSync(other, file());
    try {
      // Act / Assess
      await expect(publish(desired, 'observe')).resolves.toMatchObject({ outcome: 'drifted', plan: { reason: 'conflict', fields: [{ actual: 'a symbolic link' }] } });
      await expect(publish()).rejects.toMatchObject({ name: 'CimdPublishFailedError', message: expect.stringMatching(/a symbolic link stands there; keygate replaces only regular files it wrote/) });
      expect(lstatSync(file()).isSymbolicLink()).toBe(true);
      expect(readFileSync(other, 'utf8')).toBe('{"owner":"someone else"}\n');
      rmSync(file());
      mkdirSync(file());
      await expect(publish()).rejects.toMatchObject({ name: 'CimdPublishFailedError', message: expect.stringMatching(/a directory stands there/) });
      expect(statSync(file()).isDirectory()).toBe(true);
    } finally {
      rmSync(file(), { recursive: true, force: true });
      rmSync(other);
    }
    // The next publish creates the file again.
    await expect(publish()).resolves.toMatchObject({ outcome: 'created' });
  });

  it('a symbolic link on the way (the parent directory) is named with the fix; nothing is read or written through it', async () => {
    // Prepare: the document's directory moved elsewhere, a link in its place, someone else's content behind it.
    const dir = dirname(file());
    const elsewhere = world.hostFile('/opt/cimd/elsewhere');
    renameSync(dir, elsewhere);
    symlinkSync(elsewhere, dir);
    writeFileSync(join(elsewhere, 'client-metadata.json'), '{"owner":"someone else"}\n');
    const before = readdirSync(elsewhere).map((f) => [f, readFileSync(join(elsewhere, f), 'utf8')]);
    try {
      // Act / Assess: drift detection reports the link and the fix, not the content behind it.
      const observed = await publish(desired, 'observe');
      expect(observed).toMatchObject({ outcome: 'drifted', plan: { reason: 'conflict', fields: [{ actual: expect.stringMatching(/^a symbolic link at \/opt\/cimd\/public\/oauth on the way to .*replace the link with a real directory, or point cimd\.publish\.host\.path at the real path/) }] } });
      expect(JSON.stringify(observed)).not.toContain('someone else');
      await expect(publish()).rejects.toMatchObject({ name: 'CimdPublishFailedError', message: expect.stringContaining('a symbolic link at /opt/cimd/public/oauth on the way to') });
      expect(readdirSync(elsewhere).map((f) => [f, readFileSync(join(elsewhere, f), 'utf8')])).toEqual(before);
    } finally {
      rmSync(dir);
      renameSync(elsewhere, dir);
    }
    // With the link gone, someone else's file stands at the path: never replaced, never copied, never quoted.
    await expect(publish()).rejects.toMatchObject({ name: 'CimdPublishFailedError', message: expect.stringMatching(/not a keygate CIMD document \(25 bytes, sha256 [0-9a-f]{64}\) stands there/) });
    expect(readFileSync(file(), 'utf8')).toBe('{"owner":"someone else"}\n');
    rmSync(file());
    await expect(publish()).resolves.toMatchObject({ outcome: 'created' });
  });

  it('a write the host refuses fails the command (exit 6) and names the path; the hand-edited file stays as it was', async () => {
    // Prepare: a hand edit to repair, and a directory where the rollback copy belongs
    const edited = readFileSync(file(), 'utf8').replace('MCP Inspector AWS CIMD Client', 'edited again');
    writeFileSync(file(), edited);
    rmSync(`${file()}.previous`, { force: true });
    mkdirSync(`${file()}.previous`);
    try {
      // Act / Assess
      await expect(publish()).rejects.toMatchObject({ name: 'CimdPublishFailedError', message: expect.stringContaining(`${PATH}.previous is a directory`) });
      const invocation = [...world.ssm.invocations.values()].at(-1)!;
      expect([invocation.status, invocation.responseCode]).toEqual(['Failed', 6]);
      expect(readFileSync(file(), 'utf8')).toBe(edited);
    } finally {
      rmSync(`${file()}.previous`, { recursive: true });
    }
    await expect(publish()).resolves.toMatchObject({ outcome: 'updated' });
  });

  it('skips a document without cimd.publish, and one without cimd (not published by keygate)', async () => {
    const from = world.ssm.calls.length;
    const raw = structuredClone(world.document);
    delete raw.cimd.publish;
    await expect(publish(validateDesiredStateShape(raw, 'no-publish'))).resolves.toEqual({ mode: 'publish', outcome: 'skipped', url: desired.cimd!.url, reason: expect.stringMatching(/cimd\.publish is absent/) });
    delete raw.cimd;
    await expect(publish(validateDesiredStateShape(raw, 'no-cimd'), 'observe')).resolves.toEqual({ mode: 'observe', outcome: 'skipped', reason: expect.stringMatching(/no cimd section/) });
    expect(programsSince(from)).toEqual([]);
  });
});
