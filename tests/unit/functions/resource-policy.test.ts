import {
  BedrockAgentCoreControlClient,
  GetResourcePolicyCommand,
  InternalServerException,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as applyHandler } from '../../../functions/apply-resource-policy';
import { handler as rotationHandler } from '../../../functions/plan-policy-rotation';
import { buildResourcePolicy } from '../../../functions/core/policy/render-resource-policy';
import { aslFiles, scopesOf } from '../../support/asl';
import { invoke } from '../../support/lambda';
import { seedDesired, seedWith } from '../../support/seed';

const agentcore = mockClient(BedrockAgentCoreControlClient);
const ssm = mockClient(SSMClient);
const sfn = mockClient(SFNClient);
const ROTATION = 'arn:aws:states:ap-northeast-1:111122223333:stateMachine:RotateGatewayPolicyStateMachine-AbC123';
const ARN = 'arn:aws:bedrock-agentcore:ap-northeast-1:111122223333:gateway/mcp-gateway-keycloak-demo-k3j9x2m4p7';
const PARAM = '/keygate/mcp-keycloak-agentcore/gateway-vpce-id';
const A = 'vpce-0aaaaaaaaaaaaaaaa';
const B = 'vpce-0bbbbbbbbbbbbbbbb';
const policyText = (ids: string[]) => JSON.stringify(buildResourcePolicy(ARN, ids));

/** The gateway's policy as a store: Get returns what the last Put wrote, so the read-back checks the write. */
function livePolicy(initial: string) {
  let current = initial;
  agentcore.on(GetResourcePolicyCommand).callsFake(() => ({ policy: current }));
  agentcore.on(PutResourcePolicyCommand).callsFake((input: { policy: string }) => ((current = input.policy), { policy: current }));
}

beforeEach(() => {
  agentcore.reset();
  ssm.reset();
  sfn.reset();
});

