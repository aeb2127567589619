import { readFileSync, writeFileSync } from 'node:fs';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import { seedDesired } from '../../support/seed';
import type { DriftItem } from '../../../functions/core/drift/report';
import { INVOKE_GATEWAY } from '../../../functions/core/policy/render-resource-policy';
import { reportOf, startDriftWorld, type DriftWorld } from '../../support/drift';
import { enteredStates } from '../../support/provisioning';

// Drift detection and repair through the real drift.asl.json, the real handlers and SDK clients, the
// nested realm reconciler, and the local world's emulators (AgentCore, SSM running the host executor
// against the Keycloak stand-in, Step Functions, DynamoDB, SNS). Each kind of drift is injected out
// of band in an emulator, reported with field, expected and actual, and repaired in repair mode.

let w: DriftWorld;
const GATEWAY = 'mcp-gateway-keycloak-demo';
const sendCommands = () => w.local.ssm.calls.filter((c) => c.operation === 'SendCommand').length;
const mutating = () => w.local.agentcore.callLog({ mutating: true }).map((c) => c.op);
const keycloakWrites = () => w.local.keycloak.writes().length;
const scope = () => w.realm().clientScopes.find((s) => s.name === 'mcp:tools')!;
const profile = (name: string) => w.realm().profiles.find((p) => p.name === name)!;
const policy = (name: string) => w.realm().policies.find((p) => p.name === name)!;
const fields = (items: DriftItem[]) => items.map((i) => [i.resource, i.field, i.expected, i.actual]);

/** A baseline of every counter, to assert what one run changed. */
function counters() {
  const before = { commands: sendCommands(), kc: keycloakWrites(), messages: w.local.sns.messages.length, ssm: w.local.ssm.calls.length };
  w.local.agentcore.resetCalls();
  return {
    commands: () => sendCommands() - before.commands,
    keycloakWrites: () => keycloakWrites() - before.kc,
    messages: () => w.local.sns.messages.slice(before.messages),
    parameterWrites: () => w.local.ssm.calls.slice(before.ssm).filter((c) => /^(Put|Delete)Parameter/.test(c.operation)).length,
  };
}

beforeAll(async () => {
  w = await startDriftWorld();
  expect((await w.provision()).status).toBe('SUCCEEDED');
});
afterAll(() => w.close());

describe('a clean system', () => {
  it.each(['report', 'repair'])('%s mode reports nothing, writes nothing, sends one SSM command and releases its lock', async (mode) => {
    // Prepare
    const count = counters();
    // Act
    const run = await w.drift({ mode });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(reportOf(run)).toMatchObject({ outcome: 'clean', mode, items: [], unmanaged: [], counts: { drift: 0, repaired: 0, unmanaged: 0 } });
    expect(mutating()).toEqual([]);
    expect(count.keycloakWrites()).toBe(0);
    expect(count.commands()).toBe(1);
    expect(count.messages()).toEqual([]);
    expect(count.parameterWrites()).toBe(0);
    expect(enteredStates(run)).not.toContain('Repair');
    expect(enteredStates(run).slice(-4)).toEqual(['Publish Drift Report', 'Verify Chain', 'Release Drift Lock', 'Drift Run Succeeded']);
    expect(w.local.dynamodb.item('keygate-local-DriftLockTable', 'drift')).toBeUndefined();
  });
});

/** One kind of drift: how to inject it, and the items it must produce. */
interface Kind {
  name: string;
  /** Where the drift lives: which repair step runs, how many SSM commands it takes, what it writes. */
  area?: 'aws' | 'keycloak' | 'cimd';
  inject(): void;
  items(): Array<[string, string, unknown, unknown]>;
  converged(): void;
}

const openPolicy = () => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: INVOKE_GATEWAY, Resource: w.gateway().gatewayArn }] });

const CIMD_PATH = '/opt/cimd/public/oauth/client-metadata.json';
const CIMD_URL = 'https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json';

