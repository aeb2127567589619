import { startChain, type Chain } from '../../../emulators/chain';
import { start as startGateway } from '../../../emulators/mcp-gateway';
import { firstRequest, listAndCallTools } from '../../../functions/adapters/verify/mcp-client';
import { verifyChain } from '../../../functions/adapters/verify/verify-chain';
import type { Check, VerificationReport } from '../../../functions/core/verify/report';
import { seedWith } from '../../support/seed';

// Verification speaks MCP in every version the gateway declares, with the official SDK v2 client: the
// 2025 era with `initialize`, 2026-07-28 with `server/discover` and per-request versions. The gateway
// peer (SDK v2 server) speaks exactly the versions it was given, so a version the deployed gateway
// lacks is a named failure, never a silent fallback.

const GATEWAY_URL = 'https://mcp-gateway-keycloak-demo-7xk2m9p7qz.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
const SECRET = 'canary-secret-9a1c4f2e7b3d';
const BOTH = ['2026-07-28', '2025-11-25'];

const both = seedWith((r) => {
  r.gateway.protocol = { supportedVersions: ['2025-11-25', '2026-07-28'] };
  r.gateway.authorizer.allowedClients = ['keygate-canary'];
});
let chain: Chain;

const check = (report: VerificationReport, id: string): Check => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
};

beforeAll(async () => {
  chain = await startChain(both, { gatewayUrl: GATEWAY_URL, canarySecret: SECRET });
});
afterAll(() => chain.close());

describe('a gateway declared with 2026-07-28 and 2025-11-25', () => {
  it('passes every check in both versions, each MCP check tagged with its version', async () => {
    // Prepare
    chain.gateway.calls.length = 0;
    // Act
    const report = await verifyChain(both, { gatewayUrl: GATEWAY_URL, canarySecret: { value: SECRET }, fetch: chain.fetch, now: () => new Date() });
    // Assess
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.evidence}`)).toEqual([]);
    for (const version of BOTH) {
      for (const id of ['denied.no-token', 'mcp.tools-list', 'mcp.targets', 'mcp.expected-tools', 'mcp.call.my-mcp-server___add_numbers', 'denied.scope', 'denied.query-token']) {
        expect(check(report, `${id}@${version}`).mcpVersion).toBe(version);
      }
      expect(check(report, `mcp.tools-list@${version}`).observed).toMatchObject({ protocolVersion: version });
    }
    expect(check(report, 'mcp.tools-list@2026-07-28').evidence).toMatch(/^\[MCP 2026-07-28\] server\/discover \+ tools\/list in MCP 2026-07-28/);
    expect(check(report, 'mcp.tools-list@2025-11-25').evidence).toMatch(/^\[MCP 2025-11-25\] initialize \+ tools\/list in MCP 2025-11-25/);
    // Both eras reached the gateway with the canary token in the header.
    const authorized = chain.gateway.calls.filter((c) => c.token === 'header' && c.status === 200);
    expect(new Set(authorized.map((c) => c.era))).toEqual(new Set(['legacy', 'modern']));
  });

  it('sends 2026-07-28 requests without initialize or a session: the version in the header and in _meta, the method in Mcp-Method', async () => {
    // Prepare
    const sent: Array<{ headers: Headers; body: { method?: string; params?: { _meta?: Record<string, unknown> } } }> = [];
    const recording = async (input: string | URL | Request, init?: RequestInit) => {
      if (init?.method === 'POST') sent.push({ headers: new Headers(init.headers), body: JSON.parse(String(init.body)) });
      return chain.fetch(input, init);
    };
    const token = await canaryToken();
    // Act
    const outcome = await listAndCallTools(recording, GATEWAY_URL, token, [], '2026-07-28');
    // Assess
    expect(outcome.list).toMatchObject({ ok: true, protocolVersion: '2026-07-28' });
    expect(sent.map((s) => s.body.method)).not.toContain('initialize');
    expect(sent.map((s) => s.body.method)).toEqual(expect.arrayContaining(['server/discover', 'tools/list']));
    for (const s of sent) {
      expect(s.headers.get('mcp-protocol-version')).toBe('2026-07-28');
      expect(s.headers.get('mcp-session-id')).toBeNull();
      expect(s.body.params?._meta?.['io.modelcontextprotocol/protocolVersion']).toBe('2026-07-28');
    }
    expect(sent.find((s) => s.body.method === 'tools/list')!.headers.get('mcp-method')).toBe('tools/list');
    // The raw probe sends the same shape as the SDK.
    expect(firstRequest('2026-07-28').headers).toMatchObject({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' });
  });
});

describe('a declared version the gateway does not speak', () => {
  it('fails with mcp-version-refused in that version and passes in the other', async () => {
    // Prepare: the deployed gateway speaks 2025-11-25 only; the document says both.
    const legacyOnly = await startChain(seedWith((r) => (r.gateway.protocol = { supportedVersions: ['2025-11-25'] })), { gatewayUrl: GATEWAY_URL, canarySecret: SECRET });
    try {
      // Act
      const report = await verifyChain(both, { gatewayUrl: GATEWAY_URL, canarySecret: { value: SECRET }, fetch: legacyOnly.fetch, now: () => new Date() });
      // Assess
      const refused = check(report, 'mcp.tools-list@2026-07-28');
      expect(refused).toMatchObject({ status: 'fail', diagnosis: 'mcp-version-refused', mcpVersion: '2026-07-28' });
      expect(refused.fix).toMatch(/supportedVersions lacks 2026-07-28/);
      expect(check(report, 'mcp.tools-list@2025-11-25').status).toBe('pass');
      expect(report.failed).toBe(true);
    } finally {
      await legacyOnly.close();
    }
  });

  it('a 2025-era version the gateway lacks is answered with another one, which the client refuses', async () => {
    // Prepare: a gateway on AgentCore's default (2025-03-26) asked for 2025-11-25.
    const gw = await startGateway({ authorizer: { discoveryUrl: 'https://unused.example/.well-known/openid-configuration' }, fetch: chain.fetch });
    gw.setFaults({ acceptAnyone: true });
    try {
      // Act
      const outcome = await listAndCallTools(fetch, `${gw.url}/mcp`, 'no-token-needed', [], '2025-11-25');
      const modern = await listAndCallTools(fetch, `${gw.url}/mcp`, 'no-token-needed', [], '2026-07-28');
      const asked = await listAndCallTools(fetch, `${gw.url}/mcp`, 'no-token-needed', [], '2025-03-26');
      // Assess
      expect(outcome.list).toMatchObject({ ok: false, error: expect.stringMatching(/protocol version/i) });
      expect(modern.list).toMatchObject({ ok: false });
      expect(asked.list).toMatchObject({ ok: true, protocolVersion: '2025-03-26' });
    } finally {
      await gw.close();
    }
  });
});

async function canaryToken(): Promise<string> {
  const discovery = (await (await chain.fetch(both.gateway.authorizer.discoveryUrl)).json()) as { token_endpoint: string };
  const response = await chain.fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`keygate-canary:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'mcp:tools', resource: GATEWAY_URL }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
