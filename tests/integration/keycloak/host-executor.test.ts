import { readFileSync } from 'node:fs';
import type { HostOperation, HostProgram } from '../../../functions/core/host/program';
import { HOST_EXIT } from '../../../functions/core/host/program';
import { start as startKeycloak, type KeycloakStandIn } from '../../../emulators/keycloak';
import { start as startSsm, type SsmEmulator } from '../../../emulators/ssm';
import { runExecutor } from '../../support/host-executor';
import { fromRoot } from '../../support/paths';

// The host executor (functions/host/executor.py) run for real with python3 against the Keycloak
// admin stand-in; its `aws ssm get-parameter` reads the SSM emulator's SecureStrings.

const ADMIN_PASSWORD = 'exec-admin-pw-9f2c';
const CLIENT_SECRET = 'exec-client-secret-71ab';
let kc: KeycloakStandIn;
let ssm: SsmEmulator;

beforeAll(async () => {
  kc = await startKeycloak({ admin: { username: 'admin', password: ADMIN_PASSWORD } });
  ssm = await startSsm({
    parameters: [
      { name: '/kg/admin', value: ADMIN_PASSWORD, type: 'SecureString' },
      { name: '/kg/client', value: CLIENT_SECRET, type: 'SecureString' },
      { name: '/kg/wrong', value: 'not-the-password', type: 'SecureString' },
    ],
  });
});
afterAll(async () => {
  await kc.close();
  await ssm.close();
});

const program = (ops: HostOperation[], admin: Partial<HostProgram['admin']> = {}): HostProgram => ({
  version: 1,
  admin: { url: kc.url, realm: 'master', username: 'admin', passwordParameter: '/kg/admin', ...admin },
  region: 'eu-central-1',
  ops,
});
const realm = (name: string) => ['admin', 'realms', name];

