import { createHash, randomBytes } from 'node:crypto';
import { startChain, type Chain } from '../../../emulators/chain';
import { seedDesired } from '../../support/seed';

// The realm emulator behaves as mcp-authorization-checklist §4 describes oidc-provider: Keycloak's
// paths, PKCE required with S256 only, CIMD clients fetched from their document, unknown resources refused.

const GATEWAY_URL = 'https://gw-emulator-test.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
const SECRET = 'emulator-canary-secret-1';
const desired = seedDesired();
const CIMD_URL = desired.cimd!.url;
const REDIRECT = desired.cimd!.document.redirect_uris![0]!;
let chain: Chain;

beforeAll(async () => {
  chain = await startChain(desired, { gatewayUrl: GATEWAY_URL, canarySecret: SECRET });
});
afterEach(() => chain.heal());
afterAll(() => chain.close());

const authorize = (params: Record<string, string>) =>
  chain.fetch(`${chain.op.issuer}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: CIMD_URL, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 's1', ...params })}`, { redirect: 'manual' });
const s256 = () => {
  const verifier = randomBytes(32).toString('base64url');
  return createHash('sha256').update(verifier).digest('base64url');
};

describe('oidc emulator', () => {
  it('serves Keycloak-shaped discovery under its public name', async () => {
    const doc = (await (await chain.fetch(chain.op.discoveryUrl)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: 'https://auth.agentcore-keycloak-example.com/realms/mcp-demo',
      token_endpoint: 'https://auth.agentcore-keycloak-example.com/realms/mcp-demo/protocol/openid-connect/token',
      jwks_uri: 'https://auth.agentcore-keycloak-example.com/realms/mcp-demo/protocol/openid-connect/certs',
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
    });
  });

  it('admits a CIMD client with PKCE S256 after fetching its document once', async () => {
    chain.cimd!.calls.length = 0;
    const res = await authorize({ code_challenge: s256(), code_challenge_method: 'S256' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/\/interaction\//);
    expect(chain.cimd!.calls).toEqual([{ method: 'GET', path: new URL(CIMD_URL).pathname, status: 200 }]);
  });

  it('refuses an authorization request without PKCE or with plain', async () => {
    for (const params of [{}, { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }] as Array<Record<string, string>>) {
      const res = await authorize(params);
      const location = new URL(res.headers.get('location') ?? 'http://none/');
      expect([res.status, location.searchParams.get('error')]).toEqual([303, 'invalid_request']);
    }
  });

  it('refuses a redirect URI the document does not list, without redirecting', async () => {
    const res = await authorize({ code_challenge: s256(), code_challenge_method: 'S256', redirect_uri: 'http://127.0.0.1:9999/elsewhere' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('refuses a token for an unknown resource with invalid_target', async () => {
    const res = await chain.fetch(`${chain.op.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`keygate-canary:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'mcp:tools', resource: 'https://elsewhere.example.com/mcp' }),
    });
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([400, 'invalid_target']);
  });
});
