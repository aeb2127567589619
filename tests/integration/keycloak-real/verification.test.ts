import { decodeJwt } from 'jose';
import { resolvingFetch } from '../../../functions/adapters/http/fetch';
import { requestClientCredentialsToken } from '../../../functions/adapters/verify/token-client';
import { verifyChain } from '../../../functions/adapters/verify/verify-chain';
import type { VerificationReport } from '../../../functions/core/verify/report';
import { realKeycloak, type RealKeycloak } from '../../support/real-keycloak';
import { SECRETS, startRealRealmHarness, type RealRealmHarness } from '../../support/realm-harness';

// Verification against Keycloak 26.7.3 (the realm keygate provisioned through the real path): the
// discovery document with client_id_metadata_document_supported, the realm keys, and the canary's
// client-credentials token checked with jose for iss, aud (from the real audience mapper) and scope.
// Keycloak sits behind the document's public name, as behind the seed's load balancer: the verifier's
// fetch routes auth.agentcore-keycloak-example.com to it with X-Forwarded-Host/-Proto (the server runs
// with proxy-headers=xforwarded), so its issuer is the document's. A realm without the mapper fails.

const AUTH_HOST = 'auth.agentcore-keycloak-example.com';
let kc: RealKeycloak;
let h: RealRealmHarness;
const fetchVia = () => resolvingFetch({ [AUTH_HOST]: kc.url });
const verify = (): Promise<VerificationReport> => verifyChain(h.desired, { canarySecret: { value: SECRETS.canary }, fetch: fetchVia(), now: () => new Date() });
const check = (report: VerificationReport, id: string) => report.checks.find((c) => c.id === id);

beforeAll(async () => {
  kc = await realKeycloak();
  h = await startRealRealmHarness(kc, 'verify');
  const { runMachine } = await import('../../support/local-machine');
  const run = await runMachine('reconcile-realm.asl.json', { desiredState: h.desired }, { pendingIntervalMs: 1000 });
  if (run.error) throw new Error(`provisioning ${h.realm}: ${run.error.cause}`);
});
afterAll(async () => {
  await h?.close();
  if (h) await kc.deleteRealm(h.realm);
});

describe('verification against Keycloak 26.7.3', () => {
  it('passes discovery (CIMD advertised, issuer the public name), the keys, and the canary token\'s iss, aud and scope', async () => {
    // Act
    const report = await verify();
    // Assess
    const passed = report.checks.filter((c) => c.status === 'pass').map((c) => c.id);
    expect(passed).toEqual(expect.arrayContaining(['as.discovery', 'as.issuer', 'as.https', 'as.pkce', 'as.cimd', 'as.jwks', 'token.obtain', 'token.algorithm', 'token.signature', 'token.issuer', 'token.audience', 'token.scope', 'token.lifetime']));
    // (No gateway here, and the CIMD document is not served: those groups are the chain's, keycloak-real/rehearse.test.ts.)
    expect(report.checks.filter((c) => c.status === 'fail' && (c.group === 'authorization-server' || c.group === 'token'))).toEqual([]);
    expect(check(report, 'token.issuer')!.evidence).toContain(`https://${AUTH_HOST}/realms/${h.realm}`);
    expect(JSON.stringify(report)).not.toContain(SECRETS.canary);
  });

  it('the token is Keycloak\'s own: aud from the realm\'s audience mapper, scope from the canary\'s default scope', async () => {
    const obs = await requestClientCredentialsToken(fetchVia(), `https://${AUTH_HOST}/realms/${h.realm}/protocol/openid-connect/token`, { clientId: 'keygate-canary', secret: SECRETS.canary }, { scope: 'mcp:tools' });
    const claims = decodeJwt(JSON.parse((obs as { text: string }).text).access_token);
    expect(claims).toMatchObject({ iss: `https://${AUTH_HOST}/realms/${h.realm}`, azp: 'keygate-canary', client_id: 'keygate-canary' });
    expect([claims.aud].flat()).toContain('mcp-gateway-demo');
    expect(String(claims.scope).split(' ')).toContain('mcp:tools');
  });

  it('a realm without the audience mapper fails verification: audience-mapper-missing, with the fix', async () => {
    // Prepare: someone deletes the mapper
    const scope = ((await kc.ok('GET', `/admin/realms/${h.realm}/client-scopes`)) as Array<Record<string, any>>).find((s) => s.name === 'mcp:tools')!;
    await kc.ok('DELETE', `/admin/realms/${h.realm}/client-scopes/${scope.id}/protocol-mappers/models/${scope.protocolMappers[0].id}`);
    // Act
    const report = await verify();
    // Assess
    expect(report.failed).toBe(true);
    expect(check(report, 'token.audience')).toMatchObject({ status: 'fail', diagnosis: 'audience-mapper-missing', fix: expect.stringMatching(/add an audience mapper \(Included Custom Audience "mcp-gateway-demo"\)/) });
  });

  it('with the resource-indicators feature off, the resource-indicator strategy fails token.audience with resource-indicators-off, and the fix names the feature', async () => {
    // Prepare: a realm keygate binds by resource indicator, on this server (built without the feature).
    const gatewayUrl = 'https://mcp-gateway-keycloak-demo-0123456789.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
    const bound = await startRealRealmHarness(kc, 'ri-off', {
      edit: (raw) => {
        raw.keycloak.version = '26.7.3';
        raw.keycloak.realm.audienceBinding = { strategy: 'resource-indicator', resource: gatewayUrl };
        raw.gateway.authorizer.allowedAudiences = [gatewayUrl];
        raw.cimd.document.grant_types = ['authorization_code', 'refresh_token'];
      },
    });
    try {
      const { runMachine } = await import('../../support/local-machine');
      const run = await runMachine('reconcile-realm.asl.json', { desiredState: bound.desired }, { pendingIntervalMs: 1000 });
      if (run.error) throw new Error(`provisioning ${bound.realm}: ${run.error.cause}`);
      // Act
      const report = await verifyChain(bound.desired, { canarySecret: { value: SECRETS.canary }, fetch: fetchVia(), now: () => new Date() });
      // Assess: Keycloak ignored resource, so aud is the mapper's audience, not the gateway URL.
      expect(check(report, 'token.obtain')!.status).toBe('pass');
      expect(check(report, 'token.audience')).toMatchObject({ status: 'fail', diagnosis: 'resource-indicators-off', observed: { aud: ['mcp-gateway-demo', 'account'] } });
      expect(check(report, 'token.audience')!.fix).toMatch(/--features=resource-indicators/);
    } finally {
      await bound.close();
      await kc.deleteRealm(bound.realm);
    }
  });
});
