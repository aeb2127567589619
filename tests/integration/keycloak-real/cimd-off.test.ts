import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { start as startStandIn, type KeycloakStandIn } from '../../../emulators/keycloak';
import { requestClientCredentialsToken } from '../../../functions/adapters/verify/token-client';
import { checkTokenResponse } from '../../../functions/core/verify/token';
import { startKeycloakServer, type KeycloakServer } from '../../../scripts/keycloak/server';
import { runContract, type ContractStep, type Vars } from '../../support/admin-contract';
import { connect, type RealKeycloak } from '../../support/real-keycloak';
import { SECRETS, startRealRealmHarness, type RealRealmHarness } from '../../support/realm-harness';

// The CIMD feature switched off while a realm stores keygate's client-id-uri policy, on real Keycloak
// 26.7.3: a server of this test's own, built with --features=cimd, provisioned by keygate, stopped,
// and started again on the same database from a build without the feature. Observed: every token and
// authorization request in that realm fails with HTTP 500, and the policy can be deleted but not
// disabled. keygate names it (KeycloakFeatureDisabledError in reconciliation and drift, the
// `cimd-feature-off` diagnosis in verification), writes nothing, and the stand-in with its CIMD feature
// off answers the admin calls of this state as the real server does.

let withCimd: KeycloakServer | undefined;
let withoutCimd: KeycloakServer | undefined;
let kc: RealKeycloak;
let h: RealRealmHarness;
let realm: string;
let runMachine: typeof import('../../support/local-machine').runMachine;

const tokenUrl = () => `${kc.url}/realms/${realm}/protocol/openid-connect/token`;
const canaryToken = () => requestClientCredentialsToken(fetch, tokenUrl(), { clientId: 'keygate-canary', secret: SECRETS.canary }, { scope: 'mcp:tools' });

beforeAll(async () => {
  ({ runMachine } = await import('../../support/local-machine'));
  // Prepare: keygate provisions the seed's realm on a server with CIMD …
  withCimd = await startKeycloakServer({ build: 'cimd', keepData: true });
  const first = await startRealRealmHarness(connect(withCimd), 'cimd-off');
  realm = first.realm;
  const provisioned = await runMachine('reconcile-realm.asl.json', { desiredState: first.desired }, { pendingIntervalMs: 1000 });
  await first.close();
  if (provisioned.error) throw new Error(`provisioning: ${provisioned.error.cause}`);
  await withCimd.stop();
  // … which then starts again on the same database without it.
  withoutCimd = await startKeycloakServer({ build: 'no-cimd', data: join(withCimd.runDir, 'data'), dataAdmin: withCimd.admin });
  kc = connect(withoutCimd);
  h = await startRealRealmHarness(kc, 'cimd-off', { realm });
}, 15 * 60_000);
afterAll(async () => {
  await h?.close();
  await withoutCimd?.stop();
  if (withCimd) rmSync(withCimd.runDir, { recursive: true, force: true });
});

