import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rehearse, type RehearsalResult } from '../../../cli/rehearse/scenario';
import { captureFunctionOutput } from '../../../emulators/world/function-output';
import { validateDesiredStateShape } from '../../../functions/core/desired/check';
import { realKeycloak, type RealKeycloak } from '../../support/real-keycloak';
import { seedRaw } from '../../support/seed';

// `keygate rehearse --keycloak real`'s whole story (provision → rotation → drift report and repair →
// teardown) against Keycloak 26.7.3: the run's shared server here (the CLI starts one of its own), the
// seed's realm renamed so that test runs on one server never meet. What only the real server makes
// real: the realm steps' admin API, and verification's tokens, keys and audiences (the drift injected
// into the audience mapper breaks the chain because Keycloak's own tokens carry it).

let kc: RealKeycloak;
let realm: string;
let result: RehearsalResult;
let screenshots: string;
const silent = { started: () => undefined, phaseStarted: () => undefined, phaseSkipped: () => undefined, stepChanged: () => undefined, phaseEnded: () => undefined };

beforeAll(async () => {
  kc = await realKeycloak();
  realm = kc.realmName('rehearse');
  const document = seedRaw();
  document.keycloak.realm.name = realm;
  document.gateway.authorizer.discoveryUrl = document.gateway.authorizer.discoveryUrl.replace('/realms/mcp-demo/', `/realms/${realm}/`);
  const desired = validateDesiredStateShape(document, 'seed');
  screenshots = mkdtempSync(join(tmpdir(), 'keygate-rehearse-shots-'));
  result = await captureFunctionOutput([], () => rehearse({ document, desired, config: 'examples/seed.yaml', speed: 200, keycloak: 'real', keycloakServer: kc, screenshotDirectory: screenshots, view: silent }));
}, 10 * 60_000);
afterAll(async () => {
  if (realm) await kc.deleteRealm(realm);
  if (screenshots) rmSync(screenshots, { recursive: true, force: true });
});

describe('keygate rehearse against Keycloak 26.7.3', () => {
  it('succeeds in every phase, on the real server', () => {
    expect(result.failure).toBeUndefined();
    expect(result.outcome).toBe('succeeded');
    expect(result.phases.map((p) => `${p.name} ${p.status}`)).toEqual(['start succeeded', 'provision succeeded', 'login succeeded', 'rotate succeeded', 'drift-report succeeded', 'drift-repair succeeded', 'teardown succeeded']);
    expect(result.keycloak).toEqual({ kind: 'real', version: '26.7.3' });
  });

  it('verifies the chain with Keycloak\'s own token: issuer, the mapper\'s audience, the scope', () => {
    const checks = Object.fromEntries(result.verification!.checks.map((c) => [c.id, c]));
    expect(checks['token.issuer']).toMatchObject({ status: 'pass', evidence: expect.stringContaining(`https://auth.agentcore-keycloak-example.com/realms/${realm}`) });
    expect(checks['token.audience']).toMatchObject({ status: 'pass', evidence: expect.stringContaining('mcp-gateway-demo') });
    expect(checks['token.scope']).toMatchObject({ status: 'pass' });
    expect(checks['mcp.tools-list']).toMatchObject({ status: 'pass' });
    expect(checks['as.cimd']).toMatchObject({ status: 'pass' });
  });

  it('logs alice in on the provisioned realm in headless Chromium, calls the tools, and keeps the login and consent screenshots', () => {
    const login = result.login!;
    expect(login.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(login).toMatchObject({ user: 'alice', clientId: expect.stringMatching(/^https:\/\/cimd\.agentcore-keycloak-example\.com:\d+\/oauth\/client-metadata\.json$/) });
    expect(login.checks.filter((c) => c.id.startsWith('login.mcp.call.')).map((c) => `${c.id} ${c.status}`)).toEqual(['login.mcp.call.my-mcp-server___add_numbers pass', 'login.mcp.call.my-mcp-server___multiply_numbers pass']);
    expect(login.screenshots).toEqual([join(screenshots, 'login-page.png'), join(screenshots, 'consent-page.png')]);
    for (const file of login.screenshots) expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    expect(result.phases.find((p) => p.name === 'login')!.note).toContain(`screenshots: ${login.screenshots.join(', ')}`);
    expect(login.requests.keycloakToCimd).toBeGreaterThanOrEqual(1);
  });

  it('finds the injected drift; the audience drift breaks the chain while it is live, because the real tokens carry it', () => {
    const drift = result.drift!;
    expect(drift.foundEqualsInjected).toBe(true);
    expect(drift.reportModeWrites).toBe(0);
    expect(drift.reportModeVerification.failedChecks).toEqual(['cimd.current', 'mcp.tools-list', 'token.audience']);
    expect(drift.repairConverged).toBe(true);
  });

  it('counts the admin calls Keycloak received, and shows no secret', () => {
    expect(result.counts.apiCalls['keycloak-admin:PUT']).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toContain(kc.admin.password);
  });
});
