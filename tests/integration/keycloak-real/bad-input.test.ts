import { gunzipSync } from 'node:zlib';
import type { MachineRun } from '../../support/local-machine';
import { realKeycloak, type RealKeycloak } from '../../support/real-keycloak';
import { startRealRealmHarness, type RealRealmHarness } from '../../support/realm-harness';

// What goes wrong on a real Keycloak 26.7.3, through the real path: Keycloak down, a wrong admin
// password, a realm another team already uses (their user holds the email keygate's user needs), and a
// 400 in the middle of an apply (their password policy). Each ends with an error naming the object and
// Keycloak's own message, changes nothing it should not, leaves nothing the next run cannot converge,
// and shows no secret anywhere.

const MACHINE = 'reconcile-realm.asl.json';
let kc: RealKeycloak;
let h: RealRealmHarness;
const runs: MachineRun[] = [];
let runMachine: typeof import('../../support/local-machine').runMachine;

const base = () => `/admin/realms/${h.realm}`;
const reconcile = async (): Promise<MachineRun> => {
  const run = await runMachine(MACHINE, { desiredState: h.desired }, { pendingIntervalMs: 1000 });
  runs.push(run);
  return run;
};
const user = async (username: string) => (await kc.ok('GET', `${base()}/users?username=${username}&exact=true`))[0];

beforeAll(async () => {
  kc = await realKeycloak();
  h = await startRealRealmHarness(kc, 'bad-input');
  ({ runMachine } = await import('../../support/local-machine'));
});
afterAll(async () => {
  await h?.close();
  if (h) await kc.deleteRealm(h.realm);
});

describe('bad input against Keycloak 26.7.3', () => {
  it('Keycloak down: KeycloakUnreachableError naming the admin URL and the host; nothing written', async () => {
    await h.proxy.setDown(true);
    const run = await reconcile().finally(() => h.proxy.setDown(false));
    expect(run.error!.name).toBe('KeycloakUnreachableError');
    expect(run.error!.cause).toContain(`Keycloak's admin API at ${h.proxy.url} on i-0123456789abcdef0 is unreachable`);
    expect((await kc.call('GET', base())).status).toBe(404);
  });

  it('a wrong admin password: KeycloakCredentialsError with Keycloak\'s answer, the password nowhere', async () => {
    h.ssm.putParameter(h.desired.keycloak.admin.passwordParameter, 'not-the-admin-password', 'SecureString');
    const run = await reconcile().finally(() => h.ssm.putParameter(h.desired.keycloak.admin.passwordParameter, h.secrets.admin, 'SecureString'));
    expect(run.error!.name).toBe('KeycloakCredentialsError');
    expect(run.error!.cause).toMatch(/admin login as admin \(realm master\) failed: HTTP 400 \{"error":"invalid_grant","error_description":"Invalid user credentials"\}/);
    expect(JSON.stringify(run)).not.toContain('not-the-admin-password');
    expect((await kc.call('GET', base())).status).toBe(404);
  });

  it('a realm another team uses, whose user has the email keygate\'s user needs: the 409 names the user and Keycloak\'s message; once they change it, the next run converges', async () => {
    // Prepare: the team's realm and user
    await kc.ok('POST', '/admin/realms', { realm: h.realm, enabled: true });
    await kc.ok('POST', `${base()}/users`, { username: 'alice.team', email: 'alice@agentcore-keycloak-example.com', enabled: true });
    // Act
    const failed = await reconcile();
    // Assess: stopped at the user, with Keycloak's reason; what came before is recorded as keygate's
    expect(failed.error!.name).toBe('KeycloakChangeFailedError');
    expect(failed.error!.cause).toMatch(/Keycloak rejected "create user alice" with HTTP 409: \{"errorMessage":"User exists with same email"\} \(\d+ of \d+ writes applied before it; the next run observes the realm as it is and applies only what is still missing\)/);
    expect(await user('alice')).toBeUndefined();
    expect(JSON.parse((await kc.ok('GET', base())).attributes['keygate.owned'])).toMatchObject({ realmCreated: false });
    // The team changes their user's email; keygate's next run finishes the job, and then converges.
    const teamUser = await user('alice.team');
    await kc.ok('PUT', `${base()}/users/${teamUser.id}`, { ...teamUser, email: 'alice.team@team.example.org' });
    const resumed = await reconcile();
    expect(resumed.error).toBeUndefined();
    expect(resumed.output).toMatchObject({ outcome: 'applied' });
    expect((await reconcile()).output).toMatchObject({ outcome: 'converged' });
    expect(await user('alice.team')).toMatchObject({ email: 'alice.team@team.example.org' });
  }, 120_000); // four runs of the realm machine on the real server: over 30 s on a loaded machine

  it('a 400 in the middle of an apply (the realm\'s password policy refuses the user\'s password): named, and converged by the next run once the policy allows it', async () => {
    // Prepare: keygate's user is gone, and the team sets a password policy its password does not meet
    await kc.ok('DELETE', `${base()}/users/${(await user('alice')).id}`);
    const { clientProfiles, clientPolicies, ...realm } = await kc.ok('GET', base());
    await kc.ok('PUT', base(), { ...realm, passwordPolicy: 'length(64)' });
    // Act
    const failed = await reconcile();
    // Assess
    expect(failed.error!.name).toBe('KeycloakChangeFailedError');
    expect(failed.error!.cause).toMatch(/Keycloak rejected "create user alice" with HTTP 400: \{"error":"invalidPasswordMinLengthMessage","error_description":"Invalid password: minimum length 64\."\}/);
    expect(await user('alice')).toBeUndefined(); // Keycloak rolled the whole user back, not just its password
    const { clientProfiles: _p, clientPolicies: _q, ...now } = await kc.ok('GET', base());
    await kc.ok('PUT', base(), { ...now, passwordPolicy: 'length(8)' });
    expect((await reconcile()).output).toMatchObject({ outcome: 'applied' });
    expect((await reconcile()).output).toMatchObject({ outcome: 'converged' });
    expect(await user('alice')).toMatchObject({ email: 'alice@agentcore-keycloak-example.com' });
  }, 120_000);

  it('no secret value in any command parameter, output or execution event', async () => {
    await h.ssm.settle();
    const sent = h.ssm.calls.filter((c) => c.operation === 'SendCommand');
    expect(sent.length).toBeGreaterThan(5);
    const programs = sent.map((c) => gunzipSync(Buffer.from(c.input.Parameters.program[0], 'base64')).toString('utf8'));
    const outputs = [...h.ssm.invocations.values()].flatMap((i) => [i.stdout, i.stderr]);
    const haystack = [JSON.stringify(sent), ...programs, ...outputs, JSON.stringify(runs)].join('\n');
    for (const secret of Object.values(h.secrets)) expect(haystack).not.toContain(secret);
  });
});
