import {
  BedrockAgentCoreControlClient,
  CreateGatewayCommand,
  CreateGatewayTargetCommand,
  UpdateGatewayCommand,
  UpdateGatewayTargetCommand,
  type CreateGatewayCommandInput,
  type CreateGatewayTargetCommandInput,
  type UpdateGatewayCommandInput,
  type UpdateGatewayTargetCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { deriveClientToken } from '../../../../functions/core/gateway/client-token';
import { renderCreateGateway, renderCreateTarget, renderUpdateGateway, renderUpdateTarget } from '../../../../functions/core/gateway/render-gateway';
import type { CreateGatewayRequest, CreateGatewayTargetRequest, UpdateGatewayRequest, UpdateGatewayTargetRequest } from '../../../../functions/core/gateway/wire';
import { captureHandler, FAKE_CREDENTIALS } from '../../../support/capture-http';
import { seedDesired, seedWith } from '../../../support/seed';

// Compile-time proof that keygate's wire shapes are the SDK's own input types (tsc runs on tests).
type Assignable<T, U extends T> = U;
export type _CreateGateway = Assignable<CreateGatewayCommandInput, CreateGatewayRequest>;
export type _UpdateGateway = Assignable<UpdateGatewayCommandInput, UpdateGatewayRequest>;
export type _CreateTarget = Assignable<CreateGatewayTargetCommandInput, CreateGatewayTargetRequest>;
export type _UpdateTarget = Assignable<UpdateGatewayTargetCommandInput, UpdateGatewayTargetRequest>;

const ROLE = 'arn:aws:iam::111122223333:role/keygate-dev-GatewayRole-ABC';
const GATEWAY_ID = 'mcp-gateway-keycloak-demo-k3j9x2m4p7';

function client() {
  const gatewayBody = { gatewayArn: `arn:aws:bedrock-agentcore:ap-northeast-1:111122223333:gateway/${GATEWAY_ID}`, gatewayId: GATEWAY_ID, createdAt: '2026-11-21T10:00:00.000Z', updatedAt: '2026-11-21T10:00:00.000Z', status: 'CREATING', name: 'x', authorizerType: 'CUSTOM_JWT' };
  const capture = captureHandler(() => ({ status: 202, body: gatewayBody }));
  return { capture, client: new BedrockAgentCoreControlClient({ region: 'ap-northeast-1', credentials: FAKE_CREDENTIALS, requestHandler: capture.handler }) };
}

describe('AgentCore gateway requests on the wire (seed)', () => {
  it('CreateGateway: POST /gateways/ with the exact members', async () => {
    // Prepare
    const { client: sdk, capture } = client();
    const request = renderCreateGateway(seedDesired().gateway, { roleArn: ROLE, clientToken: 'keygate-0123456789abcdef0123456789abcdef01234567', owner: 'keygate-dev' });
    // Act
    await sdk.send(new CreateGatewayCommand(request));
    // Assess
    const sent = capture.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/gateways/');
    const body = sent.body as Record<string, any>;
    expect(Object.keys(body).sort()).toEqual(['authorizerConfiguration', 'authorizerType', 'clientToken', 'description', 'name', 'protocolType', 'roleArn', 'tags']);
    expect(body.name).toBe('mcp-gateway-keycloak-demo');
    expect(body.roleArn).toBe(ROLE);
    expect(body.authorizerType).toBe('CUSTOM_JWT');
    expect(body.protocolType).toBe('MCP');
    expect(body.clientToken).toBe('keygate-0123456789abcdef0123456789abcdef01234567');
    expect(body.tags).toEqual({ 'managed-by': 'keygate', 'keygate:owner': 'keygate-dev' });
    const jwt = body.authorizerConfiguration.customJWTAuthorizer;
    expect(Object.keys(body.authorizerConfiguration)).toEqual(['customJWTAuthorizer']);
    expect(jwt.discoveryUrl).toBe('https://auth.agentcore-keycloak-example.com/realms/mcp-demo/.well-known/openid-configuration');
    expect(jwt.allowedAudience).toEqual(['mcp-gateway-demo']);
    expect(jwt.allowedScopes).toEqual(['mcp:tools']);
    expect(jwt).not.toHaveProperty('allowedClients');
    expect(jwt).not.toHaveProperty('customClaims');
    expect(jwt.privateEndpoint).toEqual({
      managedVpcResource: { vpcIdentifier: 'vpc-0a1b2c3d4e5f60718', subnetIds: ['subnet-0b1c2d3e4f5a60718'], endpointIpAddressType: 'IPV4', securityGroupIds: ['sg-0c1d2e3f4a5b60718'] },
    });
  });

  it('UpdateGateway: PUT /gateways/{id}/ with the whole document, no clientToken and no tags', async () => {
    const { client: sdk, capture } = client();
    await sdk.send(new UpdateGatewayCommand(renderUpdateGateway(seedDesired().gateway, { roleArn: ROLE, gatewayId: GATEWAY_ID })));
    const sent = capture.requests[0]!;
    expect(sent.method).toBe('PUT');
    expect(sent.path).toBe(`/gateways/${GATEWAY_ID}/`);
    const body = sent.body as Record<string, any>;
    expect(Object.keys(body).sort()).toEqual(['authorizerConfiguration', 'authorizerType', 'description', 'name', 'protocolType', 'roleArn']);
    expect(body.authorizerConfiguration.customJWTAuthorizer.allowedAudience).toEqual(['mcp-gateway-demo']);
  });

  it('sends custom claims as the claimMatchValue union and allowed clients when declared', () => {
    const gateway = seedWith((r) => {
      r.gateway.authorizer.allowedClients = ['mcp-inspector'];
      r.gateway.authorizer.customClaims = [
        { claim: 'azp', valueType: 'STRING', operator: 'EQUALS', value: 'mcp-inspector' },
        { claim: 'groups', valueType: 'STRING_ARRAY', operator: 'CONTAINS_ANY', value: ['mcp-users', 'admins'] },
      ];
    }).gateway;
    const jwt = renderCreateGateway(gateway, { roleArn: ROLE, clientToken: 't'.repeat(40), owner: 'keygate-dev' }).authorizerConfiguration.customJWTAuthorizer;
    expect(jwt.allowedClients).toEqual(['mcp-inspector']);
    expect(jwt.customClaims).toEqual([
      { inboundTokenClaimName: 'azp', inboundTokenClaimValueType: 'STRING', authorizingClaimMatchValue: { claimMatchValue: { matchValueString: 'mcp-inspector' }, claimMatchOperator: 'EQUALS' } },
      { inboundTokenClaimName: 'groups', inboundTokenClaimValueType: 'STRING_ARRAY', authorizingClaimMatchValue: { claimMatchValue: { matchValueStringList: ['mcp-users', 'admins'] }, claimMatchOperator: 'CONTAINS_ANY' } },
    ]);
  });
});

describe('AgentCore target requests on the wire (seed)', () => {
  it('CreateGatewayTarget: POST /gateways/{gatewayId}/targets/ for an MCP server', async () => {
    const { client: sdk, capture } = client();
    const target = seedDesired().targets[0]!;
    await sdk.send(new CreateGatewayTargetCommand(renderCreateTarget(target, { gatewayId: GATEWAY_ID, clientToken: 'keygate-abcdefabcdefabcdefabcdefabcdefabcdefabcd' })));
    const sent = capture.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe(`/gateways/${GATEWAY_ID}/targets/`);
    const body = sent.body as Record<string, any>;
    expect(Object.keys(body).sort()).toEqual(['clientToken', 'name', 'privateEndpoint', 'targetConfiguration']);
    expect(body.name).toBe('my-mcp-server');
    expect(body.targetConfiguration).toEqual({ mcp: { mcpServer: { endpoint: 'https://mcp-server.agentcore-keycloak-example.com/mcp', listingMode: 'DEFAULT' } } });
    expect(body.privateEndpoint.managedVpcResource).toEqual({ vpcIdentifier: 'vpc-0a1b2c3d4e5f60718', subnetIds: ['subnet-0b1c2d3e4f5a60718'], endpointIpAddressType: 'IPV4', securityGroupIds: ['sg-0d1e2f3a4b5c60718'] });
  });

  it('UpdateGatewayTarget: PUT /gateways/{gatewayId}/targets/{targetId}/ without clientToken', async () => {
    const { client: sdk, capture } = client();
    await sdk.send(new UpdateGatewayTargetCommand(renderUpdateTarget(seedDesired().targets[0]!, { gatewayId: GATEWAY_ID, targetId: 'TGT0123456' })));
    const sent = capture.requests[0]!;
    expect(sent.method).toBe('PUT');
    expect(sent.path).toBe(`/gateways/${GATEWAY_ID}/targets/TGT0123456/`);
    expect(Object.keys(sent.body as object).sort()).toEqual(['name', 'privateEndpoint', 'targetConfiguration']);
  });
});

describe('deriveClientToken', () => {
  it('is stable for the same request, different for another, and fits the API pattern', () => {
    const request = renderCreateGateway(seedDesired().gateway, { roleArn: ROLE, clientToken: '', owner: 'keygate-dev' });
    const a = deriveClientToken('gateway', request);
    expect(deriveClientToken('gateway', JSON.parse(JSON.stringify(request)))).toBe(a);
    expect(deriveClientToken('gateway', { ...request, description: 'changed' })).not.toBe(a);
    expect(deriveClientToken('target', request)).not.toBe(a);
    expect(a).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){32,255}$/);
  });
});
