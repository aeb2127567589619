import { CreateGatewayTargetCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { KEYGATE_HANDLERS } from '../../../emulators/stepfunctions/handlers';
import { clientFor } from '../../support/agentcore';
import { seedWithTargets, startWorld, type World } from '../../support/provisioning';
import { seedRaw } from '../../support/seed';

const NAME = 'mcp-gateway-keycloak-demo';
const policyFor = (arn: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock-agentcore:InvokeGateway', Resource: arn }] });

describe('teardown.asl.json against the AgentCore emulator', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world.close());

  it('tears a full setup down in order: targets gone, then the gateway, and only then its resource policy', async () => {
    // Prepare
    await world.provision(seedWithTargets(7));
    const gateway = world.emulator.state().gateways[0]!;
    world.emulator.setPolicy(gateway.gatewayId, policyFor(gateway.gatewayArn));
    world.emulator.resetCalls();
    // Act
    const run = await world.teardown(seedWithTargets(7));
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(world.emulator.state().gateways).toEqual([]);
    const mutating = world.emulator.callLog({ mutating: true }).filter((c) => c.status < 300);
    expect(mutating.map((c) => c.op)).toEqual([...Array(7).fill('DeleteGatewayTarget'), 'DeleteGateway']);
    // Every target was gone (a 404) before DeleteGateway; never DeleteGateway while targets existed.
    const gatewayDeleteAt = mutating.find((c) => c.op === 'DeleteGateway')!.seq;
    const goneTargets = world.emulator.calls.filter((c) => c.op === 'GetGatewayTarget' && c.status === 404 && c.seq < gatewayDeleteAt);
    expect(goneTargets).toHaveLength(7);
    expect(world.emulator.calls.filter((c) => c.op === 'DeleteGateway' && c.status !== 202)).toEqual([]);
    // The policy stayed on until the gateway was gone; the delete after it is tolerant: the emulator drops
    // a gateway's policy with the gateway (UNCONFIRMED for AWS), so it answers 404, which means done.
    const gatewayGoneAt = world.emulator.calls.find((c) => c.op === 'GetGateway' && c.status === 404 && c.seq > gatewayDeleteAt)!.seq;
    expect(world.emulator.calls.filter((c) => c.op === 'DeleteResourcePolicy').map((c) => [c.status, c.seq > gatewayGoneAt])).toEqual([[404, true]]);
    expect(Math.max(...world.emulator.calls.map((c) => c.targetOperations ?? 0))).toBeLessThanOrEqual(5);
    expect(run.output).toMatchObject({ gateway: 'deleted', gatewayId: gateway.gatewayId, resourcePolicy: 'absent', targets: expect.arrayContaining([{ name: 'tools-1', action: 'deleted', targetId: expect.any(String) }]) });
  });

  it('tears a half-built setup down: a target still CREATING is waited for, a missing one is skipped', async () => {
    // Prepare: provisioning stopped at a FAILED gateway; once it is READY again someone starts a declared
    // target by hand, so teardown finds tools-1 CREATING and tools-2 absent.
    const document = seedWithTargets(2);
    world.emulator.failNext({ kind: 'gateway', name: NAME, reasons: ['unreachable discovery URL'] });
    expect((await world.provision(document)).status).toBe('FAILED');
    world.emulator.editGateway(NAME, { status: 'READY', statusReasons: [] });
    const gatewayId = world.emulator.state().gateways[0]!.gatewayId;
    const client = clientFor(world.emulator);
    await client.send(new CreateGatewayTargetCommand({ gatewayIdentifier: gatewayId, name: 'tools-1', targetConfiguration: { mcp: { mcpServer: { endpoint: 'https://tools-1.example.com/mcp' } } } }));
    client.destroy();
    // tools-1 stays CREATING until teardown has seen it so (not for a time a loaded machine may outlast).
    world.emulator.editTarget(NAME, 'tools-1', { status: 'CREATING' });
    world.emulator.resetCalls();
    // Act: tools-1 is CREATING, tools-2 does not exist, there is no resource policy.
    const run = await world.teardown(document, {
      onEvent: (e) => {
        if (e.type === 'StateRetried' && e.state?.name === 'Delete Gateway Target') world.emulator.editTarget(NAME, 'tools-1', { status: 'READY' });
      },
    });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(world.emulator.state().gateways).toEqual([]);
    expect(world.emulator.calls.filter((c) => c.op === 'DeleteGatewayTarget').map((c) => c.status)).toEqual([202]);
    expect(run.events.some((e) => e.type === 'StateRetried' && e.state?.name === 'Delete Gateway Target')).toBe(true);
    expect(run.output).toMatchObject({ gateway: 'deleted', resourcePolicy: 'absent', targets: [{ name: 'tools-1', action: 'deleted' }, { name: 'tools-2', action: 'absent' }] });
  });

  it('tears down a gateway that is still CREATING by waiting for it first', async () => {
    // Prepare: a gateway without targets that reports CREATING for a while.
    await world.provision();
    world.emulator.removeTarget(NAME, 'my-mcp-server');
    world.emulator.editGateway(NAME, { status: 'CREATING' });
    // Act: READY once teardown has seen it CREATING (not after a time a loaded machine may outlast).
    const run = await world.teardown(undefined, {
      onEvent: (e) => {
        if (e.type === 'StateRetried' && e.state?.name === 'Delete Gateway') world.emulator.editGateway(NAME, { status: 'READY' });
      },
    });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.events.some((e) => e.type === 'StateRetried' && e.state?.name === 'Delete Gateway')).toBe(true);
    expect(world.emulator.calls.filter((c) => c.op === 'DeleteGateway').map((c) => c.status)).toEqual([202]);
    expect(world.emulator.state().gateways).toEqual([]);
  });

  it('is idempotent: nothing to delete is success, and deletes nothing', async () => {
    const first = await world.teardown();
    expect(first).toMatchObject({ status: 'SUCCEEDED', output: { gateway: 'absent', name: NAME } });
    expect(world.emulator.callLog({ mutating: true })).toEqual([]);
  });

  it('an undeclared target stops the teardown before anything is deleted: the gateway keeps its targets and its resource policy', async () => {
    // Prepare: provisioning applied the VPC endpoint policy; the next document declares one target of two.
    await world.provision(seedWithTargets(2));
    const before = world.emulator.state().gateways[0]!;
    expect(before.policy).toBeDefined();
    world.emulator.resetCalls();
    // Act
    const run = await world.teardown(seedWithTargets(1));
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'GatewayHasTargetsError' });
    expect(run.cause).toContain('tools-2');
    expect(run.cause).toContain('Delete those targets, or declare them');
    const after = world.emulator.state().gateways;
    // (in the order their creates finished: the Map creates them at once)
    expect(after.map((g) => [g.gatewayId, g.status, g.targets.map((t) => t.name).sort()])).toEqual([[before.gatewayId, 'READY', ['tools-1', 'tools-2']]]);
    expect(after[0]!.policy).toBe(before.policy);
    expect(world.emulator.callLog({ mutating: true })).toEqual([]);
  });

  it('a target added after the check still stops DeleteGateway, and the policy stays on the live gateway', async () => {
    // Prepare: someone adds an undeclared target between Find Gateway and Delete Gateway.
    await world.provision(seedWithTargets(1));
    const before = world.emulator.state().gateways[0]!;
    const client = clientFor(world.emulator);
    const addTarget = async (event: unknown, context: never) => {
      const result = await (KEYGATE_HANDLERS.FindGatewayFunctionArn as (e: unknown, c: never) => Promise<unknown>)(event, context);
      await client.send(new CreateGatewayTargetCommand({ gatewayIdentifier: before.gatewayId, name: 'late-tools', targetConfiguration: { mcp: { mcpServer: { endpoint: 'https://late.example.com/mcp' } } } }));
      return result;
    };
    // Act
    const run = await world.teardown(seedWithTargets(1), { handlers: { ...KEYGATE_HANDLERS, FindGatewayFunctionArn: addTarget } });
    client.destroy();
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'GatewayHasTargetsError' });
    expect(run.cause).toContain('late-tools');
    const after = world.emulator.state().gateways[0]!;
    expect([after.status, after.targets.map((t) => t.name)]).toEqual(['READY', ['late-tools']]);
    expect(after.policy).toBe(before.policy);
    expect(world.emulator.callLog({ op: 'DeleteResourcePolicy' })).toEqual([]);
  });

  it('refuses to tear down a gateway this stack does not own', async () => {
    await world.provision();
    world.emulator.editGateway(NAME, { tags: { 'managed-by': 'someone-else' } });
    world.emulator.resetCalls();
    const run = await world.teardown();
    expect(run).toMatchObject({ status: 'FAILED', error: 'GatewayNotOwnedError' });
    expect(world.emulator.callLog({ mutating: true })).toEqual([]);
  });
});
