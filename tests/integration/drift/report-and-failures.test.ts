import { CreateGatewayTargetCommand, BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { INVOKE_GATEWAY } from '../../../functions/core/policy/render-resource-policy';
import type { DriftWorld } from '../../support/drift';

// One run with drift in every resource, unmanaged resources beside it, the report's log lines,
// metrics and SNS summary; and the repairs that cannot converge, which fail naming the item.

let w: DriftWorld;
// The handlers (and with them the one logger, which resets its level from the environment on every
// invocation) load after this line: they log at INFO.
let drift: typeof import('../../support/drift');
let world: typeof import('../../../emulators/world');
type Run = Parameters<typeof import('../../support/drift').reportOf>[0];
const reportOf = (run: Run) => drift.reportOf(run);
const enteredStates = (run: Run) => run.events.filter((e) => e.type === 'StateEntered').map((e) => e.state!.name);
const GATEWAY = 'mcp-gateway-keycloak-demo';
const TEAM_POLICY = { name: 'team-payments-policy', description: 'owned by the payments team', enabled: true, conditions: [{ condition: 'client-access-type', configuration: { type: ['confidential'] } }], profiles: [] };
const realmPolicy = (name: string) => w.realm().policies.find((p) => p.name === name)!;

function driftEverywhere() {
  const gw = w.gateway();
  const auth = structuredClone(gw.authorizerConfiguration) as { customJWTAuthorizer: { allowedAudience: string[] } };
  auth.customJWTAuthorizer.allowedAudience = ['account'];
  w.local.agentcore.editGateway(GATEWAY, { authorizerConfiguration: auth });
  const target = gw.targets.find((t) => t.name === 'my-mcp-server')!;
  const config = structuredClone(target.targetConfiguration) as { mcp: { mcpServer: { endpoint: string } } };
  config.mcp.mcpServer.endpoint = 'https://elsewhere.example/mcp';
  w.local.agentcore.editTarget(GATEWAY, 'my-mcp-server', { targetConfiguration: config });
  w.local.agentcore.setPolicy(GATEWAY, JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: INVOKE_GATEWAY, Resource: gw.gatewayArn }] }));
  const scope = w.realm().clientScopes.find((s) => s.name === 'mcp:tools')!;
  scope.protocolMappers[0]!.config['included.custom.audience'] = 'someone-else';
  (w.realm().profiles.find((p) => p.name === 'cimd-profile')!.executors[0].configuration['cimd-allow-permitted-domains'] as string[]).splice(0, 1);
  realmPolicy('oauth-2-1-public-client-policy').enabled = false;
}

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  [drift, world] = await Promise.all([import('../../support/drift'), import('../../../emulators/world')]);
  w = await drift.startDriftWorld();
  expect((await w.provision()).status).toBe('SUCCEEDED');
});
afterAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  await w.close();
});

