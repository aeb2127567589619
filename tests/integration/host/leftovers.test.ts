import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostCommandParameters, parseFramedResult } from '../../../functions/adapters/host/host-runner';
import { cimdObserveOps, cimdPublishOps } from '../../../functions/core/cimd/host-program';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import type { HostLeftover, HostOperation, HostResult } from '../../../functions/core/host/program';
import { start as startSsm, type HostFault, type SsmEmulator } from '../../../emulators/ssm';
import { commandDocumentFromTemplate } from '../../../emulators/ssm/template-document';
import { FAKE_CREDENTIALS } from '../../support/capture-http';

// Nothing keygate leaves on the Keycloak host outlives a later command: the template's Command
// document runs the real executor through the SSM emulator, and a fault kills it at a named point
// (emulators/ssm/host-fault.py), never at a time. "Older than the command timeout" is made true by
// moving a leftover's time stamps back, as the clock would.

const INSTANCE = 'i-0123456789abcdef0';
const DOCUMENT = 'keygate-test-KeycloakCommandDocument';
const DIRECTORY = '/srv/www';
const PATH = '/srv/www/oauth/client-metadata.json';
const URL = 'https://cimd.example.com/oauth/client-metadata.json';
const STALE_SECONDS = 11 * 60;

let ssm: SsmEmulator;
let client: SSMClient;
let root: string;
const onHost = (path: string) => join(root, path);
const staging = () => onHost('/srv/www/oauth/.keygate-staging');
const workDirs = () => readdirSync(ssm.hostTmp).filter((n) => n.startsWith('keygate-host.'));
const doc = (name: string) => renderCimdDocument({ url: URL, document: { client_name: name } });

/** Ages a file or directory on the host past the stale age, as the clock would. */
function age(path: string, seconds = STALE_SECONDS) {
  const then = Date.now() / 1000 - seconds;
  utimesSync(path, then, then);
}

/** Sends a program with the keygate Command document and waits for the command to end. */
async function command(ops: HostOperation[], extra: { leftovers?: 'remove' | 'report' } = {}) {
  const out = await client.send(new SendCommandCommand({ DocumentName: DOCUMENT, InstanceIds: [INSTANCE], Parameters: hostCommandParameters({ version: 1, region: 'eu-central-1', ops, ...extra }) }));
  await ssm.settle();
  const invocation = ssm.invocations.get(out.Command!.CommandId!)!;
  return { invocation, result: parseFramedResult(invocation.stdout) as HostResult | undefined };
}

async function killedPublish(fault: Omit<HostFault, 'action' | 'command'> & { action?: HostFault['action'] }) {
  ssm.injectHostFault({ action: 'kill-group', command: 'publish', ...fault });
  const run = await command(cimdPublishOps({ path: PATH, mode: '0644' }, doc('new')));
  expect(ssm.hostFaultFired()).toMatchObject({ at: fault.at });
  ssm.clearHostFault();
  return run;
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'kg-leftovers-'));
  mkdirSync(onHost('/srv/www/oauth'), { recursive: true });
  mkdirSync(onHost('/tmp'), { mode: 0o1777 });
  ssm = await startSsm({
    documents: { [DOCUMENT]: commandDocumentFromTemplate('KeycloakCommandDocument', undefined, { CimdPublishDirectory: DIRECTORY }) },
    instances: { [INSTANCE]: { online: true } },
    timing: { secondMs: 10, invisibleMs: 5, pendingMs: 5, scriptSecondMs: 1000 },
    hostEnv: { KEYGATE_HOST_ROOT: root, TMPDIR: onHost('/tmp') },
  });
  client = new SSMClient({ endpoint: ssm.endpoint, region: 'eu-central-1', credentials: FAKE_CREDENTIALS });
});
afterEach(async () => {
  client.destroy();
  await ssm.close();
  rmSync(root, { recursive: true, force: true });
});

