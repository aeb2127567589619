import {
  BedrockAgentCoreControlClient,
  ConflictException,
  CreateGatewayCommand,
  CreateGatewayTargetCommand,
  DeleteGatewayCommand,
  DeleteGatewayTargetCommand,
  GetGatewayCommand,
  GetGatewayTargetCommand,
  ListGatewaysCommand,
  ListGatewayTargetsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  UpdateGatewayCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as awaitDeletion } from '../../../functions/await-deletion';
import { handler as awaitGatewayReady } from '../../../functions/await-gateway-ready';
import { handler as awaitGatewayTargetReady } from '../../../functions/await-gateway-target-ready';
import { handler as deleteGateway } from '../../../functions/delete-gateway';
import { handler as deleteGatewayTarget } from '../../../functions/delete-gateway-target';
import { handler as ensureGateway } from '../../../functions/ensure-gateway';
import { handler as ensureGatewayTarget } from '../../../functions/ensure-gateway-target';
import { handler as findGateway } from '../../../functions/find-gateway';
import { renderCreateGateway, renderCreateTarget } from '../../../functions/core/gateway/render-gateway';
import { invoke } from '../../support/lambda';
import { seedDesired, seedWith } from '../../support/seed';

const agentcore = mockClient(BedrockAgentCoreControlClient);
const meta = { $metadata: {} };
const ROLE = 'arn:aws:iam::111122223333:role/keygate-dev-GatewayRole-ABC';
const ID = 'mcp-gateway-keycloak-demo-abcdefghij';
const ARN = `arn:aws:bedrock-agentcore:eu-central-1:111122223333:gateway/${ID}`;
const OWNED = { 'managed-by': 'keygate', 'keygate:owner': 'keygate-dev' };

// Read once per container, on first invocation (as at a Lambda cold start).
process.env.KEYGATE_OWNER = 'keygate-dev';
process.env.GATEWAY_ROLE_ARN = ROLE;

const MUTATING = /^(Create|Update|Delete|Put|Tag|Untag|Synchronize)/;

function observedGateway(extra: Record<string, unknown> = {}, desired = seedDesired().gateway) {
  const { clientToken: _t, tags: _g, ...body } = renderCreateGateway(desired, { roleArn: ROLE, clientToken: 'x'.repeat(40), owner: 'keygate-dev' });
  return { ...body, gatewayId: ID, gatewayArn: ARN, gatewayUrl: `https://${ID}.gateway/mcp`, status: 'READY', ...extra } as never;
}
function gatewayExists(extra: Record<string, unknown> = {}, tags: Record<string, string> = OWNED) {
  agentcore.on(ListGatewaysCommand).resolves({ items: [{ gatewayId: ID, name: 'mcp-gateway-keycloak-demo', status: 'READY' } as never] });
  agentcore.on(GetGatewayCommand).resolves(observedGateway(extra));
  agentcore.on(ListTagsForResourceCommand).resolves({ tags });
}
function targetExists(extra: Record<string, unknown> = {}) {
  const { clientToken: _t, gatewayIdentifier: _g, ...body } = renderCreateTarget(seedDesired().targets[0]!, { gatewayId: ID, clientToken: 'x'.repeat(40) });
  agentcore.on(ListGatewayTargetsCommand).resolves({ items: [{ targetId: 'ABCDEFGHIJ', name: 'my-mcp-server', status: 'READY' } as never] });
  agentcore.on(GetGatewayTargetCommand).resolves({ ...body, targetId: 'ABCDEFGHIJ', gatewayArn: ARN, status: 'READY', ...extra } as never);
}

beforeEach(() => agentcore.reset());