describe('drift in every resource, with unmanaged resources beside it', () => {
  let legacyTargetId: string;

  beforeAll(async () => {
    // Another team's target on the gateway, and another team's client policy in the realm.
    const client = new BedrockAgentCoreControlClient({});
    const out = await client.send(new CreateGatewayTargetCommand({ gatewayIdentifier: w.gateway().gatewayId, name: 'legacy-tools', targetConfiguration: { mcp: { mcpServer: { endpoint: 'https://legacy.example/mcp' } } } }));
    legacyTargetId = String(out.targetId);
    w.realm().policies.push(structuredClone(TEAM_POLICY));
    await new Promise((r) => setTimeout(r, 200));
    driftEverywhere();
    w.lines.length = 0;
  });

  it('one repair run reports every item, repairs all of them, and leaves the unmanaged ones exactly as they were', async () => {
    // Prepare
    const legacyBefore = w.gateway().targets.find((t) => t.name === 'legacy-tools');
    w.local.agentcore.resetCalls();
    // Act
    const run = await w.drift({ mode: 'repair' });
    // Assess
    expect(run.error).toBeUndefined();
    const report = reportOf(run);
    expect(report.outcome).toBe('repaired');
    expect([...new Set(report.items.map((i) => i.resource))]).toEqual([
      `gateway/${GATEWAY}`,
      'gateway-target/my-mcp-server',
      `resource-policy/${GATEWAY}`,
      'keycloak/audience-mapper/mcp:tools/aud-agentcore-gateway',
      'keycloak/client-profile/cimd-profile',
      'keycloak/client-policy/oauth-2-1-public-client-policy',
    ]);
    expect(report.counts).toEqual({ drift: report.items.length, repaired: report.items.length, unmanaged: 2 });
    expect(report.unmanaged.map((u) => u.resource)).toEqual(['gateway-target/legacy-tools', 'keycloak/client-policy/team-payments-policy']);
    // Untouched: no call addressed the legacy target, its state is the same; the team's policy is byte for byte the same.
    expect(w.local.agentcore.callLog({ mutating: true }).filter((c) => c.path.includes(legacyTargetId))).toEqual([]);
    expect(w.gateway().targets.find((t) => t.name === 'legacy-tools')).toEqual(legacyBefore);
    expect(realmPolicy('team-payments-policy')).toEqual(TEAM_POLICY);
    // And everything else converged: the next run finds only the unmanaged ones.
    const again = reportOf(await w.drift({ mode: 'report' }));
    expect(again).toMatchObject({ outcome: 'clean', items: [], counts: { unmanaged: 2 } });
  });

  it('logged one line per drift item with stable keys and the execution id as correlation id', () => {
    const runItems = w.lines.filter((l) => l.message === 'drift item' && l.outcome === 'repaired');
    expect(runItems.length).toBeGreaterThanOrEqual(6);
    for (const line of runItems) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(['driftItem', 'area', 'resource', 'field', 'expected', 'actual', 'change', 'correlation_id', 'function_name']));
      expect(line.correlation_id).toMatch(/:execution:keygate-local-DriftStateMachine:drift-\d+$/);
      expect(line.driftItem).toBe(`${line.resource}#${line.field}`);
    }
    expect(new Set(runItems.map((l) => l.correlation_id)).size).toBe(1);
    expect(w.lines.filter((l) => l.message === 'unmanaged resource').map((l) => l.resource)).toEqual(expect.arrayContaining(['gateway-target/legacy-tools', 'keycloak/client-policy/team-payments-policy']));
  });

  it('emitted the run metrics as EMF: drift items, repaired items, unmanaged items, repair failed', () => {
    const emf = w.lines.filter((l) => l._aws);
    const repaired = emf.find((l) => l.RepairedItems > 0)!;
    expect(repaired._aws.CloudWatchMetrics).toEqual([{ Namespace: 'keygate', Dimensions: [['service', 'stack']], Metrics: ['DriftItems', 'RepairedItems', 'UnmanagedItems', 'RepairFailed'].map((Name) => ({ Name, Unit: 'Count' })) }]);
    expect(repaired).toMatchObject({ service: 'keygate', stack: world.STACK.owner, DriftItems: repaired.RepairedItems, UnmanagedItems: 2, RepairFailed: 0 });
    expect(emf.at(-1)).toMatchObject({ DriftItems: 0, RepairedItems: 0, UnmanagedItems: 2, RepairFailed: 0 });
  });

  it('sent a readable summary to the SNS topic for the repair, none for the clean run', () => {
    const [message, ...rest] = w.local.sns.messages;
    expect(rest).toEqual([]);
    expect(message!.topicArn).toBe(w.local.driftTopicArn);
    expect(message!.subject).toMatch(/^keygate drift: \d+ items repaired on mcp-gateway-keycloak-demo$/);
    expect(message!.message).toContain('DRIFT  keycloak/client-policy/oauth-2-1-public-client-policy  enabled');
    expect(message!.message).toContain('UNMANAGED  keycloak/client-policy/team-payments-policy');
    expect(message!.message).toMatch(/Result: drift found and repaired \(observed again: no drift left\)/);
  });
});

