import { gunzipSync } from 'node:zlib';
import type { RealmState } from '../../../emulators/keycloak/state';
import { commandDocumentFromTemplate } from '../../../emulators/ssm/template-document';
import { loadAsl } from '../../support/asl';
import type { MachineRun } from '../../support/local-machine';
import { DOCUMENT, SECRETS, startRealmHarness, type RealmHarness } from '../../support/realm-harness';

// End to end: the real reconcile-realm.asl.json with the real handlers and SDK clients, the SSM
// emulator running the template's Command document with bash, the real host executor, and the
// Keycloak admin stand-in. Scenarios run in order on one harness; the last test scans everything
// that left SSM and Keycloak for the secret values.

const MACHINE = 'reconcile-realm.asl.json';
let h: RealmHarness;
const runs: MachineRun[] = [];
const logLines: string[] = [];
let spies: jest.SpyInstance[] = [];
let runMachine: typeof import('../../support/local-machine').runMachine;

async function reconcile(input: Record<string, unknown> = {}, opts: Parameters<typeof runMachine>[2] = {}): Promise<MachineRun> {
  const run = await runMachine(MACHINE, { desiredState: h.desired, ...input }, opts);
  runs.push(run);
  return run;
}
const realm = (): RealmState => h.kc.realm('mcp-demo')!;
const sendCommands = () => h.ssm.calls.filter((c) => c.operation === 'SendCommand').length;
const scope = () => realm().clientScopes.find((s) => s.name === 'mcp:tools')!;
const profile = (name: string) => realm().profiles.find((p) => p.name === name);
const policy = (name: string) => realm().policies.find((p) => p.name === name);
const TEAM_PROFILE = { name: 'team-payments-profile', description: 'owned by another team', executors: [{ executor: 'secure-session', configuration: { clientSessionIdleTimeout: 7200 } }] };

beforeAll(async () => {
  h = await startRealmHarness();
  // The handlers (and with them the one logger) load with the runner, after this: they log everything.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  ({ runMachine } = await import('../../support/local-machine'));
  // Powertools writes INFO/DEBUG lines to stdout and WARN/ERROR lines to stderr: keep both.
  spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logLines.push(String(chunk));
      return true;
    }),
  );
});
afterAll(async () => {
  for (const spy of spies) spy.mockRestore();
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  await h.close();
});