describe('ensure-gateway', () => {
  it('creates a missing gateway with a deterministic client token per execution, owner-tagged', async () => {
    agentcore.on(ListGatewaysCommand).resolves({ items: [] });
    agentcore.on(CreateGatewayCommand).resolves({ gatewayId: ID, gatewayArn: ARN, gatewayUrl: 'https://x/mcp', status: 'CREATING' } as never);
    const out = await invoke(ensureGateway, { desired: seedDesired(), correlationId: 'arn:aws:states:x:execution:m:one' });
    await invoke(ensureGateway, { desired: seedDesired(), correlationId: 'arn:aws:states:x:execution:m:one' });
    await invoke(ensureGateway, { desired: seedDesired(), correlationId: 'arn:aws:states:x:execution:m:two' });
    const tokens = agentcore.commandCalls(CreateGatewayCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens[0]).toMatch(/^keygate-[0-9a-f]{40}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(agentcore).toHaveReceivedCommandWith(CreateGatewayCommand, { name: 'mcp-gateway-keycloak-demo', roleArn: ROLE, tags: OWNED });
    expect(out).toMatchObject({ action: 'created', gatewayId: ID, gatewayArn: ARN, status: 'CREATING', waitUntil: expect.any(String) });
  });

  it('drift repair (createIfMissing: false) never creates a missing gateway: GatewayMissingError says to run provisioning', async () => {
    agentcore.on(ListGatewaysCommand).resolves({ items: [] });
    await expect(invoke(ensureGateway, { desired: seedDesired(), createIfMissing: false })).rejects.toMatchObject({ name: 'GatewayMissingError', message: expect.stringContaining('run provisioning') });
    expect(agentcore).not.toHaveReceivedCommand(CreateGatewayCommand);
  });

  describe('when another run creates the gateway first (CreateGateway answers ConflictException)', () => {
    const conflict = () => new ConflictException({ ...meta, message: 'A gateway named mcp-gateway-keycloak-demo already exists' });

    it('looks the name up again and continues with the gateway when it is ours', async () => {
      // Prepare: not listed at the first look; the create loses the race; listed at the second look.
      agentcore.on(ListGatewaysCommand).resolvesOnce({ items: [] }).resolves({ items: [{ gatewayId: ID, name: 'mcp-gateway-keycloak-demo', status: 'CREATING' } as never] });
      agentcore.on(GetGatewayCommand).resolves(observedGateway({ status: 'CREATING' }));
      agentcore.on(ListTagsForResourceCommand).resolves({ tags: OWNED });
      agentcore.on(CreateGatewayCommand).rejects(conflict());
      // Act
      const out = await invoke(ensureGateway, { desired: seedDesired(), correlationId: 'arn:aws:states:x:execution:m:late' });
      // Assess
      expect(out).toMatchObject({ action: 'unchanged', gatewayId: ID, status: 'CREATING' });
      expect(agentcore.commandCalls(CreateGatewayCommand)).toHaveLength(1);
      expect(agentcore.commandCalls(ListGatewaysCommand)).toHaveLength(2);
    });

    it('refuses a gateway under that name that this stack does not own', async () => {
      agentcore.on(ListGatewaysCommand).resolvesOnce({ items: [] }).resolves({ items: [{ gatewayId: ID, name: 'mcp-gateway-keycloak-demo', status: 'READY' } as never] });
      agentcore.on(GetGatewayCommand).resolves(observedGateway());
      agentcore.on(ListTagsForResourceCommand).resolves({ tags: { 'keygate:owner': 'someone-else' } });
      agentcore.on(CreateGatewayCommand).rejects(conflict());
      await expect(invoke(ensureGateway, { desired: seedDesired() })).rejects.toMatchObject({ name: 'GatewayNotOwnedError' });
    });

    it('is retryable (GatewayNotReadyError) when the name is still not listed, never a raw ConflictException', async () => {
      agentcore.on(ListGatewaysCommand).resolves({ items: [] });
      agentcore.on(CreateGatewayCommand).rejects(conflict());
      const error = await invoke(ensureGateway, { desired: seedDesired() }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'GatewayNotReadyError', message: expect.stringContaining('A gateway named mcp-gateway-keycloak-demo already exists') });
      expect(agentcore.commandCalls(CreateGatewayCommand)).toHaveLength(2);
    });
  });

  it('sends nothing when the gateway matches', async () => {
    gatewayExists();
    expect(await invoke(ensureGateway, { desired: seedDesired() })).toMatchObject({ action: 'unchanged', gatewayId: ID });
    expect(agentcore.calls().map((c) => c.args[0].constructor.name).filter((n) => MUTATING.test(n))).toEqual([]);
    expect(agentcore.calls().length).toBeGreaterThan(0);
  });

  it('waits (retryable error) instead of updating a gateway that is UPDATING or DELETING', async () => {
    gatewayExists({ status: 'UPDATING' });
    const changed = seedWith((raw) => (raw.gateway.authorizer.allowedScopes = ['mcp:tools', 'mcp:admin']));
    await expect(invoke(ensureGateway, { desired: changed })).rejects.toMatchObject({ name: 'GatewayNotReadyError', status: 'UPDATING' });
    gatewayExists({ status: 'DELETING' });
    await expect(invoke(ensureGateway, { desired: seedDesired() })).rejects.toMatchObject({ name: 'GatewayNotReadyError', status: 'DELETING' });
    expect(agentcore).not.toHaveReceivedCommand(UpdateGatewayCommand);
  });

  it('refuses a document role the stack may not pass, before calling AgentCore', async () => {
    const other = seedWith((raw) => (raw.gateway.roleArn = 'arn:aws:iam::111122223333:role/admin'));
    await expect(invoke(ensureGateway, { desired: other })).rejects.toMatchObject({ name: 'GatewayRoleMismatchError' });
    expect(agentcore.calls()).toHaveLength(0);
  });
});

