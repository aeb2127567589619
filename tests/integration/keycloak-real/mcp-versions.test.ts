import type { Browser } from 'playwright-core';
import { runLogin } from '../../../cli/login/flow';
import { loginChecks } from '../../../cli/login/verify-login';
import type { Edge } from '../../../emulators/edge';
import { verifyChain } from '../../../functions/adapters/verify/verify-chain';
import { lintDesiredState } from '../../../functions/core/lint';
import { expectationsFor } from '../../../functions/core/verify/expectations';
import { checkLogin } from '../../../functions/core/verify/login';
import type { Check } from '../../../functions/core/verify/report';
import { startLoginRig, type LoginRig } from '../../support/login-rig';
import { SECRETS, type RealRealmHarness } from '../../support/realm-harness';

// The seed (audience mapper, the run's Keycloak 26.7.3 without resource indicators) behind a gateway that
// declares MCP 2026-07-28 and 2025-11-25: verification and alice's CIMD login in each version, the SDK v2
// client speaking it (2026-07-28: server/discover, no initialize, no session), the gateway peer (SDK v2
// server) answering only what it declares. The resource-indicator strategy in both versions:
// resource-indicators.test.ts.

const VERSIONS = ['2026-07-28', '2025-11-25'];
const ADD = { tool: 'my-mcp-server___add_numbers', arguments: { a: 2, b: 3 }, expectText: '5' };
let edge: Edge;
let h: RealRealmHarness;
let browser: Browser;

let rig: LoginRig | undefined;
beforeAll(async () => {
  rig = await startLoginRig('mcp-versions', (raw) => {
    raw.gateway.protocol = { supportedVersions: ['2026-07-28', '2025-11-25'] };
    raw.verify.toolCalls = [ADD];
  });
  ({ h, edge, browser } = rig);
}, 180_000);
afterAll(async () => {
  await rig?.close();
});
// Logins take seconds each on the shared 2-vCPU machine: a bound, not an expectation.
jest.setTimeout(180_000);

const failing = (checks: Check[]) => checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => `${c.id} ${c.diagnosis ?? ''} ${c.evidence}`);

describe('the seed on Keycloak 26.7.3, the gateway declaring MCP 2026-07-28 and 2025-11-25', () => {
  it('lints clean (CIMD is declared, so no DCR finding) and verifies in both versions: aud from the audience mapper, checked with jose', async () => {
    expect(lintDesiredState(h.desired).filter((f) => f.severity === 'error' || f.ruleId.startsWith('mcp-'))).toEqual([]);
    // Act
    const report = await verifyChain(h.desired, { gatewayUrl: edge.gatewayUrl, canarySecret: { value: SECRETS.canary }, fetch: edge.fetch, now: () => new Date() });
    // Assess
    // The canary holds mcp:tools as a default scope, so on the real realm no under-scoped canary token exists
    // (a warning, named); the gateway's scope refusal is proven with the stand-in realm (tests/integration/verify).
    expect(failing(report.checks.filter((c) => c.diagnosis !== 'denied-scope-granted'))).toEqual([]);
    expect(report.checks.filter((c) => c.diagnosis === 'denied-scope-granted').map((c) => c.id)).toEqual(VERSIONS.map((v) => `denied.scope@${v}`));
    expect(report.checks.find((c) => c.id === 'as.iss-parameter')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'token.audience')?.evidence).toContain('mcp-gateway-demo');
    for (const v of VERSIONS) {
      expect(report.checks.find((c) => c.id === `mcp.tools-list@${v}`)).toMatchObject({ status: 'pass', observed: { protocolVersion: v } });
      expect(report.checks.find((c) => c.id === `mcp.call.my-mcp-server___add_numbers@${v}`)?.status).toBe('pass');
      expect(report.checks.find((c) => c.id === `denied.no-token@${v}`)?.status).toBe('pass');
      expect(report.checks.find((c) => c.id === `denied.query-token@${v}`)?.status).toBe('pass');
    }
    // The gateway saw both eras with alice's realm's canary token in the header.
    expect(new Set(edge.gateway!.calls.filter((c) => c.token === 'header' && c.status === 200).map((c) => c.era))).toEqual(new Set(['legacy', 'modern']));
  });

  it.each(VERSIONS)('alice logs in with the CIMD client in MCP %s and calls a tool; the callback\'s iss is the issuer', async (version) => {
    // Act
    const run = await runLogin({ gatewayUrl: edge.gatewayUrl, clientMetadataUrl: h.desired.cimd!.url, user: { username: 'alice', password: SECRETS.alice }, fetch: edge.fetch, browser, toolCalls: [ADD], mcpVersion: version });
    // Assess
    expect(failing(checkLogin(run, expectationsFor(h.desired, { gatewayUrl: edge.gatewayUrl }), new Date()))).toEqual([]);
    expect(run.callback).toMatchObject({ code: true, stateMatches: true, iss: `${edge.origins.auth}/realms/${h.realm}` });
    expect(run.authorizationRequest).toMatchObject({ resource: edge.gatewayUrl });
    expect([(run.token as { claims: Record<string, unknown> }).claims.aud].flat()).toContain('mcp-gateway-demo');
    expect(run.tools).toMatchObject({ ok: true, protocolVersion: version });
    expect(run.calls).toEqual([{ ok: true, isError: false, text: '5' }]);
  });

  it('keygate verify --login logs in once per declared version, each check tagged with its version', async () => {
    // Act
    const checks = await loginChecks(h.desired, { gatewayUrl: edge.gatewayUrl, user: { username: 'alice', passwordParameter: h.desired.keycloak.realm.users[0]!.passwordParameter }, fetch: edge.fetch, now: () => new Date(), browser, readSecret: async () => SECRETS.alice });
    // Assess
    expect(failing(checks)).toEqual([]);
    for (const v of VERSIONS) expect(checks.find((c) => c.id === `login.mcp.tools-list@${v}`)).toMatchObject({ status: 'pass', mcpVersion: v });
    expect(JSON.stringify(checks)).not.toContain(SECRETS.alice);
  });
});