describe('a command killed with its process group (SIGKILL: timeoutSeconds, a group kill) between the write and the rename', () => {
  it('leaves the old document served, the temporary file unreadable to the web server, and bash\'s work directory', async () => {
    // Prepare
    writeFileSync(onHost(PATH), doc('old').text, { mode: 0o644 });
    // Act
    const { invocation, result } = await killedPublish({ at: 'rename', nth: 2 }); // the first rename is the rollback copy's
    // Assess: killed (no framed result, no exit code), the target untouched.
    expect({ status: invocation.status, code: invocation.responseCode, result }).toEqual({ status: 'Failed', code: -1, result: undefined });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(doc('old').text);
    // The complete temporary file (mode 0644 already) sits in a 0700 directory of keygate's own, never beside the target.
    expect(readdirSync(onHost('/srv/www/oauth')).sort()).toEqual(['.keygate-staging', 'client-metadata.json', 'client-metadata.json.previous']);
    expect(statSync(staging()).mode & 0o777).toBe(0o700);
    const [tmp] = readdirSync(staging());
    expect(tmp).toMatch(/^client-metadata\.json\.[0-9a-f]{12}\.keygate-tmp$/);
    expect(readFileSync(join(staging(), tmp!), 'utf8')).toBe(doc('new').text);
    // bash died with the executor: its EXIT trap never ran.
    expect(workDirs()).toHaveLength(1);
  });

  it('the same when SSM ends the command at its timeoutSeconds (TimedOut, ExecutionTimedOut) while it stands at the rename', async () => {
    // Prepare: the executor holds at the rename; the emulator then ends the command as SSM does at timeoutSeconds.
    ssm.injectHostFault({ at: 'rename', command: 'publish', action: 'hold', end: 'TimedOut' });
    // Act
    const { invocation } = await command(cimdPublishOps({ path: PATH, mode: '0644' }, doc('new')));
    // Assess
    expect({ status: invocation.status, details: invocation.statusDetails }).toEqual({ status: 'TimedOut', details: 'ExecutionTimedOut' });
    expect(existsSync(onHost(PATH))).toBe(false);
    expect([workDirs().length, readdirSync(staging()).length]).toEqual([1, 1]);
  });

  it('a later command leaves a young leftover alone (it may be a running command\'s) and removes it once stale', async () => {
    // Prepare
    writeFileSync(onHost(PATH), doc('old').text, { mode: 0o644 });
    await killedPublish({ at: 'rename', nth: 2 });
    const [work] = workDirs();
    const [tmp] = readdirSync(staging());
    // Act 1: right away
    const young = await command(cimdObserveOps({ path: PATH, mode: '0644' }, 'x', URL));
    // Assess 1
    expect(young.result).toMatchObject({ ok: true });
    expect(young.result).not.toHaveProperty('leftovers');
    expect(workDirs()).toEqual([work]);
    expect(readdirSync(staging())).toEqual([tmp]);
    // Act 2: older than the Command document's timeout (600 s) plus a minute
    age(join(ssm.hostTmp, work!));
    age(join(staging(), tmp!));
    age(staging());
    const stale = await command(cimdObserveOps({ path: PATH, mode: '0644' }, 'x', URL));
    // Assess 2: both removed and reported (path, kind, age; never content); nothing of keygate's left.
    expect(stale.result).toMatchObject({
      ok: true,
      leftovers: [
        { path: join(ssm.hostTmp, work!), kind: 'work directory', ageSeconds: expect.any(Number), removed: true },
        { path: `/srv/www/oauth/.keygate-staging/${tmp}`, kind: 'temporary file', bytes: doc('new').bytes, ageSeconds: expect.any(Number), removed: true },
      ],
    });
    expect((stale.result!.leftovers as HostLeftover[])[0]!.ageSeconds).toBeGreaterThanOrEqual(STALE_SECONDS - 5);
    expect(stale.invocation.stdout).not.toContain('new'); // the temporary file's content never leaves the host
    expect(workDirs()).toEqual([]);
    expect(readdirSync(onHost('/srv/www/oauth')).sort()).toEqual(['client-metadata.json', 'client-metadata.json.previous']);
    expect(stale.invocation.stderr).toContain('keygate: removed 2 leftovers of earlier commands');
  });

  it('with "leftovers": "report" (a drift report) they are listed and stay', async () => {
    await killedPublish({ at: 'rename' });
    for (const name of workDirs()) age(join(ssm.hostTmp, name));
    for (const name of readdirSync(staging())) age(join(staging(), name));
    const report = await command(cimdObserveOps({ path: PATH, mode: '0644' }, 'x', URL), { leftovers: 'report' });
    expect(report.result).toMatchObject({ ok: true, leftovers: [{ kind: 'work directory', removed: false }, { kind: 'temporary file', removed: false }] });
    expect(workDirs()).toHaveLength(1);
    expect(readdirSync(staging())).toHaveLength(1);
  });

  it('the next publish after the kill converges: the document is written, the stale leftovers go', async () => {
    writeFileSync(onHost(PATH), doc('old').text, { mode: 0o644 });
    await killedPublish({ at: 'rename', nth: 2 });
    for (const name of workDirs()) age(join(ssm.hostTmp, name));
    for (const name of readdirSync(staging())) age(join(staging(), name));
    const { result } = await command(cimdPublishOps({ path: PATH, mode: '0644' }, doc('new')));
    expect(result).toMatchObject({ ok: true, leftovers: [{ removed: true }, { removed: true }] });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(doc('new').text);
    expect(statSync(onHost(PATH)).mode & 0o777).toBe(0o644);
    expect(readdirSync(onHost('/srv/www/oauth')).sort()).toEqual(['client-metadata.json', 'client-metadata.json.previous']);
    expect(workDirs()).toEqual([]);
  });
});