describe('await-gateway-ready', () => {
  it('retries while CREATING and returns once READY and converged', async () => {
    agentcore.on(GetGatewayCommand).resolvesOnce(observedGateway({ status: 'CREATING' })).resolves(observedGateway());
    await expect(invoke(awaitGatewayReady, { gatewayId: ID, desired: seedDesired() })).rejects.toMatchObject({ name: 'GatewayNotReadyError' });
    expect(await invoke(awaitGatewayReady, { gatewayId: ID, desired: seedDesired() })).toEqual({ status: 'READY', gatewayArn: ARN, gatewayUrl: `https://${ID}.gateway/mcp` });
  });

  it('fails when READY does not mean converged (an empty plan after apply)', async () => {
    agentcore.on(GetGatewayCommand).resolves(observedGateway({ roleArn: 'arn:aws:iam::111122223333:role/else' }));
    await expect(invoke(awaitGatewayReady, { gatewayId: ID, desired: seedDesired() })).rejects.toMatchObject({ name: 'GatewayNotConvergedError', fields: ['gateway.roleArn'] });
  });
});

describe('ensure-gateway-target and await-gateway-target-ready', () => {
  it('creates a missing target in the gateway by id with a client token', async () => {
    agentcore.on(ListGatewayTargetsCommand).resolves({ items: [] });
    agentcore.on(CreateGatewayTargetCommand).resolves({ targetId: 'ABCDEFGHIJ', status: 'CREATING', gatewayArn: ARN } as never);
    const out = await invoke(ensureGatewayTarget, { gatewayId: ID, target: seedDesired().targets[0]!, correlationId: 'exec-1' });
    expect(out).toMatchObject({ name: 'my-mcp-server', targetId: 'ABCDEFGHIJ', action: 'created', status: 'CREATING' });
    expect(agentcore).toHaveReceivedCommandWith(CreateGatewayTargetCommand, { gatewayIdentifier: ID, name: 'my-mcp-server', clientToken: expect.stringMatching(/^keygate-/) });
  });

  it('reports needs-consent for a target waiting for OAuth consent', async () => {
    targetExists({ status: 'CREATE_PENDING_AUTH', authorizationData: { oauth2: { authorizationUrl: 'https://idp/authorize' } } });
    const out = await invoke(awaitGatewayTargetReady, { gatewayId: ID, target: seedDesired().targets[0]!, ensured: { targetId: 'ABCDEFGHIJ', action: 'created' } });
    expect(out).toEqual({ name: 'my-mcp-server', targetId: 'ABCDEFGHIJ', status: 'CREATE_PENDING_AUTH', action: 'created', outcome: 'needs-consent', authorizationUrl: 'https://idp/authorize' });
  });
});

