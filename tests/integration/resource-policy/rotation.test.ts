import { INITIAL_VPC_ENDPOINT } from '../../../emulators/world';
import { KEYGATE_HANDLERS } from '../../../emulators/stepfunctions/handlers';
import { allowedVpcEndpointIds } from '../../../functions/core/policy/compare-policy';
import { evaluatePolicy } from '../../../functions/core/policy/evaluate-policy';
import { buildResourcePolicy, INVOKE_GATEWAY } from '../../../functions/core/policy/render-resource-policy';
import { enteredStates, startWorld, type World } from '../../support/provisioning';

// Resource-policy binding and rotation through the real state machines and handlers, the real SDK
// clients, the AgentCore emulator and the SSM emulator's Parameter Store (emulators/world).

const A = INITIAL_VPC_ENDPOINT;
const B = 'vpce-0b1c2d3e4f5a60719';
const PARAMETER = '/keygate/mcp-keycloak-agentcore/gateway-vpce-id';
let world: World;

/** The Parameter Store Change event EventBridge delivers (it carries no value). */
const changeEvent = (operation = 'Update') => ({
  version: '0',
  'detail-type': 'Parameter Store Change',
  source: 'aws.ssm',
  detail: { operation, name: PARAMETER, type: 'String', description: '' },
});
const rotate = () => world.local.run('rotate-gateway-policy', { input: changeEvent() });
const gateway = () => world.emulator.state().gateways[0]!;
const livePolicy = () => JSON.parse(gateway().policy!) as ReturnType<typeof buildResourcePolicy>;
const decide = (vpce: string | undefined) => evaluatePolicy(livePolicy(), { action: INVOKE_GATEWAY, resource: gateway().gatewayArn, context: { 'aws:SourceVpce': vpce } });
const puts = () => world.emulator.callLog({ op: 'PutResourcePolicy' }).map((c) => allowedVpcEndpointIds(JSON.parse(String((c.request as { policy: string }).policy))));

beforeEach(async () => {
  world = await startWorld();
  expect((await world.provision()).status).toBe('SUCCEEDED');
  world.emulator.resetCalls();
});
afterEach(() => world.close());

describe('resource policy in provisioning', () => {
  it('binds the gateway to the VPC endpoint in the parameter: that endpoint allowed, any other or none denied', () => {
    expect([decide(A), decide(B), decide(undefined)]).toEqual(['allow', 'explicit-deny', 'explicit-deny']);
  });

  it('detects a hand-edited policy as different and restores it with one Put', async () => {
    // Prepare: someone opens the gateway to every endpoint by hand.
    world.emulator.setPolicy(gateway().gatewayId, JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: INVOKE_GATEWAY, Resource: gateway().gatewayArn }] }));
    expect(decide(B)).toBe('allow');
    // Act
    const run = await world.provision();
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(puts()).toEqual([[A]]);
    expect([decide(A), decide(B), decide(undefined)]).toEqual(['allow', 'explicit-deny', 'explicit-deny']);
  });

  it('restores a deleted policy', async () => {
    world.emulator.setPolicy(gateway().gatewayId, undefined);
    await world.provision();
    expect(puts()).toEqual([[A]]);
  });
});

describe('rotation on a Parameter Store change', () => {
  it('puts A+B, waits the grace period, reads the parameter again, then puts B only', async () => {
    // Prepare: the network stack replaced the endpoint.
    world.local.setVpcEndpoint(B);
    // Act
    const run = await rotate();
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(puts()).toEqual([[A, B], [B]]);
    expect(enteredStates(run)).toEqual([
      'Load Desired State', 'Find Gateway', 'Gateway Exists?', 'Plan Rotation', 'Already Allowed?',
      'Allow Old And New Endpoints', 'Wait Grace Period', 'Confirm Rotation', 'Still The New Endpoint?', 'Allow Only New Endpoint', 'Rotation Succeeded',
    ]);
    // The grace period is the document's (300 s, time-scaled in this world).
    expect((run.output as { rotation: { gracePeriodSeconds: number } }).rotation.gracePeriodSeconds).toBe(300);
    expect([decide(A), decide(B), decide(undefined)]).toEqual(['explicit-deny', 'allow', 'explicit-deny']);
  });

  it('the same value again puts nothing', async () => {
    world.local.setVpcEndpoint(B);
    await rotate();
    world.emulator.resetCalls();
    const run = await rotate();
    expect(run.status).toBe('SUCCEEDED');
    expect(enteredStates(run).at(-1)).toBe('Rotation Not Needed');
    expect(world.emulator.callLog({ mutating: true })).toEqual([]);
  });

  it('a malformed value puts nothing and fails clearly, keeping the current policy', async () => {
    world.local.setVpcEndpoint('vpce-NOT-AN-ID');
    const run = await rotate();
    expect(run).toMatchObject({ status: 'FAILED', error: 'VpcEndpointIdInvalidError' });
    expect(JSON.parse(run.cause!).errorMessage).toBe(
      `SSM parameter ${PARAMETER}: "vpce-NOT-AN-ID" is not vpce- followed by 8 to 17 hex digits; the gateway resource policy was not changed. Fix: write the id of the bedrock-agentcore.gateway interface endpoint (vpce-…) to ${PARAMETER}`,
    );
    expect(world.emulator.callLog({ mutating: true })).toEqual([]);
    expect(decide(A)).toBe('allow');
  });

  it('a change superseded during the grace period keeps both endpoints and leaves narrowing to the newer rotation', async () => {
    const C = 'vpce-0c1d2e3f4a5b60710';
    world.local.setVpcEndpoint(B);
    // The parameter changes again while this execution waits.
    const run = await world.local.run('rotate-gateway-policy', {
      input: changeEvent(),
      overrides: {
        handlers: {
          ...KEYGATE_HANDLERS,
          PlanPolicyRotationFunctionArn: async (event: { expected?: string[] }, context: never) => {
            if (event.expected) world.local.setVpcEndpoint(C);
            return (KEYGATE_HANDLERS.PlanPolicyRotationFunctionArn as (e: unknown, c: never) => Promise<unknown>)(event, context);
          },
        },
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(enteredStates(run).at(-1)).toBe('Rotation Superseded');
    expect(puts()).toEqual([[A, B]]);
    // The newer change's own rotation then narrows to C.
    world.emulator.resetCalls();
    expect((await rotate()).status).toBe('SUCCEEDED');
    expect(puts()).toEqual([[A, B, C], [C]]);
    expect([decide(A), decide(B), decide(C)]).toEqual(['explicit-deny', 'explicit-deny', 'allow']);
  });

  it('before the gateway exists, a change does nothing (provisioning applies the current value later)', async () => {
    await world.teardown();
    world.emulator.resetCalls();
    world.local.setVpcEndpoint(B);
    const run = await rotate();
    expect(run.status).toBe('SUCCEEDED');
    expect(enteredStates(run).at(-1)).toBe('Rotation Not Needed');
    expect(world.emulator.callLog({ mutating: true })).toEqual([]);
  });
});