describe('host executor operations', () => {
  it('get: a missing object is null; select, pick and bind keep the output compact', async () => {
    kc.createRealm('exec-get');
    const run = await runExecutor(
      program([
        { op: 'get', id: 'missing', path: realm('nope'), absent: [404] },
        { op: 'get', id: 'scopes', path: [...realm('exec-get'), 'client-scopes'], select: { field: 'name', in: ['profile'] }, pick: [['id'], ['name']], bind: { var: 'profileScope', field: 'id' } },
        { op: 'get', id: 'profileScope', path: [...realm('exec-get'), 'client-scopes', { $var: 'profileScope' }], pick: [['name']] },
        { op: 'get', id: 'skipped', path: [...realm('exec-get'), 'clients', { $var: 'never-bound' }], absent: [404] },
      ]),
      ssm,
    );
    expect(run.code).toBe(HOST_EXIT.ok);
    expect(run.result).toMatchObject({ ok: true, done: 4 });
    const results = (run.result as { results: Record<string, any> }).results;
    expect(results.missing).toBeNull();
    expect(results.scopes.items).toEqual([{ id: expect.any(String), name: 'profile' }]);
    expect(results.scopes.others).toEqual(expect.arrayContaining(['email', 'roles', 'offline_access']));
    expect(results.profileScope).toEqual({ name: 'profile' });
    expect(results.skipped).toBeNull();
  });

  it('send: binds the id from the Location header and resolves secrets on the host, scrubbing them from the output', async () => {
    kc.createRealm('exec-send');
    const run = await runExecutor(
      program([
        { op: 'send', label: 'create client c1', method: 'POST', path: [...realm('exec-send'), 'clients'], body: { clientId: 'c1', publicClient: false, secret: { $secret: '/kg/client' } }, bind: 'client:c1' },
        // A full client read returns its secret, as Keycloak does for admins: the output must not carry it.
        { op: 'get', id: 'client', path: [...realm('exec-send'), 'clients', { $var: 'client:c1' }] },
      ]),
      ssm,
    );
    expect(run.code).toBe(0);
    expect(kc.realm('exec-send')!.clients.find((c) => c.clientId === 'c1')!.secret).toBe(CLIENT_SECRET);
    expect(run.stdout).not.toContain(CLIENT_SECRET);
    expect(run.stdout).not.toContain(ADMIN_PASSWORD);
    expect((run.result as { results: Record<string, any> }).results.client.secret).toBe('***');
    expect(run.stderr).toBe('keygate: 1/2 create client c1\n');
  });

  it('merge-list keeps every other entry exactly as stored (numbers included) and never sends the built-ins back', async () => {
    const r = kc.createRealm('exec-merge');
    // Another team's profile, as keycloak-config-cli's real fixture stores it (JSON numbers in its configuration).
    const foreign = JSON.parse(readFileSync(fromRoot('tests', 'fixtures', 'keycloak', 'kcc-01_create_realm_with_client_policies.json'), 'utf8')).clientProfiles.profiles[0];
    r.profiles = [structuredClone(foreign), { name: 'old', executors: [] }];
    const run = await runExecutor(
      program([
        {
          op: 'merge-list',
          label: 'profiles',
          path: [...realm('exec-merge'), 'client-policies', 'profiles'],
          key: 'profiles',
          upsert: [{ name: 'mine', executors: [{ executor: 'pkce-enforcer', configuration: { 'auto-configure': 'true' } }] }],
          remove: ['old'],
        },
      ]),
      ssm,
    );
    expect(run.code).toBe(0);
    expect(kc.realm('exec-merge')!.profiles).toEqual([foreign, { name: 'mine', executors: [{ executor: 'pkce-enforcer', configuration: { 'auto-configure': 'true' } }] }]);
    expect(JSON.stringify(kc.realm('exec-merge')!.profiles)).toContain('"clientSessionIdleTimeout":7200');
  });

  it('merge-object writes the whole resource back with its keys set: nothing a partial realm PUT would reset is lost', async () => {
    const r = kc.createRealm('exec-map');
    r.attributes = { 'team.setting': 'x' };
    r.webAuthnPolicyRpEntityName = 'team-rp';
    const run = await runExecutor(program([{ op: 'merge-object', label: 'record', path: realm('exec-map'), key: 'attributes', set: { 'keygate.owned': { $json: { v: 1, users: [] } } }, drop: ['clientPolicies'] }]), ssm);
    expect(run.code).toBe(0);
    expect(kc.realm('exec-map')!.attributes).toEqual({ 'team.setting': 'x', 'keygate.owned': '{"v":1,"users":[]}' });
    expect(kc.realm('exec-map')!.webAuthnPolicyRpEntityName).toBe('team-rp');
  });

  it('logs in again once when the admin token has expired (master admin tokens live 60 s)', async () => {
    kc.createRealm('exec-401');
    kc.failNext('GET', '/admin/realms/exec-401', { status: 401, body: { error: 'HTTP 401 Unauthorized' } });
    const before = kc.callLog.filter((c) => c.path.endsWith('/token')).length;
    const run = await runExecutor(program([{ op: 'get', id: 'r', path: realm('exec-401'), pick: [['realm']] }]), ssm);
    expect(run.result).toMatchObject({ ok: true, results: { r: { realm: 'exec-401' } } });
    expect(kc.callLog.filter((c) => c.path.endsWith('/token')).length - before).toBe(2);
  });
});

