import { CreateGatewayCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import type { AgentCoreEmulator } from '../../../emulators/agentcore';
import { clientFor } from '../../support/agentcore';
import { enteredStates, OWNER, seedWithTargets, startWorld, type World } from '../../support/provisioning';
import { seedRaw } from '../../support/seed';

const NAME = 'mcp-gateway-keycloak-demo';

describe('provision.asl.json: real state machine, real handlers, real SDK client, AgentCore emulator', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world.close());

  it('fresh create: gateway, READY, then the target, READY; the summary names both', async () => {
    // Act
    const run = await world.provision();
    // Assess
    expect(run).toMatchObject({ status: 'SUCCEEDED' });
    const [gateway] = world.emulator.state().gateways;
    expect(run.output).toEqual({
      gatewayId: gateway!.gatewayId,
      gatewayArn: gateway!.gatewayArn,
      gatewayUrl: gateway!.gatewayUrl,
      action: 'created',
      targets: [{ name: 'my-mcp-server', targetId: gateway!.targets[0]!.targetId, status: 'READY', action: 'created' }],
    });
    expect(gateway).toMatchObject({ name: NAME, status: 'READY', tags: { 'managed-by': 'keygate', 'keygate:owner': OWNER } });
    // Never CreateGatewayTarget before GetGateway said READY: no CREATING race, and the order of steps.
    expect(world.emulator.callLog({ op: 'CreateGatewayTarget' }).map((c) => c.status)).toEqual([202]);
    const states = enteredStates(run);
    expect(states.lastIndexOf('Await Gateway Ready')).toBeLessThan(states.indexOf('Ensure Gateway Target'));
    expect(states.slice(-8)).toEqual(['Do Targets Need Consent?', 'Apply Resource Policy', 'Reconcile Keycloak Realm', 'CIMD Destination?', 'Publish CIMD Document', 'Verify Chain', 'Confirm Still Ready', 'Provisioning Succeeded']);
    // The target was created with the document's private endpoint (gateway id, not ARN, in the path).
    expect(world.emulator.callLog({ op: 'CreateGatewayTarget' })[0]!.path).toBe(`/gateways/${gateway!.gatewayId}/targets/`);
    expect(gateway!.targets[0]).toMatchObject({ privateEndpoint: { managedVpcResource: { vpcIdentifier: 'vpc-0a1b2c3d4e5f60718' } } });
  });

  it('an immediate re-run makes no mutating call and reports every resource unchanged', async () => {
    // Prepare
    await world.provision();
    world.emulator.resetCalls();
    // Act
    const run = await world.provision();
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(world.emulator.callLog({ mutating: true })).toEqual([]);
    expect(world.emulator.calls.length).toBeGreaterThan(0);
    expect(run.output).toMatchObject({ action: 'unchanged', targets: [{ action: 'unchanged', status: 'READY' }] });
  });

  it('a changed audience list updates the gateway in place, keeping what keygate does not manage', async () => {
    // Prepare
    const first = await world.provision();
    const kmsKeyArn = 'arn:aws:kms:eu-central-1:111122223333:key/0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7';
    // Set by someone else (console, another tool); UpdateGateway is a full replacement and must not clear them.
    const unmanaged = { kmsKeyArn, wafConfiguration: { failureMode: 'FAIL_CLOSE' }, customTransformConfiguration: { lambda: { arn: 'arn:aws:lambda:eu-central-1:111122223333:function:transform' } } };
    world.emulator.editGateway(NAME, unmanaged);
    const changed = withAudience(seedRaw(), 'mcp-gateway-demo-v2');
    world.emulator.resetCalls();
    // Act
    const run = await world.provision(changed);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(world.emulator.callLog({ mutating: true }).map((c) => c.op)).toEqual(['UpdateGateway']);
    const [gateway] = world.emulator.state().gateways;
    expect(gateway!.gatewayId).toBe((first.output as { gatewayId: string }).gatewayId);
    expect(gateway).toMatchObject({ ...unmanaged, authorizerConfiguration: { customJWTAuthorizer: { allowedAudience: ['mcp-gateway-demo', 'mcp-gateway-demo-v2'] } } });
    expect(world.emulator.callLog({ op: 'UpdateGateway' })[0]!.request).toMatchObject(unmanaged);
    expect(run.output).toMatchObject({ action: 'updated', targets: [{ action: 'unchanged' }] });
  });

  it('reordering audiences, scopes and subnets, or repeating one, is not a change', async () => {
    // Prepare
    const raw = withAudience(seedRaw(), 'b-aud');
    raw.targets[0].privateEndpoint.managedVpcResource.subnetIds = ['subnet-0b1c2d3e4f5a60718', 'subnet-0a1c2d3e4f5a60718'];
    expect((await world.provision(raw)).status).toBe('SUCCEEDED');
    world.emulator.resetCalls();
    raw.gateway.authorizer.allowedAudiences = ['b-aud', 'mcp-gateway-demo', 'b-aud'];
    raw.targets[0].privateEndpoint.managedVpcResource.subnetIds = ['subnet-0a1c2d3e4f5a60718', 'subnet-0b1c2d3e4f5a60718'];
    // Act
    const run = await world.provision(raw);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(world.emulator.callLog({ mutating: true })).toEqual([]);
  });

  it('gateway FAILED ends the execution with the status reasons in the error cause, and no target is created', async () => {
    world.emulator.failNext({ kind: 'gateway', name: NAME, reasons: ['Role validation failed: arn:aws:iam::111122223333:role/keygate-it-GatewayRole-1A2B3C4D5E6F'] });
    const run = await world.provision();
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('GatewayFailedError');
    expect(JSON.parse(run.cause!)).toMatchObject({ errorType: 'GatewayFailedError', errorMessage: expect.stringContaining('is FAILED: Role validation failed') });
    expect(world.emulator.callLog({ op: 'CreateGatewayTarget' })).toEqual([]);
  });

  it('target FAILED ends the execution with the status reasons in the error cause', async () => {
    world.emulator.failNext({ kind: 'target', name: 'my-mcp-server', reasons: ['Failed to connect and fetch tools from the MCP server: Authorization error'] });
    const run = await world.provision();
    expect(run).toMatchObject({ status: 'FAILED', error: 'GatewayTargetFailedError' });
    expect(run.cause).toContain('Failed to connect and fetch tools from the MCP server: Authorization error');
    expect(run.cause).toContain('my-mcp-server');
  });

  it('a re-run after a target failed re-applies the target and converges', async () => {
    world.emulator.failNext({ kind: 'target', name: 'my-mcp-server', reasons: ['MCP server has no tools'] });
    await world.provision();
    world.emulator.resetCalls();
    const run = await world.provision();
    expect(run.status).toBe('SUCCEEDED');
    // The failed run stopped before the resource policy step, so this run also puts the policy.
    expect(world.emulator.callLog({ mutating: true }).map((c) => c.op)).toEqual(['UpdateGatewayTarget', 'PutResourcePolicy']);
    expect(run.output).toMatchObject({ targets: [{ status: 'READY', action: 'updated' }] });
  });

  it('treats a CreateGatewayTarget answered with the CREATING ValidationException as pending, bounded', async () => {
    world.emulator.injectFault({ type: 'ValidationException', message: 'Cannot perform operation CreateGatewayTarget when gateway is in CREATING status', ops: ['CreateGatewayTarget'], count: 2 });
    const run = await world.provision();
    expect(run.status).toBe('SUCCEEDED');
    expect(world.emulator.callLog({ op: 'CreateGatewayTarget' }).map((c) => c.status)).toEqual([400, 400, 202]);
    expect(run.events.filter((e) => e.type === 'StateRetried' && e.state?.name === 'Ensure Gateway Target')).toHaveLength(2);
  });

  it('survives a throttling burst (SDK retries, then the state machine retries)', async () => {
    world.emulator.throttle(7, ['ListGateways', 'GetGateway']);
    const run = await world.provision();
    expect(run.status).toBe('SUCCEEDED');
    expect(world.emulator.calls.filter((c) => c.status === 429)).toHaveLength(7);
    expect(run.events.some((e) => e.type === 'StateRetried' && e.state?.name === 'Ensure Gateway')).toBe(true);
  }, 60_000);

  it('12 targets: never more than 5 target operations in progress on the gateway, and all READY', async () => {
    // The emulated clock stands still from the first CreateGatewayTarget until five have been made and a
    // readiness poll follows: no target of the first wave can be READY before the fifth is created, so the
    // overlap is the Map's MaxConcurrency, not how fast a loaded machine starts the branches (at speed 400 a
    // target is READY 75 ms after its create, less than five branches may take to start on a busy machine).
    await world.close();
    let emulator: AgentCoreEmulator | undefined;
    let frozenAt: number | undefined;
    const now = () => {
      const calls = emulator?.calls ?? [];
      const creates = calls.filter((c) => c.op === 'CreateGatewayTarget');
      const fifth = creates[4];
      if (!creates.length || (fifth && calls.some((c) => c.seq > fifth.seq && c.op === 'GetGatewayTarget'))) return Date.now();
      return (frozenAt ??= creates[0]!.startedAt);
    };
    world = await startWorld({ now });
    emulator = world.emulator;
    const run = await world.provision(seedWithTargets(12));
    expect(run.status).toBe('SUCCEEDED');
    const concurrency = world.emulator.calls.filter((c) => c.targetOperations !== undefined).map((c) => c.targetOperations!);
    expect(Math.max(...concurrency)).toBe(5);
    expect(world.emulator.calls.filter((c) => c.status === 402)).toEqual([]);
    expect((run.output as { targets: unknown[] }).targets).toHaveLength(12);
    expect(world.emulator.state().gateways[0]!.targets.every((t) => t.status === 'READY')).toBe(true);
  });

  it('PENDING_AUTH ends the execution as needs-consent with the authorization URL, not a timeout', async () => {
    world.emulator.requireConsent({ name: 'my-mcp-server', authorizationUrl: 'https://idp.example.com/oauth2/authorize?request_uri=urn:x' });
    const run = await world.provision();
    expect(run).toMatchObject({ status: 'FAILED', error: 'GatewayTargetNeedsConsent' });
    expect(run.cause).toContain('target my-mcp-server');
    expect(run.cause).toContain('CREATE_PENDING_AUTH');
    expect(run.cause).toContain('https://idp.example.com/oauth2/authorize?request_uri=urn:x');
    expect(enteredStates(run)).toContain('Summarize Provisioning');
    expect(enteredStates(run)).not.toContain('Apply Resource Policy');
  });

  it('refuses a gateway of the same name that this stack does not own, and changes nothing', async () => {
    const client = clientFor(world.emulator);
    await client.send(
      new CreateGatewayCommand({
        name: NAME,
        roleArn: 'arn:aws:iam::111122223333:role/someone-else',
        authorizerType: 'CUSTOM_JWT',
        authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: 'https://other.example.com/.well-known/openid-configuration' } },
      }),
    );
    client.destroy();
    world.emulator.resetCalls();
    const run = await world.provision();
    expect(run).toMatchObject({ status: 'FAILED', error: 'GatewayNotOwnedError' });
    expect(run.cause).toContain(`keygate:owner=${OWNER}`);
    expect(world.emulator.callLog({ mutating: true })).toEqual([]);
  });

  it('a renamed gateway stops with an error naming gateway.name, unless replacement is allowed', async () => {
    // Prepare
    await world.provision();
    const renamed = seedRaw();
    renamed.gateway.name = 'mcp-gateway-keycloak-v2';
    world.emulator.resetCalls();
    // Act
    const refused = await world.provision(renamed);
    renamed.gateway.allowReplacement = true;
    const replaced = await world.provision(renamed);
    // Assess
    expect(refused).toMatchObject({ status: 'FAILED', error: 'GatewayImmutableFieldError' });
    expect(refused.cause).toContain('gateway.name cannot be changed in place');
    expect(replaced.status).toBe('SUCCEEDED');
    expect(world.emulator.state().gateways.map((g) => [g.name, g.status, g.targets.length])).toEqual([['mcp-gateway-keycloak-v2', 'READY', 1]]);
    // The new gateway has a new ARN, so it gets its own resource policy.
    expect(world.emulator.callLog({ mutating: true }).map((c) => c.op)).toEqual(['DeleteGatewayTarget', 'DeleteGateway', 'CreateGateway', 'CreateGatewayTarget', 'PutResourcePolicy']);
  });
});

/** The document with one more allowed audience, and the client scope whose audience mapper issues it (lint gateway-audience-unmapped). */
function withAudience(raw: Record<string, any>, audience: string): Record<string, any> {
  raw.gateway.authorizer.allowedAudiences.push(audience);
  raw.keycloak.realm.clientScopes.push({ name: `scope-${audience}`, audienceMapper: { name: `aud-${audience}`, audience } });
  return raw;
}