describe('what is cleaned is recognisably keygate\'s', () => {
  it('a temporary file of an executor before the staging directory (.<name>.<hex>.keygate-tmp beside the target) is removed once stale', async () => {
    const old = onHost('/srv/www/oauth/.client-metadata.json.0123456789ab.keygate-tmp');
    writeFileSync(old, doc('half').text, { mode: 0o644 });
    age(old);
    const { result } = await command(cimdObserveOps({ path: PATH, mode: '0644' }, 'x', URL));
    expect(result).toMatchObject({ ok: true, leftovers: [{ path: '/srv/www/oauth/.client-metadata.json.0123456789ab.keygate-tmp', kind: 'temporary file', removed: true }] });
    expect(existsSync(old)).toBe(false);
  });

  it('leaves alone what only looks like it: other names, other owners, links, extra content, other targets', async () => {
    // Prepare: each would be removed if the sweep trusted names alone.
    const keep = {
      otherTarget: onHost('/srv/www/oauth/.index.html.0123456789ab.keygate-tmp'),
      otherOwner: onHost('/srv/www/oauth/.client-metadata.json.aaaaaaaaaaaa.keygate-tmp'),
      hardLinked: onHost('/srv/www/oauth/.client-metadata.json.bbbbbbbbbbbb.keygate-tmp'),
      symlink: onHost('/srv/www/oauth/.client-metadata.json.cccccccccccc.keygate-tmp'),
      workWithMore: onHost('/tmp/keygate-host.AAAAAAAAAA'),
      workLink: onHost('/tmp/keygate-host.BBBBBBBBBB'),
      workOpen: onHost('/tmp/keygate-host.CCCCCCCCCC'),
      notWork: onHost('/tmp/keygate-host.short'),
    };
    writeFileSync(keep.otherTarget, 'x');
    writeFileSync(keep.otherOwner, 'x');
    chownSync(keep.otherOwner, 65534, 65534);
    writeFileSync(onHost('/srv/www/oauth/index.html'), 'x');
    linkSync(onHost('/srv/www/oauth/index.html'), keep.hardLinked);
    symlinkSync('/etc/hostname', keep.symlink);
    mkdirSync(keep.workWithMore, { mode: 0o700 });
    writeFileSync(join(keep.workWithMore, 'executor.py'), 'x');
    writeFileSync(join(keep.workWithMore, 'notes.txt'), 'someone else\'s');
    symlinkSync(onHost('/srv'), keep.workLink);
    mkdirSync(keep.workOpen, { mode: 0o755 });
    mkdirSync(keep.notWork, { mode: 0o700 });
    for (const path of Object.values(keep)) if (!lstatSync(path).isSymbolicLink()) age(path);
    // Act
    const { result } = await command([...cimdObserveOps({ path: PATH, mode: '0644' }, 'x', URL)]);
    // Assess
    expect(result).toMatchObject({ ok: true });
    expect(result).not.toHaveProperty('leftovers');
    for (const path of Object.values(keep)) expect([path, lstatSync(path, { throwIfNoEntry: false }) !== undefined]).toEqual([path, true]);
  });

  it('a run of the executor outside a Command document work directory (a test, by hand) never touches the temporary directory', async () => {
    const work = onHost('/tmp/keygate-host.DDDDDDDDDD');
    mkdirSync(work, { mode: 0o700 });
    age(work);
    // Act: the executor straight from another directory, not through SSM (tests/support/host-executor.ts runs it so).
    const { runExecutor } = await import('../../support/host-executor');
    const run = await runExecutor({ version: 1, region: 'eu-central-1', ops: cimdObserveOps({ path: PATH, mode: '0644' }, 'x', URL) }, ssm, { env: { KEYGATE_HOST_ROOT: root, TMPDIR: onHost('/tmp') }, publishDirectory: DIRECTORY });
    expect(run.result).toMatchObject({ ok: true });
    expect(existsSync(work)).toBe(true);
  });

  it('a staging directory that is not keygate\'s (open to others) is refused, naming it and the fix, and nothing is written', async () => {
    mkdirSync(staging(), { mode: 0o755 });
    writeFileSync(onHost(PATH), doc('old').text, { mode: 0o644 });
    const { result } = await command(cimdPublishOps({ path: PATH, mode: '0644' }, doc('new')));
    expect(result).toMatchObject({ ok: false, error: { kind: 'file', message: expect.stringMatching(/^\/srv\/www\/oauth\/\.keygate-staging is not keygate's staging directory \(owner uid \d+, mode 0755; keygate makes it 0700 as uid \d+\): remove it, keygate makes it again$/) } });
    expect(readFileSync(onHost(PATH), 'utf8')).toBe(doc('old').text);
  });
});