describe('reconcile-realm', () => {
  it('converges an empty Keycloak in one apply (observe + apply: two SSM commands)', async () => {
    // Act
    const run = await reconcile();
    // Assess
    expect(run.error).toBeUndefined();
    expect(run.output).toMatchObject({ realm: 'mcp-demo', outcome: 'applied', changeCount: 11 });
    expect(sendCommands()).toBe(2);
    expect(realm().enabled).toBe(true);
    expect(realm().users.map((u) => [u.username, u.credentials[0]?.value === SECRETS.alice, u.credentials[0]?.temporary])).toEqual([['alice', true, false]]);
    expect(scope().attributes['include.in.token.scope']).toBe('true');
    expect(scope().protocolMappers).toEqual([expect.objectContaining({ name: 'aud-agentcore-gateway', protocolMapper: 'oidc-audience-mapper', config: expect.objectContaining({ 'included.custom.audience': 'mcp-gateway-demo', 'access.token.claim': 'true' }) })]);
    expect(realm().defaultOptionalScopes).toContain(scope().id);
    expect(realm().defaultDefaultScopes).not.toContain(scope().id);
    expect(policy('cimd-policy')).toMatchObject({ enabled: true, profiles: ['cimd-profile', 'oauth-2-1-for-public-client-no-dpop'] });
    expect(policy('oauth-2-1-public-client-policy')).toMatchObject({ enabled: true });
    const canary = realm().clients.find((c) => c.clientId === 'keygate-canary')!;
    expect(canary).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false, implicitFlowEnabled: false, directAccessGrantsEnabled: false, secret: SECRETS.canary });
    expect(canary.defaultClientScopes).toContain(scope().id);
    expect(canary.optionalClientScopes).not.toContain(scope().id);
    expect(JSON.parse(realm().attributes['keygate.owned']!)).toMatchObject({ realmCreated: true, users: [{ name: 'alice', id: realm().users[0]!.id }], clientScopes: [{ name: 'mcp:tools', id: scope().id }] });
  });

  it('a converged realm: zero writes, one SSM command, empty plan', async () => {
    const writes = h.kc.writes().length;
    const commands = sendCommands();
    const run = await reconcile();
    expect(run.output).toMatchObject({ outcome: 'converged', changeCount: 0, changes: [] });
    expect(h.kc.writes().length).toBe(writes);
    expect(sendCommands()).toBe(commands + 1);
  });

  it('injected drift: the report shows exactly those fields, apply restores them, the other team\'s profile survives byte for byte', async () => {
    // Prepare: five kinds of drift, one of them another team's profile
    scope().protocolMappers[0]!.config['included.custom.audience'] = 'someone-else';
    scope().attributes['include.in.token.scope'] = 'false';
    (profile('cimd-profile')!.executors[0].configuration['cimd-allow-permitted-domains'] as string[]).splice(0, 1);
    policy('oauth-2-1-public-client-policy')!.enabled = false;
    realm().profiles.push(structuredClone(TEAM_PROFILE));
    const writes = h.kc.writes().length;
    // Act 1: report only
    const report = await reconcile({ dryRun: true });
    // Assess 1
    expect(report.output.outcome).toBe('drift');
    expect(report.output.changes.map((c: { kind: string; name: string; diff: Array<{ field: string }> }) => [c.kind, c.name, c.diff.map((d) => d.field)])).toEqual([
      ['client-scope', 'mcp:tools', ['attributes.include.in.token.scope']],
      ['audience-mapper', 'mcp:tools/aud-agentcore-gateway', ['config.included.custom.audience']],
      ['client-profile', 'cimd-profile', ['executors[0].configuration.cimd-allow-permitted-domains']],
      ['client-policy', 'oauth-2-1-public-client-policy', ['enabled']],
    ]);
    expect(report.output.unmanaged.clientProfiles).toEqual(['team-payments-profile']);
    expect(h.kc.writes().length).toBe(writes);
    // Act 2: apply
    const repair = await reconcile();
    // Assess 2
    expect(repair.output).toMatchObject({ outcome: 'applied', changeCount: 4 });
    expect(scope().protocolMappers[0]!.config['included.custom.audience']).toBe('mcp-gateway-demo');
    expect(scope().attributes['include.in.token.scope']).toBe('true');
    expect(profile('cimd-profile')!.executors[0].configuration['cimd-allow-permitted-domains']).toEqual(['cimd.agentcore-keycloak-example.com', '127.0.0.1']);
    expect(policy('oauth-2-1-public-client-policy')!.enabled).toBe(true);
    expect(profile('team-payments-profile')).toEqual(TEAM_PROFILE);
    expect((await reconcile()).output.outcome).toBe('converged');
  });

  it('never deletes what it did not create: a CIMD client, another team\'s scope, user and realm settings stay; the owned canary goes when it leaves the document', async () => {
    const r = realm();
    r.enabled = false;
    r.attributes['team.setting'] = 'kept';
    r.webAuthnPolicyRpEntityName = 'team-rp'; // a partial realm PUT would reset it
    r.clients.push({ id: 'cimd-client-id', clientId: 'https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json', publicClient: true, defaultClientScopes: [], optionalClientScopes: [] });
    r.clientScopes.push({ id: 'team-scope-id', name: 'team:read', protocol: 'openid-connect', attributes: {}, protocolMappers: [] });
    r.users.push({ id: 'bob-id', username: 'bob', credentials: [] });
    const withoutCanary = h.desiredWith((raw) => void delete raw.keycloak.realm.canaryClient);
    const run = await runMachine(MACHINE, { desiredState: withoutCanary });
    runs.push(run);
    expect(run.output.summary).toEqual(['~ realm mcp-demo: enabled false → true', '- client keygate-canary (created by keygate, no longer in the document)', '~ ownership record keygate.owned: no longer client keygate-canary']);
    expect(realm()).toMatchObject({ enabled: true, webAuthnPolicyRpEntityName: 'team-rp', attributes: expect.objectContaining({ 'team.setting': 'kept' }) });
    expect(realm().clients.map((c) => c.clientId)).toEqual(expect.arrayContaining(['https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json', 'admin-cli']));
    expect(realm().clients.map((c) => c.clientId)).not.toContain('keygate-canary');
    expect(realm().clientScopes.map((s) => s.name)).toContain('team:read');
    expect(realm().users.map((u) => u.username)).toContain('bob');
    expect((await reconcile()).output).toMatchObject({ outcome: 'applied', summary: [expect.stringMatching(/^\+ client keygate-canary/), expect.stringMatching(/^~ ownership record/)] });
  });

  it('a user keygate created, deleted and made again by someone else under the same name, is no longer keygate\'s: kept in line while declared, never deleted', async () => {
    const owned = () => JSON.parse(realm().attributes['keygate.owned'] as string) as { users: Array<{ name: string; id: string | null }> };
    const keygates = realm().users.find((u) => u.username === 'alice')!;
    expect(owned().users).toEqual([{ name: 'alice', id: keygates.id }]);
    // Someone deletes keygate's alice; another admin creates an alice of their own.
    realm().users = realm().users.filter((u) => u !== keygates);
    realm().users.push({ id: 'someone-elses-alice', username: 'alice', email: 'alice@elsewhere.example', firstName: 'Alice', lastName: 'Other', enabled: true, emailVerified: true, credentials: [] });
    expect((await reconcile()).output).toMatchObject({ outcome: 'applied' });
    expect(owned().users).toEqual([]);
    expect(realm().users.find((u) => u.username === 'alice')).toMatchObject({ id: 'someone-elses-alice', email: 'alice@agentcore-keycloak-example.com' });
    // Leaving the document, it stays: it was never keygate's.
    const run = await runMachine(MACHINE, { desiredState: h.desiredWith((raw) => void (raw.keycloak.realm.users = [])) });
    runs.push(run);
    expect(run.error).toBeUndefined();
    expect(run.output.changes.filter((c: { action: string }) => c.action === 'delete')).toEqual([]);
    expect(realm().users.map((u) => u.id)).toContain('someone-elses-alice');
    // Back to keygate's own alice for the scenarios after this one.
    realm().users = realm().users.filter((u) => u.id !== 'someone-elses-alice');
    expect((await reconcile()).output).toMatchObject({ outcome: 'applied', summary: expect.arrayContaining([expect.stringMatching(/^\+ user alice/)]) });
    expect(owned().users).toEqual([{ name: 'alice', id: realm().users.find((u) => u.username === 'alice')!.id }]);
  });

  it('Keycloak down: a clear error naming the host and the admin URL; nothing changed', async () => {
    const writes = h.kc.writes().length;
    await h.kc.setDown(true);
    const run = await reconcile().finally(() => h.kc.setDown(false));
    expect(run.error!.name).toBe('KeycloakUnreachableError');
    expect(run.error!.cause).toMatch(new RegExp(`Keycloak's admin API at ${h.kc.url} on i-0123456789abcdef0 is unreachable \\(.*Connection refused.*\\); nothing was changed in realm mcp-demo`));
    expect(h.kc.writes().length).toBe(writes);
  });

  it('CIMD feature off: "start Keycloak with --features=cimd" and nothing is created, not even the realm', async () => {
    const saved = realm();
    h.kc.putRealm('mcp-demo', undefined);
    h.kc.setFeature('cimd', false);
    const writes = h.kc.writes().length;
    const run = await reconcile().finally(() => h.kc.setFeature('cimd', true));
    expect(run.error!.name).toBe('KeycloakFeatureDisabledError');
    expect(run.error!.cause).toMatch(/start Keycloak with --features=cimd\. Nothing was changed\./);
    expect(h.kc.writes().length).toBe(writes);
    expect(h.kc.realm('mcp-demo')).toBeUndefined();
    h.kc.putRealm('mcp-demo', saved);
  });

  it('a change Keycloak rejects stops the apply with the change and Keycloak\'s body; the next run resumes and converges', async () => {
    h.kc.putRealm('mcp-demo', undefined); // this scenario starts from an empty Keycloak
    h.kc.failNext('POST', '/protocol-mappers/models', { status: 400, body: { errorMessage: 'mapper refused for this test' } });
    const failed = await reconcile();
    expect(failed.error!.name).toBe('KeycloakChangeFailedError');
    expect(failed.error!.cause).toMatch(/Keycloak rejected "create audience-mapper mcp:tools\/aud-agentcore-gateway" with HTTP 400: \{"errorMessage":"mapper refused for this test"\} \(\d+ of \d+ writes applied before it; the next run observes the realm as it is and applies only what is still missing\)\. Fix: Keycloak refused what keygate sent/);
    // What was applied before the failure is recorded as keygate's, so a later run may clean it up.
    expect(JSON.parse(realm().attributes['keygate.owned']!).audienceMappers).toEqual([{ scope: 'mcp:tools', name: 'aud-agentcore-gateway', id: null }]);
    const resumed = await reconcile();
    expect(resumed.output.outcome).toBe('applied');
    expect(resumed.output.summary).not.toContain('+ realm mcp-demo (enabled)');
    expect(resumed.output.summary).toContain('+ audience mapper aud-agentcore-gateway on client scope mcp:tools: aud "mcp-gateway-demo" in access token, introspection');
    expect(JSON.parse(realm().attributes['keygate.owned']!).audienceMappers[0].id).toBe(scope().protocolMappers[0]!.id);
    expect((await reconcile()).output.outcome).toBe('converged');
  });

  it('output over 24,000 characters is read in full from the output bucket, and never parsed truncated', async () => {
    for (let i = 0; i < 700; i++) realm().profiles.push({ name: `team-${String(i).padStart(4, '0')}-${'x'.repeat(30)}`, executors: [] });
    const s3Reads = () => h.s3.calls.filter((c) => c.method === 'GET').length;
    const before = s3Reads();
    const run = await reconcile();
    expect(run.output).toMatchObject({ outcome: 'converged' });
    expect(run.output.unmanaged.clientProfiles).toHaveLength(700);
    expect(s3Reads()).toBeGreaterThan(before);
    // S3 SlowDown on that read past the SDK's three attempts: the await step retries it (the command has ended).
    h.s3.failNext({ code: 'SlowDown', method: 'GET', times: 3 });
    const slowed = await reconcile();
    expect(slowed.output).toMatchObject({ outcome: 'converged' });
    const retried = slowed.events.flatMap((e, i, all) => (e.type === 'StateRetried' && all[i - 1]?.type === 'StateFailed' && all[i - 1]!.Error !== 'SsmCommandPendingError' ? [`${e.state?.name}: ${all[i - 1]!.Error}`] : []));
    expect(retried).toEqual(['Await Observe Command: SlowDown']);
    // A lasting S3 error (a policy that denies the read): the step fails naming the S3 error, the object and the fix.
    h.s3.failNext({ code: 'AccessDenied', method: 'GET', times: 3 });
    const denied = await reconcile();
    expect(denied.error!.name).toBe('SsmCommandOutputError');
    expect(denied.error!.cause).toMatch(/reading the full copy from s3:\/\/keygate-command-output-test\/keygate-host\/[0-9a-f-]+\/i-0123456789abcdef0\/awsrunShellScript\/keygateHostProgram\/stdout failed: S3 AccessDenied \(Access Denied\)\. Fix: the functions that read command output need s3:GetObject/);
    // Without an output bucket the full output is nowhere: the step fails instead of reading a cut JSON.
    process.env.COMMAND_OUTPUT_BUCKET = '';
    const cut = await reconcile().finally(() => {
      process.env.COMMAND_OUTPUT_BUCKET = 'keygate-command-output-test';
    });
    expect(cut.error!.name).toBe('SsmCommandOutputError');
    expect(cut.error!.cause).toMatch(/over 24,000 characters and was not found in the output bucket/);
    realm().profiles = realm().profiles.filter((p) => !p.name.startsWith('team-0'));
  });

  it('an offline instance: SsmInstanceUnavailableError naming the instance', async () => {
    h.ssm.setInstance('i-0123456789abcdef0', { online: false });
    const run = await reconcile().finally(() => h.ssm.setInstance('i-0123456789abcdef0', { online: true }));
    expect(run.error!.name).toBe('SsmInstanceUnavailableError');
    expect(run.error!.cause).toMatch(/^instance i-0123456789abcdef0 cannot receive SSM commands: it is unknown, offline, or not managed by SSM/);
  });

  it('an executor that is not the pinned one is refused on the host: Failed with its exit code and stderr', async () => {
    const document = commandDocumentFromTemplate();
    document.mainSteps[0]!.inputs.runCommand = document.mainSteps[0]!.inputs.runCommand.map((l) => l.replace(/^expected=[0-9a-f]{64}$/, `expected=${'0'.repeat(64)}`));
    h.ssm.setDocument(DOCUMENT, document);
    const run = await reconcile().finally(() => h.ssm.setDocument(DOCUMENT, commandDocumentFromTemplate()));
    expect(run.error!.name).toBe('SsmCommandFailedError');
    expect(run.error!.cause).toMatch(/ended Failed \(Failed\), exit code 65: keygate: executor SHA-256 [0-9a-f]{64} is not the pinned 0{64}; refusing to run it/);
  });

  it('throttled SendCommand calls are retried by the state machine', async () => {
    h.ssm.throttle('SendCommand', 3); // the SDK's three attempts all fail, the state's Retry succeeds
    const run = await reconcile();
    expect(run.output.outcome).toBe('converged');
    expect(run.events.filter((e) => e.type === 'StateRetried').map((e) => e.state?.name)).toContain('Send Observe Command');
  });

  it('waits are bounded: a command the agent never starts fails the execution when the budget is spent', async () => {
    h.ssm.setInstance('i-0123456789abcdef0', { stalled: 'pending' });
    const run = await reconcile({}, { retryIntervalMs: 1 }).finally(() => h.ssm.setInstance('i-0123456789abcdef0', { stalled: false }));
    expect(run.error!.name).toBe('SsmCommandPendingError');
    // Every poll the Retry allows (wait-budget.test.ts: their sum outlasts a command's delivery and execution).
    const polls = (loadAsl('reconcile-realm.asl.json').States['Await Observe Command']!.Retry as Array<{ ErrorEquals: string[]; MaxAttempts: number }>).find((r) => r.ErrorEquals.includes('SsmCommandPendingError'))!.MaxAttempts;
    expect(polls).toBe(56);
    expect(run.events.filter((e) => e.type === 'StateRetried' && e.state?.name === 'Await Observe Command')).toHaveLength(polls);
  });

  it('no secret value appears in any SendCommand parameter, log line, state input or output, command output or S3 object', async () => {
    await h.ssm.settle();
    const sent = h.ssm.calls.filter((c) => c.operation === 'SendCommand');
    expect(sent.length).toBeGreaterThan(10);
    const decoded = sent.flatMap((c) => [
      gunzipSync(Buffer.from(c.input.Parameters.executor[0], 'base64')).toString('utf8'),
      gunzipSync(Buffer.from(c.input.Parameters.program[0], 'base64')).toString('utf8'),
    ]);
    const outputs = [...h.ssm.invocations.values()].flatMap((i) => [i.stdout, i.stderr]);
    const objects = h.s3.listKeys('keygate-command-output-test').map((k) => h.s3.getObject('keygate-command-output-test', k)!.body.toString('utf8'));
    const haystack = [JSON.stringify(sent), ...decoded, ...logLines, JSON.stringify(runs.map((r) => r.events)), ...outputs, ...objects].join('\n');
    expect(logLines.length).toBeGreaterThan(20);
    expect(logLines.some((l) => l.includes('"level":"WARN"') && l.includes('KeycloakChangeFailedError'))).toBe(true);
    expect(decoded.join('')).toContain('"$secret":"/keygate/mcp-keycloak-agentcore/users/alice"');
    for (const secret of Object.values(SECRETS)) expect(haystack).not.toContain(secret);
    // Only the host read the secrets, with the AWS CLI; the functions never asked for them.
    const secretNames = [h.desired.keycloak.admin.passwordParameter, h.desired.keycloak.realm.users[0]!.passwordParameter, h.desired.keycloak.realm.canaryClient!.secretParameter];
    const reads = h.ssm.parameterReads.filter((r) => secretNames.includes(r.name));
    expect(reads.length).toBeGreaterThan(0);
    expect([...new Set(reads.map((r) => r.userAgent))]).toEqual(['aws-cli/2 (keygate emulator host)']);
  });
});