const KINDS: Kind[] = [
  {
    name: 'CIMD document edited on the host',
    area: 'cimd',
    inject: () => {
      const file = w.local.hostFile(CIMD_PATH);
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), client_name: 'Edited by hand', redirect_uris: ['https://elsewhere.example.net/cb'] }));
    },
    items: () => [
      [`cimd/${CIMD_URL}`, 'client_name', 'MCP Inspector AWS CIMD Client', 'Edited by hand'],
      [`cimd/${CIMD_URL}`, 'redirect_uris', ['http://127.0.0.1/oauth/callback'], ['https://elsewhere.example.net/cb']],
    ],
    converged: () => expect(readFileSync(w.local.hostFile(CIMD_PATH), 'utf8')).toBe(renderCimdDocument(seedDesired().cimd!).text),
  },
  {
    name: 'gateway audience edited',
    inject: () => {
      const config = structuredClone(w.gateway().authorizerConfiguration) as { customJWTAuthorizer: { allowedAudience: string[] } };
      config.customJWTAuthorizer.allowedAudience = ['mcp-gateway-demo', 'account'];
      w.local.agentcore.editGateway(GATEWAY, { authorizerConfiguration: config });
    },
    items: () => [[`gateway/${GATEWAY}`, 'gateway.authorizer.allowedAudiences', ['mcp-gateway-demo'], ['account', 'mcp-gateway-demo']]],
    converged: () => expect((w.gateway().authorizerConfiguration as { customJWTAuthorizer: { allowedAudience: string[] } }).customJWTAuthorizer.allowedAudience).toEqual(['mcp-gateway-demo']),
  },
  {
    name: 'target endpoint edited',
    inject: () => {
      const config = structuredClone(w.gateway().targets[0]!.targetConfiguration) as { mcp: { mcpServer: { endpoint: string } } };
      config.mcp.mcpServer.endpoint = 'https://mcp-server.attacker.example/mcp';
      w.local.agentcore.editTarget(GATEWAY, 'my-mcp-server', { targetConfiguration: config });
    },
    items: () => [['gateway-target/my-mcp-server', 'targets[my-mcp-server].endpoint', 'https://mcp-server.agentcore-keycloak-example.com/mcp', 'https://mcp-server.attacker.example/mcp']],
    converged: () => expect(w.gateway().targets[0]!.targetConfiguration).toMatchObject({ mcp: { mcpServer: { endpoint: 'https://mcp-server.agentcore-keycloak-example.com/mcp' } } }),
  },
  {
    name: 'resource policy replaced',
    inject: () => w.local.agentcore.setPolicy(GATEWAY, openPolicy()),
    // Each keygate statement is missing (actual null), the foreign one is extra (expected null).
    items: () => [
      [`resource-policy/${GATEWAY}`, 'Statement[DenyInvokeWithoutVpcEndpoint]', expect.objectContaining({ Effect: 'Deny', Condition: { Null: { 'aws:SourceVpce': ['true'] } } }), null],
      [`resource-policy/${GATEWAY}`, 'Statement[AllowInvokeFromApprovedVpcEndpoints]', expect.objectContaining({ Effect: 'Allow', Condition: { StringEquals: { 'aws:SourceVpce': ['vpce-0a1b2c3d4e5f60718'] } } }), null],
      [`resource-policy/${GATEWAY}`, 'Statement[DenyInvokeFromOtherVpcEndpoints]', expect.objectContaining({ Effect: 'Deny' }), null],
      [`resource-policy/${GATEWAY}`, 'Statement[Open]', null, expect.objectContaining({ Sid: 'Open', Effect: 'Allow' })],
    ],
    converged: () => expect(JSON.parse(w.gateway().policy!).Statement.map((s: { Sid: string }) => s.Sid).sort()).toEqual(['AllowInvokeFromApprovedVpcEndpoints', 'DenyInvokeFromOtherVpcEndpoints', 'DenyInvokeWithoutVpcEndpoint']),
  },
  {
    name: 'resource policy deleted',
    inject: () => w.local.agentcore.setPolicy(GATEWAY, undefined),
    items: () => [[`resource-policy/${GATEWAY}`, 'policy', expect.objectContaining({ Version: '2012-10-17' }), null]],
    converged: () => expect(w.gateway().policy).toBeDefined(),
  },
  {
    name: 'Keycloak mapper audience changed',
    inject: () => void (scope().protocolMappers[0]!.config['included.custom.audience'] = 'someone-else'),
    items: () => [['keycloak/audience-mapper/mcp:tools/aud-agentcore-gateway', 'config.included.custom.audience', 'mcp-gateway-demo', 'someone-else']],
    converged: () => expect(scope().protocolMappers[0]!.config['included.custom.audience']).toBe('mcp-gateway-demo'),
  },
  {
    name: 'CIMD trusted domain removed from the Keycloak CIMD profile',
    inject: () => void (profile('cimd-profile').executors[0].configuration['cimd-allow-permitted-domains'] as string[]).splice(0, 1),
    items: () => [['keycloak/client-profile/cimd-profile', 'executors[0].configuration.cimd-allow-permitted-domains', ['127.0.0.1', 'cimd.agentcore-keycloak-example.com'], ['127.0.0.1']]],
    converged: () => expect(profile('cimd-profile').executors[0].configuration['cimd-allow-permitted-domains']).toEqual(expect.arrayContaining(['cimd.agentcore-keycloak-example.com', '127.0.0.1'])),
  },
  {
    name: 'client policy disabled',
    inject: () => void (policy('oauth-2-1-public-client-policy').enabled = false),
    items: () => [['keycloak/client-policy/oauth-2-1-public-client-policy', 'enabled', true, false]],
    converged: () => expect(policy('oauth-2-1-public-client-policy').enabled).toBe(true),
  },
];

