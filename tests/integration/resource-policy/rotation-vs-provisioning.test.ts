import { KEYGATE_HANDLERS } from '../../../emulators/stepfunctions/handlers';
import { INITIAL_VPC_ENDPOINT, parameterStoreEvent } from '../../../emulators/world';
import type { RunResult } from '../../../emulators/stepfunctions';
import { allowedVpcEndpointIds } from '../../../functions/core/policy/compare-policy';
import { startWorld, type World } from '../../support/provisioning';

// A provisioning run (or a drift repair: the same Apply Resource Policy step) while a VPC endpoint
// rotation of the stack is RUNNING must not narrow the policy: the rotation allows the old and the new
// endpoint during its grace period and narrows the policy itself afterwards. Through the real
// provision and rotate-gateway-policy state machines, the real handlers, the AgentCore, SSM and Step
// Functions (ListExecutions) emulators.

const A = INITIAL_VPC_ENDPOINT;
const B = 'vpce-0b1c2d3e4f5a60719';
const PARAMETER = '/keygate/mcp-keycloak-agentcore/gateway-vpce-id';
let world: World;

const allowedNow = () => allowedVpcEndpointIds(JSON.parse(world.emulator.state().gateways[0]!.policy!));
const puts = () => world.emulator.callLog({ op: 'PutResourcePolicy' }).map((c) => allowedVpcEndpointIds(JSON.parse(String((c.request as { policy: string }).policy))));
/** What provisioning's Apply Resource Policy step returned (its ResultPath $.resourcePolicy). */
const applied = (run: RunResult) => {
  const exited = run.events.filter((e) => e.type === 'StateExited' && e.state?.name === 'Apply Resource Policy');
  return (exited.at(-1)?.state as unknown as { output: { resourcePolicy: { action: string; vpcEndpointIds: string[]; reason?: string } } }).output.resourcePolicy;
};
const ROTATION = /^rotation in progress: keygate-local-RotateGatewayPolicyStateMachine\/rotate-gateway-policy-\d+$/;

/** Runs the rotation; `during(phase)` runs inside it: before its plan ('plan') or in its grace period ('confirm'). */
async function rotateWith(phase: 'plan' | 'confirm', during: () => Promise<void>): Promise<RunResult> {
  const plan = KEYGATE_HANDLERS.PlanPolicyRotationFunctionArn as (event: { expected?: string[] }, context: never) => Promise<unknown>;
  return world.local.run('rotate-gateway-policy', {
    input: parameterStoreEvent(PARAMETER, 'Update'),
    overrides: {
      handlers: {
        ...KEYGATE_HANDLERS,
        PlanPolicyRotationFunctionArn: async (event: { expected?: string[] }, context: never) => {
          if ((event.expected ? 'confirm' : 'plan') === phase) await during();
          return plan(event, context);
        },
      },
    },
  });
}

beforeEach(async () => {
  world = await startWorld();
  expect((await world.provision()).status).toBe('SUCCEEDED');
  world.emulator.resetCalls();
});
afterEach(() => world.close());

describe('provisioning while a rotation of the stack is running', () => {
  it('in the grace period: keeps the old endpoint allowed, says why, and the rotation narrows the policy afterwards', async () => {
    // Prepare: the network stack replaced the endpoint A with B.
    world.local.setVpcEndpoint(B);
    let provisioning: RunResult | undefined;
    let duringGrace: string[] = [];
    // Act: provisioning runs while the rotation waits out its grace period (A and B allowed).
    const rotation = await rotateWith('confirm', async () => {
      expect(allowedNow()).toEqual([A, B]);
      provisioning = await world.provision();
      duringGrace = allowedNow();
    });
    // Assess
    expect(provisioning!.status).toBe('SUCCEEDED');
    expect(duringGrace).toEqual([A, B]);
    expect(applied(provisioning!)).toMatchObject({ action: 'unchanged', vpcEndpointIds: [A, B], reason: expect.stringMatching(ROTATION) });
    expect(rotation.status).toBe('SUCCEEDED');
    expect(puts()).toEqual([[A, B], [B]]);
    expect(allowedNow()).toEqual([B]);
  });

  it('right after the rotation started: adds the new endpoint instead of cutting the old one off', async () => {
    world.local.setVpcEndpoint(B);
    let provisioning: RunResult | undefined;
    // Act: provisioning runs before the rotation has widened the policy (the live policy allows A only).
    const rotation = await rotateWith('plan', async () => {
      provisioning = await world.provision();
    });
    // Assess: A stays allowed with B; the rotation still waits its grace period and then narrows.
    expect(applied(provisioning!)).toMatchObject({ action: 'updated', vpcEndpointIds: [A, B], reason: expect.stringMatching(ROTATION) });
    expect(rotation.status).toBe('SUCCEEDED');
    expect(puts()).toEqual([[A, B], [B]]);
    expect(allowedNow()).toEqual([B]);
  });

  it('without a running rotation, provisioning narrows a policy that allows more than the document', async () => {
    // Prepare: a rotation that ended superseded (or a hand edit) left A and B allowed; the parameter says B.
    world.local.setVpcEndpoint(B);
    const rotation = await rotateWith('confirm', async () => world.local.setVpcEndpoint(A));
    expect(rotation.output).toMatchObject({ confirmation: { stillCurrent: false } });
    expect(allowedNow()).toEqual([A, B]);
    world.local.setVpcEndpoint(B);
    const before = world.local.stepfunctions.calls.length;
    // Act
    const run = await world.provision();
    // Assess: it looked for a running rotation (none), then narrowed.
    expect(applied(run)).toEqual({ action: 'updated', vpcEndpointIds: [B], changedFields: expect.any(Array) });
    expect(allowedNow()).toEqual([B]);
    expect(policyListings(before).map((c) => [c.input.stateMachineArn, c.input.statusFilter])).toEqual([[world.local.stateMachineArn('rotate-gateway-policy'), 'RUNNING']]);
  });

  it('a converged policy costs no ListExecutions call', async () => {
    const before = world.local.stepfunctions.calls.length;
    const run = await world.provision();
    expect(applied(run)).toMatchObject({ action: 'unchanged', vpcEndpointIds: [A] });
    expect(applied(run).reason).toBeUndefined();
    expect(policyListings(before)).toEqual([]);
  });
});

/** ListExecutions calls since `before`, but the provisioning run guard's (it lists provisioning and teardown first). */
function policyListings(before: number) {
  const guarded = [world.local.stateMachineArn('provision'), world.local.stateMachineArn('teardown')];
  return world.local.stepfunctions.calls.slice(before).filter((c) => c.operation === 'ListExecutions' && !guarded.includes(c.input.stateMachineArn));
}