describe('host executor failures: one framed result, a distinct exit code, nothing after the failure', () => {
  it('stops at a Keycloak rejection with the change, the status and Keycloak\'s body', async () => {
    kc.createRealm('exec-fail');
    const run = await runExecutor(
      program([
        { op: 'send', label: 'create client-scope a', method: 'POST', path: [...realm('exec-fail'), 'client-scopes'], body: { name: 'a', protocol: 'openid-connect' } },
        { op: 'send', label: 'create client-scope a again', method: 'POST', path: [...realm('exec-fail'), 'client-scopes'], body: { name: 'a', protocol: 'openid-connect' } },
        { op: 'send', label: 'never sent', method: 'POST', path: [...realm('exec-fail'), 'client-scopes'], body: { name: 'b', protocol: 'openid-connect' } },
      ]),
      ssm,
    );
    expect(run.code).toBe(HOST_EXIT.rejected);
    expect(run.result).toEqual({ ok: false, done: 1, applied: 1, writes: 3, error: { kind: 'rejected', message: 'create client-scope a again: HTTP 409', label: 'create client-scope a again', status: 409, body: '{"errorMessage":"Client Scope a already exists"}', index: 1 } });
    expect(kc.realm('exec-fail')!.clientScopes.some((s) => s.name === 'b')).toBe(false);
  });

  it.each([
    ['drop-after-apply', 'landed', { landed: 'maybe' }],
    ['drop', 'not applied, but the executor cannot know', { landed: 'maybe' }],
  ] as const)('a connection that drops on a write (%s: %s) says how many writes completed and that this one was sent with no answer', async (fault, _, extra) => {
    kc.createRealm(`exec-${fault}`);
    kc.failWrite(2, fault);
    const run = await runExecutor(
      program([
        { op: 'send', label: 'create client-scope a', method: 'POST', path: [...realm(`exec-${fault}`), 'client-scopes'], body: { name: 'a', protocol: 'openid-connect' } },
        { op: 'send', label: 'create client-scope b', method: 'POST', path: [...realm(`exec-${fault}`), 'client-scopes'], body: { name: 'b', protocol: 'openid-connect' } },
        { op: 'send', label: 'create client-scope c', method: 'POST', path: [...realm(`exec-${fault}`), 'client-scopes'], body: { name: 'c', protocol: 'openid-connect' } },
      ]),
      ssm,
    );
    expect(run.code).toBe(HOST_EXIT.unreachable);
    expect(run.result).toMatchObject({ ok: false, done: 1, applied: 1, writes: 3, error: { kind: 'unreachable', label: 'create client-scope b', index: 1, message: expect.stringContaining('(sent, no answer)'), ...extra } });
    expect(kc.realm(`exec-${fault}`)!.clientScopes.some((s) => s.name === 'b')).toBe(fault === 'drop-after-apply');
  });

  it('a refused connection: nothing was sent, so nothing may have landed', async () => {
    const run = await runExecutor({ ...program([{ op: 'send', label: 'create client-scope a', method: 'POST', path: [...realm('exec-down'), 'client-scopes'], body: { name: 'a', protocol: 'openid-connect' } }]), admin: { url: 'http://127.0.0.1:9', realm: 'master', username: 'admin', passwordParameter: '/kg/admin' } }, ssm);
    expect(run.result).toMatchObject({ ok: false, applied: 0, writes: 1, error: { kind: 'unreachable' } });
    expect((run.result as unknown as { error: Record<string, unknown> }).error).not.toHaveProperty('landed');
  });

  it.each([
    ['a wrong admin password', { passwordParameter: '/kg/wrong' }, HOST_EXIT.credentials, 'login', /admin login as admin \(realm master\) failed: HTTP 400 \{"error":"invalid_grant"/],
    ['a missing secret parameter', { passwordParameter: '/kg/none' }, HOST_EXIT.credentials, 'secret', /cannot read SSM parameter \/kg\/none: .*ParameterNotFound/],
    ['Keycloak not listening', { url: 'http://127.0.0.1:9' }, HOST_EXIT.unreachable, 'unreachable', /Connection refused/],
  ])('%s', async (_what, admin, code, kind, message) => {
    const run = await runExecutor(program([{ op: 'get', id: 'r', path: realm('master') }], admin), ssm);
    expect(run.code).toBe(code);
    expect(run.result).toMatchObject({ ok: false, done: 0, error: { kind, message: expect.stringMatching(message) } });
    expect(run.stdout + run.stderr).not.toContain(ADMIN_PASSWORD);
  });

  it('refuses an unknown operation kind before doing anything after it', async () => {
    const run = await runExecutor(program([{ op: 'shell', cmd: 'rm -rf /' } as never]), ssm);
    expect(run.code).toBe(HOST_EXIT.program);
    expect(run.result).toMatchObject({ ok: false, error: { kind: 'program', message: "operation 0: unknown kind 'shell'" } });
  });

  it('needs no admin connection for a program that does not call Keycloak (other operation kinds)', async () => {
    const calls = kc.callLog.length;
    const run = await runExecutor({ version: 1, region: 'eu-central-1', ops: [] }, ssm);
    expect(run.result).toEqual({ ok: true, done: 0, results: {} });
    expect(kc.callLog.length).toBe(calls); // not even a login
  });

  it('frames its output: header with SHA-256 and length, then one JSON line', async () => {
    const run = await runExecutor(program([]), ssm);
    expect(run.stdout).toMatch(/^keygate-result sha256=[0-9a-f]{64} length=\d+\n\{"ok":true,"done":0,"results":\{\}\}\n$/);
  });
});