describe.each(KINDS)('$name', (kind) => {
  it('is reported with field, expected and actual; report mode writes nothing', async () => {
    // Prepare
    kind.inject();
    const count = counters();
    // Act
    const run = await w.drift({ mode: 'report' });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const report = reportOf(run);
    expect(report.outcome).toBe('drift');
    expect(fields(report.items)).toEqual(kind.items());
    for (const item of report.items) expect(item.change).toMatchObject({ action: expect.stringMatching(/^(create|update)$/), via: expect.any(String), summary: expect.any(String) });
    expect(mutating()).toEqual([]);
    expect(count.keycloakWrites()).toBe(0);
    expect(count.commands()).toBe(1);
    expect(count.messages()).toHaveLength(1);
  });

  it('is repaired in repair mode, observed again, and the next run is clean', async () => {
    // Prepare: the drift from the report-mode test is still there.
    const count = counters();
    // Act
    const run = await w.drift({ mode: 'repair' });
    // Assess
    expect(run.error).toBeUndefined();
    const report = reportOf(run);
    expect(report).toMatchObject({ outcome: 'repaired', counts: { drift: report.items.length, repaired: report.items.length } });
    expect(fields(report.items)).toEqual(kind.items());
    expect(enteredStates(run).filter((s) => s === 'Observe')).toHaveLength(2);
    kind.converged();
    const area = kind.area ?? (report.items[0]!.area === 'keycloak' ? 'keycloak' : 'aws');
    // Observe (one command: the realm and the CIMD file), then the repair, then observe again. The realm
    // repair is the reconciler's observe + apply; the CIMD repair is the publish step's observe + write.
    expect(count.commands()).toBe(area === 'aws' ? 2 : 4);
    expect(count.keycloakWrites() > 0).toBe(area === 'keycloak');
    expect(mutating().length > 0).toBe(area === 'aws');
    const again = await w.drift({ mode: 'report' });
    expect(reportOf(again).outcome).toBe('clean');
  });
});
