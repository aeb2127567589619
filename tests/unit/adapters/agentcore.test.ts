import {
  AccessDeniedException,
  BedrockAgentCoreControlClient,
  CreateGatewayTargetCommand,
  DeleteGatewayCommand,
  DeleteGatewayTargetCommand,
  DeleteResourcePolicyCommand,
  GetGatewayCommand,
  ListGatewaysCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { deleteGateway, getGateway, listGateways } from '../../../functions/adapters/agentcore/gateway-repository';
import { createGatewayTarget, deleteGatewayTarget } from '../../../functions/adapters/agentcore/gateway-target-repository';
import { observeGateway } from '../../../functions/adapters/agentcore/observe-gateway';
import { deleteResourcePolicy } from '../../../functions/adapters/agentcore/resource-policy-repository';

const agentcore = mockClient(BedrockAgentCoreControlClient);
const meta = { $metadata: {} };
const arnOf = (id: string) => `arn:aws:bedrock-agentcore:eu-central-1:111122223333:gateway/${id}`;

beforeEach(() => agentcore.reset());

describe('gateway repository', () => {
  it('lists every page of ListGateways (items + nextToken)', async () => {
    agentcore
      .on(ListGatewaysCommand)
      .resolvesOnce({ items: [{ gatewayId: 'a-0123456789', name: 'a' } as never], nextToken: 'p2' })
      .resolvesOnce({ items: [{ gatewayId: 'b-0123456789', name: 'b' } as never] });
    expect((await listGateways()).map((g) => g.name)).toEqual(['a', 'b']);
    expect(agentcore).toHaveReceivedNthCommandWith(2, ListGatewaysCommand, { nextToken: 'p2' });
  });

  it('turns a 404 into undefined / absent and lets other errors through', async () => {
    agentcore.on(GetGatewayCommand).rejects(new ResourceNotFoundException({ ...meta, message: 'Gateway not found' }));
    agentcore.on(DeleteGatewayCommand).rejects(new ResourceNotFoundException({ ...meta, message: 'Gateway not found' }));
    agentcore.on(DeleteResourcePolicyCommand).rejects(new ResourceNotFoundException({ ...meta, message: 'No policy' }));
    expect(await getGateway('gw-0123456789')).toBeUndefined();
    expect(await deleteGateway('gw-0123456789')).toBe('absent');
    expect(await deleteResourcePolicy(arnOf('gw-0123456789'))).toBe('absent');
    agentcore.on(GetGatewayCommand).rejects(new AccessDeniedException({ ...meta, message: 'no' }));
    await expect(getGateway('gw-0123456789')).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('reports a deleted policy', async () => {
    agentcore.on(DeleteResourcePolicyCommand).resolves({});
    expect(await deleteResourcePolicy(arnOf('gw-0123456789'))).toBe('deleted');
    expect(agentcore).toHaveReceivedCommandWith(DeleteResourcePolicyCommand, { resourceArn: arnOf('gw-0123456789') });
  });
});

describe('gateway target repository', () => {
  const request = { gatewayIdentifier: 'gw-0123456789', name: 'tools', clientToken: 'keygate-'.padEnd(48, '0'), targetConfiguration: { mcp: { mcpServer: { endpoint: 'https://tools.example.com/mcp' } } } };

  it('turns the CREATING race into the retryable GatewayNotReadyError, keeping the cause', async () => {
    const race = new ValidationException({ ...meta, message: 'Cannot perform operation CreateGatewayTarget when gateway is in CREATING status', reason: 'FieldValidationFailed' });
    agentcore.on(CreateGatewayTargetCommand).rejects(race);
    await expect(createGatewayTarget(request)).rejects.toMatchObject({ name: 'GatewayNotReadyError', status: 'CREATING', cause: race });
  });

  it('lets any other validation error through unchanged', async () => {
    const bad = new ValidationException({ ...meta, message: 'endpoint must be https', reason: 'FieldValidationFailed' });
    agentcore.on(CreateGatewayTargetCommand).rejects(bad);
    await expect(createGatewayTarget(request)).rejects.toBe(bad);
  });

  it('refuses to delete a target that is still CREATING, and treats a missing one as absent', async () => {
    agentcore.on(DeleteGatewayTargetCommand).rejectsOnce(new ValidationException({ ...meta, message: 'Cannot perform operation DeleteGatewayTarget when target is in CREATING status', reason: 'FieldValidationFailed' }));
    await expect(deleteGatewayTarget('gw-0123456789', 'ABCDEFGHIJ', 'tools')).rejects.toMatchObject({ name: 'GatewayTargetNotReadyError', status: 'CREATING' });
    agentcore.on(DeleteGatewayTargetCommand).rejects(new ResourceNotFoundException({ ...meta, message: 'Target not found' }));
    expect(await deleteGatewayTarget('gw-0123456789', 'ABCDEFGHIJ', 'tools')).toBe('absent');
  });
});

describe('observeGateway', () => {
  it('finds the gateway by name, with its tags', async () => {
    agentcore.on(ListGatewaysCommand).resolves({ items: [{ gatewayId: 'demo-0123456789', name: 'demo' } as never] });
    agentcore.on(GetGatewayCommand).resolves({ gatewayId: 'demo-0123456789', gatewayArn: arnOf('demo-0123456789'), status: 'READY' } as never);
    agentcore.on(ListTagsForResourceCommand).resolves({ tags: { 'keygate:owner': 'keygate-dev' } });
    expect(await observeGateway('demo', 'keygate-dev')).toMatchObject({ observed: { gateway: { gatewayId: 'demo-0123456789' }, tags: { 'keygate:owner': 'keygate-dev' } } });
  });

  it('finds a gateway this stack owns under another name only when asked to', async () => {
    agentcore.on(ListGatewaysCommand).resolves({ items: [{ gatewayId: 'theirs-0123456789', name: 'theirs' }, { gatewayId: 'old-0123456789', name: 'old' }] as never });
    agentcore.on(GetGatewayCommand, { gatewayIdentifier: 'theirs-0123456789' }).resolves({ gatewayId: 'theirs-0123456789', gatewayArn: arnOf('theirs-0123456789') } as never);
    agentcore.on(GetGatewayCommand, { gatewayIdentifier: 'old-0123456789' }).resolves({ gatewayId: 'old-0123456789', gatewayArn: arnOf('old-0123456789') } as never);
    agentcore.on(ListTagsForResourceCommand, { resourceArn: arnOf('theirs-0123456789') }).resolves({ tags: {} });
    agentcore.on(ListTagsForResourceCommand, { resourceArn: arnOf('old-0123456789') }).resolves({ tags: { 'keygate:owner': 'keygate-dev' } });
    expect(await observeGateway('new', 'keygate-dev')).toEqual({});
    expect(await observeGateway('new', 'keygate-dev', { lookForRename: true })).toEqual({ renamedFrom: { gatewayId: 'old-0123456789', name: 'old' } });
  });
});