describe('teardown functions', () => {
  it('find-gateway reports absent, and refuses a gateway this stack does not own', async () => {
    agentcore.on(ListGatewaysCommand).resolves({ items: [] });
    expect(await invoke(findGateway, { desired: seedDesired() })).toEqual({ found: false, name: 'mcp-gateway-keycloak-demo' });
    gatewayExists({}, { 'keygate:owner': 'another-stack' });
    await expect(invoke(findGateway, { desired: seedDesired() })).rejects.toMatchObject({ name: 'GatewayNotOwnedError' });
  });

  it('find-gateway for a teardown refuses a gateway with undeclared targets before anything is deleted; the rotation does not list targets', async () => {
    // Prepare
    gatewayExists();
    agentcore.on(ListGatewayTargetsCommand).resolves({ items: [{ targetId: 'ABCDEFGHIJ', name: 'my-mcp-server', status: 'READY' }, { targetId: 'ZZZZZZZZZZ', name: 'someone-elses', status: 'READY' }] as never });
    // Act / Assess
    await expect(invoke(findGateway, { desired: seedDesired(), refuseUndeclaredTargets: true })).rejects.toMatchObject({ name: 'GatewayHasTargetsError', targetNames: ['someone-elses'] });
    expect(agentcore.commandCalls(ListGatewayTargetsCommand)).toHaveLength(1);
    expect(await invoke(findGateway, { desired: seedDesired() })).toMatchObject({ found: true, gatewayId: ID, gatewayArn: ARN });
    expect(agentcore.commandCalls(ListGatewayTargetsCommand)).toHaveLength(1);
    agentcore.on(ListGatewayTargetsCommand).resolves({ items: [{ targetId: 'ABCDEFGHIJ', name: 'my-mcp-server', status: 'READY' }] as never });
    expect(await invoke(findGateway, { desired: seedDesired(), refuseUndeclaredTargets: true })).toMatchObject({ found: true });
    expect(agentcore.calls().filter((c) => MUTATING.test(c.args[0].constructor.name))).toEqual([]);
  });

  it('delete-gateway-target waits for a CREATING target instead of deleting it', async () => {
    agentcore.on(ListGatewayTargetsCommand).resolves({ items: [{ targetId: 'ABCDEFGHIJ', name: 'my-mcp-server', status: 'CREATING' } as never] });
    await expect(invoke(deleteGatewayTarget, { gatewayId: ID, target: { name: 'my-mcp-server' } })).rejects.toMatchObject({ name: 'GatewayTargetNotReadyError' });
    expect(agentcore).not.toHaveReceivedCommand(DeleteGatewayTargetCommand);
  });

  it('delete-gateway never deletes a gateway that still has (undeclared) targets', async () => {
    agentcore.on(GetGatewayCommand).resolves(observedGateway());
    agentcore.on(ListGatewayTargetsCommand).resolves({ items: [{ targetId: 'ZZZZZZZZZZ', name: 'someone-elses', status: 'READY' } as never] });
    await expect(invoke(deleteGateway, { gatewayId: ID })).rejects.toMatchObject({ name: 'GatewayHasTargetsError', targetNames: ['someone-elses'] });
    expect(agentcore).not.toHaveReceivedCommand(DeleteGatewayCommand);
    expect(agentcore).not.toHaveReceivedCommand(DeleteGatewayTargetCommand);
  });

  it('await-deletion retries while DELETING and ends on a 404', async () => {
    agentcore.on(GetGatewayCommand).resolvesOnce(observedGateway({ status: 'DELETING' })).rejects(new ResourceNotFoundException({ ...meta, message: 'Gateway not found' }));
    await expect(invoke(awaitDeletion, { gatewayId: ID, action: 'deleted' })).rejects.toMatchObject({ name: 'GatewayDeletionPendingError' });
    expect(await invoke(awaitDeletion, { gatewayId: ID, action: 'deleted' })).toEqual({ gone: true });
    expect(await invoke(awaitDeletion, { gatewayId: ID, target: { name: 't', action: 'absent' } })).toEqual({ gone: true });
  });
});