describe('Keycloak 26.7.3 restarted without --features=cimd, the realm storing keygate\'s client-id-uri policy', () => {
  it('no longer advertises CIMD, and still lists the stored policy', async () => {
    const discovery = (await (await fetch(`${kc.url}/realms/${realm}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.client_id_metadata_document_supported).toBeUndefined();
    const { policies } = await kc.ok('GET', `/admin/realms/${realm}/client-policies/policies`);
    expect(policies.find((p: { name: string }) => p.name === 'cimd-policy')).toMatchObject({ enabled: true, conditions: [{ condition: 'client-id-uri' }] });
  });

  it('answers every token and authorization request in the realm with HTTP 500, for every client; other realms work', async () => {
    const token = await canaryToken();
    expect(token).toMatchObject({ kind: 'response', status: 500 });
    const login = await fetch(`${kc.url}/realms/${realm}/protocol/openid-connect/auth?client_id=account-console&redirect_uri=${encodeURIComponent(`${kc.url}/realms/${realm}/account/`)}&response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`, { redirect: 'manual' });
    expect(login.status).toBe(500);
    expect(await kc.token()).toMatch(/^ey/); // the master realm is not affected
  });

  it('keygate\'s reconciliation (and drift, which runs it as a dry run) stops naming the feature, the stored policy and the 500s; nothing is written', async () => {
    const writes = h.proxy.writes().length;
    for (const input of [{}, { dryRun: true }]) {
      const run = await runMachine('reconcile-realm.asl.json', { desiredState: h.desired, ...input }, { pendingIntervalMs: 1000 });
      expect(run.error!.name).toBe('KeycloakFeatureDisabledError');
      expect(run.error!.cause).toMatch(/start Keycloak with --features=cimd\. Nothing was changed\. The realm already stores client policy cimd-policy with a client-id-uri condition: while the feature is off, Keycloak answers every token and authorization request in this realm with HTTP 500/);
    }
    expect(h.proxy.writes().length).toBe(writes);
  });

  it('verification names it: the canary\'s token request fails with the cimd-feature-off diagnosis and the fix', async () => {
    const discovery = (await (await fetch(`${kc.url}/realms/${realm}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const { check } = checkTokenResponse(await canaryToken(), 'keygate-canary', 'obtain', { cimdPolicies: ['cimd-policy'], cimdSupported: discovery.client_id_metadata_document_supported === true });
    expect(check).toMatchObject({ status: 'fail', diagnosis: 'cimd-feature-off', fix: expect.stringMatching(/^start Keycloak with --features=cimd again/) });
  });

  it('the admin calls of this state: the stand-in with CIMD off answers as the real server does', async () => {
    const steps: ContractStep[] = [
      { name: 'create a realm', method: 'POST', path: '/admin/realms', body: (v: Vars) => ({ realm: v.realm, enabled: true }) },
      { name: 'discovery without the flag', method: 'GET', path: '/realms/{realm}/.well-known/openid-configuration', pick: (d) => d.client_id_metadata_document_supported ?? null },
      { name: 'a CIMD executor: 400', method: 'PUT', path: '/admin/realms/{realm}/client-policies/profiles', body: { profiles: [{ name: 'cimd-profile', executors: [{ executor: 'client-id-metadata-document', configuration: {} }] }] } },
      { name: 'a client-id-uri condition: 400', method: 'PUT', path: '/admin/realms/{realm}/client-policies/policies', body: { policies: [{ name: 'cimd-policy', enabled: true, conditions: [{ condition: 'client-id-uri', configuration: { 'client-id-uri-scheme': ['https'] } }], profiles: [] }] } },
      { name: 'other executors still work', method: 'PUT', path: '/admin/realms/{realm}/client-policies/profiles', body: { profiles: [{ name: 'p', executors: [{ executor: 'pkce-enforcer', configuration: { 'auto-configure': 'true' } }] }] } },
    ];
    const standIn: KeycloakStandIn = await startStandIn({ admin: { username: 'admin', password: 'stand-in-pw' }, features: { cimd: false } });
    try {
      const name = kc.realmName('cimd-off-contract');
      const real = await runContract(kc, steps, { realm: name });
      const stand = await runContract(connect({ version: 'stand-in', url: standIn.url, managementUrl: '', admin: { realm: 'master', username: 'admin', password: 'stand-in-pw' } }), steps, { realm: name });
      expect(stand).toEqual(real);
      expect(real.map((r) => r.status)).toEqual([201, 200, 400, 400, 204]);
    } finally {
      await standIn.close();
    }
  });

  it('the fix: disabling the stored policy is refused while the feature is off; deleting it makes tokens work again', async () => {
    const { policies } = await kc.ok('GET', `/admin/realms/${realm}/client-policies/policies`);
    const disable = await kc.call('PUT', `/admin/realms/${realm}/client-policies/policies`, { policies: policies.map((p: Record<string, unknown>) => ({ ...p, enabled: false })) });
    expect(disable).toMatchObject({ status: 400, body: { errorMessage: 'Policy cimd-policy contains invalid condition client-id-uri' } });
    await kc.ok('PUT', `/admin/realms/${realm}/client-policies/policies`, { policies: policies.filter((p: { name: string }) => p.name !== 'cimd-policy') });
    expect(await canaryToken()).toMatchObject({ kind: 'response', status: 200 });
  });
});
