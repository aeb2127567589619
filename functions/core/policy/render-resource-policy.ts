import { ResourcePolicyInputError } from '../errors';

/** `vpce-` + 8 to 17 lowercase hex digits (EC2 ids are 8 or 17 today; the range is what keygate accepts). */
export const VPC_ENDPOINT_ID = /^vpce-[0-9a-f]{8,17}$/;
/** The exact gateway ARN: `arn:<partition>:bedrock-agentcore:<region>:<account>:gateway/<gatewayId>`. */
export const GATEWAY_ARN = /^arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:gateway\/([0-9a-z][-]?){1,100}-[0-9a-z]{10}$/;
/** Service limits (agentcore-gateway-api.md §10): not adjustable. */
export const MAX_POLICY_BYTES = 20_480;
export const MAX_POLICY_STATEMENTS = 100;
export const INVOKE_GATEWAY = 'bedrock-agentcore:InvokeGateway';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal: '*';
  Action: string;
  Resource: string;
  Condition: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * The policy text keygate writes, without validation: allow InvokeGateway from the given VPC
 * endpoints, deny every other endpoint, and deny requests that carry no `aws:SourceVpce` at all.
 * `Principal: "*"` is required on a JWT gateway (tokens are checked before the policy).
 * `StringNotEqualsIfExists` is also true when the key is absent; the separate `Null` statement
 * states that intent explicitly (agentcore-gateway-api.md §10, "IfExists/Null caveat").
 * Callers that write a policy use {@link buildResourcePolicy}, which validates first.
 */
export function renderResourcePolicyDocument(gatewayArn: string, vpcEndpointIds: readonly string[]): PolicyDocument {
  const ids = [...new Set(vpcEndpointIds)].sort();
  const base = { Principal: '*' as const, Action: INVOKE_GATEWAY, Resource: gatewayArn };
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowInvokeFromApprovedVpcEndpoints', Effect: 'Allow', ...base, Condition: { StringEquals: { 'aws:SourceVpce': ids } } },
      { Sid: 'DenyInvokeFromOtherVpcEndpoints', Effect: 'Deny', ...base, Condition: { StringNotEqualsIfExists: { 'aws:SourceVpce': ids } } },
      { Sid: 'DenyInvokeWithoutVpcEndpoint', Effect: 'Deny', ...base, Condition: { Null: { 'aws:SourceVpce': 'true' } } },
    ],
  };
}

/**
 * Validated policy for a gateway: refuses to build one without an endpoint id, with a malformed id
 * or ARN, or beyond the service limits.
 *
 * @example
 * buildResourcePolicy('arn:aws:bedrock-agentcore:eu-central-1:111122223333:gateway/demo-abcdefghij', ['vpce-0123456789abcdef0']).Statement.length // 3
 */
export function buildResourcePolicy(gatewayArn: string, vpcEndpointIds: readonly string[]): PolicyDocument {
  if (!GATEWAY_ARN.test(gatewayArn)) {
    throw new ResourcePolicyInputError(`gatewayArn: "${gatewayArn}" is not a gateway ARN (arn:aws:bedrock-agentcore:<region>:<account>:gateway/<gatewayId>)`, 'gatewayArn');
  }
  if (vpcEndpointIds.length === 0) {
    throw new ResourcePolicyInputError('vpcEndpointIds: at least one VPC endpoint id is required; keygate never writes an allow-all policy', 'vpcEndpointIds');
  }
  const bad = vpcEndpointIds.filter((id) => !VPC_ENDPOINT_ID.test(id));
  if (bad.length) {
    throw new ResourcePolicyInputError(`vpcEndpointIds: ${bad.map((b) => JSON.stringify(b)).join(', ')} not vpce- followed by 8 to 17 hex digits`, 'vpcEndpointIds');
  }
  const doc = renderResourcePolicyDocument(gatewayArn, vpcEndpointIds);
  const bytes = new TextEncoder().encode(JSON.stringify(doc)).length;
  if (bytes > MAX_POLICY_BYTES || doc.Statement.length > MAX_POLICY_STATEMENTS) {
    throw new ResourcePolicyInputError(`policy: ${bytes} bytes and ${doc.Statement.length} statements exceed the limits (${MAX_POLICY_BYTES} bytes, ${MAX_POLICY_STATEMENTS} statements)`, 'policy');
  }
  return doc;
}