describe('a repair that cannot converge fails naming the item', () => {
  it('Keycloak accepts a write and does not keep it: the realm reconciler names the policy and field', async () => {
    // Prepare: the policy is disabled, and the next PUT of the policies is answered 204 without storing.
    realmPolicy('oauth-2-1-public-client-policy').enabled = false;
    w.local.keycloak.failNext('PUT', '/client-policies/policies', { status: 204 });
    const messages = w.local.sns.messages.length;
    // Act
    const run = await w.drift({ mode: 'repair' });
    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.cause).toContain('KeycloakRealmNotConvergedError');
    expect(run.cause).toContain('oauth-2-1-public-client-policy');
    expect(run.cause).toContain('enabled: expected true, found false');
    expect(enteredStates(run).slice(-3)).toEqual(['Report Repair Failure', 'Release Lock After Failure', 'Drift Run Failed']);
    const failed = w.local.sns.messages.slice(messages);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.subject).toBe('keygate drift: repair failed (1 item) on mcp-gateway-keycloak-demo');
    expect(failed[0]!.message).toContain('oauth-2-1-public-client-policy');
    expect(w.lines.filter((l) => l._aws).at(-1)).toMatchObject({ RepairFailed: 1 });
    expect(w.local.dynamodb.item(world.STACK.driftLockTable, 'drift')).toBeUndefined();
    // The next run, with Keycloak keeping writes again, repairs it.
    expect(reportOf(await w.drift({ mode: 'repair' })).outcome).toBe('repaired');
  });

  it('another writer keeps re-editing the gateway: the repair fails with GatewayNotConvergedError naming the field', async () => {
    // Prepare
    const auth = structuredClone(w.gateway().authorizerConfiguration) as { customJWTAuthorizer: { allowedAudience: string[] } };
    auth.customJWTAuthorizer.allowedAudience = ['mcp-gateway-demo', 'account'];
    w.local.agentcore.holdEdit({ gateway: GATEWAY, patch: { authorizerConfiguration: auth } });
    // Act
    const run = await w.drift({ mode: 'repair' });
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'GatewayNotConvergedError' });
    expect(JSON.parse(run.cause!).errorMessage).toContain('gateway.authorizer.allowedAudiences');
    expect(w.local.agentcore.callLog({ op: 'UpdateGateway' }).length).toBeGreaterThan(0);
  });

  it('drift that comes back between the repair and the second look fails with DriftNotRepairedError naming resource, field, expected and found', async () => {
    // Prepare: a fresh world without the fighting writer; the policy is deleted, and deleted again right after the repair put it back.
    await w.close();
    w = await drift.startDriftWorld();
    expect((await w.provision()).status).toBe('SUCCEEDED');
    w.local.agentcore.setPolicy(GATEWAY, undefined);
    const { KEYGATE_HANDLERS } = await import('../../../emulators/stepfunctions/handlers');
    const applyResourcePolicy = KEYGATE_HANDLERS.ApplyResourcePolicyFunctionArn as (e: unknown, c: never) => Promise<unknown>;
    const deleteAgainAfterRepair = async (event: unknown, context: never) => {
      const out = await applyResourcePolicy(event, context);
      w.local.agentcore.setPolicy(GATEWAY, undefined);
      return out;
    };
    // Act
    const run = await w.drift({ mode: 'repair' }, { overrides: { handlers: { ...KEYGATE_HANDLERS, ApplyResourcePolicyFunctionArn: deleteAgainAfterRepair } } });
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'DriftNotRepairedError' });
    expect(JSON.parse(run.cause!).errorMessage).toMatch(/^drift remains after repair \(1 item\): resource-policy\/mcp-gateway-keycloak-demo policy: expected \{.*\}, found null\./);
    expect(enteredStates(run).filter((s) => s === 'Observe')).toHaveLength(2);
  });
});
