import { ResourcePolicyInputError } from '../../../../functions/core/errors';
import { buildResourcePolicy, MAX_POLICY_BYTES } from '../../../../functions/core/policy/render-resource-policy';

const ARN = 'arn:aws:bedrock-agentcore:ap-northeast-1:111122223333:gateway/mcp-gateway-keycloak-demo-k3j9x2m4p7';
const VPCE = 'vpce-0f1e2d3c4b5a69788';

describe('buildResourcePolicy', () => {
  it('allows InvokeGateway from the endpoint and denies other and missing endpoints', () => {
    const doc = buildResourcePolicy(ARN, [VPCE]);
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement).toEqual([
      { Sid: 'AllowInvokeFromApprovedVpcEndpoints', Effect: 'Allow', Principal: '*', Action: 'bedrock-agentcore:InvokeGateway', Resource: ARN, Condition: { StringEquals: { 'aws:SourceVpce': [VPCE] } } },
      { Sid: 'DenyInvokeFromOtherVpcEndpoints', Effect: 'Deny', Principal: '*', Action: 'bedrock-agentcore:InvokeGateway', Resource: ARN, Condition: { StringNotEqualsIfExists: { 'aws:SourceVpce': [VPCE] } } },
      { Sid: 'DenyInvokeWithoutVpcEndpoint', Effect: 'Deny', Principal: '*', Action: 'bedrock-agentcore:InvokeGateway', Resource: ARN, Condition: { Null: { 'aws:SourceVpce': 'true' } } },
    ]);
  });

  it('sorts and de-duplicates endpoint ids so the same set renders the same text', () => {
    const a = buildResourcePolicy(ARN, ['vpce-0bbbbbbbbbbbbbbbb', 'vpce-0aaaaaaaaaaaaaaaa', 'vpce-0bbbbbbbbbbbbbbbb']);
    expect(a.Statement[0]!.Condition.StringEquals!['aws:SourceVpce']).toEqual(['vpce-0aaaaaaaaaaaaaaaa', 'vpce-0bbbbbbbbbbbbbbbb']);
  });

  it.each([
    [[], 'vpcEndpointIds', /at least one VPC endpoint id is required/],
    [['*'], 'vpcEndpointIds', /"\*" not vpce-/],
    [['vpce-123'], 'vpcEndpointIds', /"vpce-123" not vpce-/],
    [['vpce-0123456789abcdef01'], 'vpcEndpointIds', /not vpce-/],
  ] as const)('refuses endpoint ids %j', (ids, field, message) => {
    expect(() => buildResourcePolicy(ARN, ids)).toThrow(ResourcePolicyInputError);
    expect(() => buildResourcePolicy(ARN, ids)).toThrow(message);
    try {
      buildResourcePolicy(ARN, ids);
    } catch (e) {
      expect((e as ResourcePolicyInputError).field).toBe(field);
    }
  });

  it.each(['*', 'arn:aws:bedrock-agentcore:ap-northeast-1:111122223333:gateway/*', 'mcp-gateway-keycloak-demo-k3j9x2m4p7'])('refuses the ARN %s', (arn) => {
    expect(() => buildResourcePolicy(arn, [VPCE])).toThrow(/gatewayArn: .* is not a gateway ARN/);
  });

  it('refuses a policy over the size limit', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `vpce-${i.toString(16).padStart(17, '0')}`);
    expect(() => buildResourcePolicy(ARN, ids)).toThrow(new RegExp(`exceed the limits \\(${MAX_POLICY_BYTES} bytes`));
  });
});