describe('apply-resource-policy', () => {
  it('puts the policy when the gateway has none (404), then verifies it', async () => {
    // Prepare
    ssm.on(GetParameterCommand, { Name: PARAM }).resolves({ Parameter: { Value: A } });
    agentcore.on(GetResourcePolicyCommand).rejectsOnce(new ResourceNotFoundException({ $metadata: {}, message: 'no policy' })).resolves({ policy: policyText([A]) });
    agentcore.on(PutResourcePolicyCommand).resolves({ policy: policyText([A]) });
    // Act
    const out = await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN });
    // Assess
    expect(out).toEqual({ action: 'created', vpcEndpointIds: [A], changedFields: ['policy'] });
    expect(agentcore).toHaveReceivedCommandWith(PutResourcePolicyCommand, { resourceArn: ARN, policy: policyText([A]) });
  });

  it('treats a 200 without policy as no policy', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: A } });
    agentcore.on(GetResourcePolicyCommand).resolvesOnce({}).resolves({ policy: policyText([A]) });
    agentcore.on(PutResourcePolicyCommand).resolves({});
    expect((await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN })).action).toBe('created');
  });

  it('puts nothing when the live policy already matches', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: A } });
    agentcore.on(GetResourcePolicyCommand).resolves({ policy: policyText([A]) });
    expect(await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN })).toEqual({ action: 'unchanged', vpcEndpointIds: [A], changedFields: [] });
    expect(agentcore).toHaveReceivedCommandTimes(PutResourcePolicyCommand, 0);
  });

  it('restores a hand-edited policy and names what differed', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: A } });
    livePolicy(policyText([B]));
    const out = await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN });
    expect(out.action).toBe('updated');
    expect(out.changedFields).toContain('Statement[AllowInvokeFromApprovedVpcEndpoints].Condition');
    expect(agentcore).toHaveReceivedCommandWith(PutResourcePolicyCommand, { resourceArn: ARN, policy: policyText([A]) });
  });

  it('allows exactly the ids given for a rotation phase, without reading the parameter', async () => {
    livePolicy(policyText([A]));
    const out = await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN, allow: [A, B] });
    expect(out.vpcEndpointIds).toEqual([A, B]);
    expect(agentcore).toHaveReceivedCommandWith(PutResourcePolicyCommand, { resourceArn: ARN, policy: policyText([A, B]) });
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 0);
  });

  it('writes nothing from a malformed parameter value and fails with VpcEndpointIdInvalidError', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'vpce-not-hex' } });
    await expect(invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN })).rejects.toMatchObject({ name: 'VpcEndpointIdInvalidError', parameterName: PARAM });
    expect(agentcore).toHaveReceivedCommandTimes(PutResourcePolicyCommand, 0);
  });

  it('fails loudly when Put is rejected, and never deletes the policy', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: A } });
    agentcore.on(GetResourcePolicyCommand).resolves({ policy: policyText([B]) });
    agentcore.on(PutResourcePolicyCommand).rejects(new ValidationException({ $metadata: {}, message: 'bad policy', reason: 'FieldValidationFailed' }));
    await expect(invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN })).rejects.toMatchObject({ name: 'ValidationException' });
    expect(agentcore.commandCalls(PutResourcePolicyCommand)).toHaveLength(1);
    expect(agentcore.calls().map((c) => c.args[0].constructor.name)).not.toContain('DeleteResourcePolicyCommand');
  });

  it('lets a transient service error through unchanged for the state machine to retry', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: A } });
    agentcore.on(GetResourcePolicyCommand).rejects(new InternalServerException({ $metadata: {}, message: 'boom' }));
    await expect(invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN })).rejects.toMatchObject({ name: 'InternalServerException' });
  });

  it('fails with ResourcePolicyNotConvergedError when the policy read back differs', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: A } });
    agentcore.on(GetResourcePolicyCommand).resolves({ policy: policyText([B]) });
    agentcore.on(PutResourcePolicyCommand).resolves({});
    await expect(invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN })).rejects.toMatchObject({ name: 'ResourcePolicyNotConvergedError' });
  });

  it('does nothing for a document without a resourcePolicy section', async () => {
    const desired = seedWith((r) => delete r.resourcePolicy);
    expect(await invoke(applyHandler, { desired, gatewayArn: ARN })).toEqual({ action: 'unmanaged', vpcEndpointIds: [], changedFields: [] });
    expect(agentcore.calls()).toHaveLength(0);
  });

  it('uses literal ids from the document', async () => {
    const desired = seedWith((r) => (r.resourcePolicy.vpcEndpoint = { ids: [B] }));
    agentcore.on(GetResourcePolicyCommand).resolves({ policy: policyText([B]) });
    expect((await invoke(applyHandler, { desired, gatewayArn: ARN })).vpcEndpointIds).toEqual([B]);
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('apply-resource-policy while a rotation of the stack is running', () => {
  const running = (names: string[]) => sfn.on(ListExecutionsCommand, { stateMachineArn: ROTATION, statusFilter: 'RUNNING' }).resolves({ executions: names.map((name) => ({ name, executionArn: `${ROTATION}:${name}`, stateMachineArn: ROTATION, status: 'RUNNING', startDate: new Date('2026-11-21T10:00:00Z') })) });

  it('keeps the live policy that allows the old endpoint too, and says why', async () => {
    // Prepare: the rotation allowed A and B for its grace period; the parameter already says B.
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: B } });
    livePolicy(policyText([A, B]));
    running(['rotate-1']);
    // Act
    const out = await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN, rotationStateMachineArn: ROTATION });
    // Assess
    expect(out).toEqual({ action: 'unchanged', vpcEndpointIds: [A, B], changedFields: [], reason: 'rotation in progress: RotateGatewayPolicyStateMachine-AbC123/rotate-1' });
    expect(agentcore).toHaveReceivedCommandTimes(PutResourcePolicyCommand, 0);
  });

  it('narrows once no rotation runs', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: B } });
    livePolicy(policyText([A, B]));
    running([]);
    expect(await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN, rotationStateMachineArn: ROTATION })).toMatchObject({ action: 'updated', vpcEndpointIds: [B] });
    expect(agentcore).toHaveReceivedCommandWith(PutResourcePolicyCommand, { policy: policyText([B]) });
  });

  it('asks Step Functions only when the apply would narrow the policy, and never for the rotation\'s own calls', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: A } });
    livePolicy(policyText([A]));
    running(['rotate-1']);
    expect((await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN, rotationStateMachineArn: ROTATION })).action).toBe('unchanged');
    expect(await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN, rotationStateMachineArn: ROTATION, allow: [B] })).toMatchObject({ action: 'updated', vpcEndpointIds: [B] });
    expect(await invoke(applyHandler, { desired: seedDesired(), gatewayArn: ARN, rotationStateMachineArn: '' })).toMatchObject({ action: 'updated', vpcEndpointIds: [A] });
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('every Apply Resource Policy Task in the state machines', () => {
  it('passes an explicit allow list (the rotation) or the rotation state machine (provisioning, drift repair)', () => {
    const tasks = aslFiles().flatMap((file) => scopesOf(file).flatMap((scope) => Object.entries(scope.states).filter(([, st]) => st.Resource === '${ApplyResourcePolicyFunctionArn}').map(([name, st]) => [`${file} ${name}`, st.Parameters] as const)));
    expect(tasks.map(([where]) => where).sort()).toEqual([
      'drift.asl.json Repair Resource Policy',
      'provision.asl.json Apply Resource Policy',
      'rotate-gateway-policy.asl.json Allow Old And New Endpoints',
      'rotate-gateway-policy.asl.json Allow Only New Endpoint',
    ]);
    for (const [where, parameters] of tasks) expect([where, 'allow.$' in parameters || parameters.rotationStateMachineArn === '${RotateGatewayPolicyStateMachineArn}']).toEqual([where, true]);
  });
});

describe('plan-policy-rotation', () => {
  it('plans A+B during the grace period and B after it', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: B } });
    agentcore.on(GetResourcePolicyCommand).resolves({ policy: policyText([A]) });
    expect(await invoke(rotationHandler, { desired: seedDesired(), gatewayArn: ARN })).toEqual({ inSync: false, during: [A, B], after: [B], currentlyAllowed: [A], gracePeriodSeconds: 300 });
  });

  it('is in sync when the policy already allows exactly the new value', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: A } });
    agentcore.on(GetResourcePolicyCommand).resolves({ policy: policyText([A]) });
    expect(await invoke(rotationHandler, { desired: seedDesired(), gatewayArn: ARN })).toMatchObject({ inSync: true, during: [A], after: [A] });
  });

  it('confirms after the grace period whether the parameter still holds the planned value', async () => {
    ssm.on(GetParameterCommand).resolvesOnce({ Parameter: { Value: B } }).resolves({ Parameter: { Value: 'vpce-0ccccccccccccccc0' } });
    expect(await invoke(rotationHandler, { desired: seedDesired(), gatewayArn: ARN, expected: [B] })).toEqual({ stillCurrent: true, current: [B] });
    expect(await invoke(rotationHandler, { desired: seedDesired(), gatewayArn: ARN, expected: [B] })).toEqual({ stillCurrent: false, current: ['vpce-0ccccccccccccccc0'] });
  });
});
