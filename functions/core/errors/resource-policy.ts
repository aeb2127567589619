import { KeygateError } from './base';

/**
 * A resource policy cannot be built from these inputs (no endpoint id, a malformed id or ARN, over
 * the service limits). A TypeError, because it is a configuration mistake and never retried; nothing
 * is written when it is thrown.
 */
export class ResourcePolicyInputError extends TypeError {
  override readonly name = 'ResourcePolicyInputError';
  readonly code = 'ERR_RESOURCE_POLICY_INPUT';

  constructor(
    message: string,
    readonly field: 'gatewayArn' | 'vpcEndpointIds' | 'policy',
  ) {
    super(message);
  }
}

/**
 * The VPC endpoint parameter holds no usable id. Terminal and alarm-worthy: the rotation state
 * machine fails (CloudWatch alarm on failed executions) and the current policy stays as it is.
 */
export class VpcEndpointIdInvalidError extends KeygateError {
  override readonly name = 'VpcEndpointIdInvalidError';
  readonly code = 'ERR_VPC_ENDPOINT_ID_INVALID';

  constructor(
    readonly parameterName: string,
    readonly value: string | undefined,
    reason: string,
  ) {
    super(`SSM parameter ${parameterName}: ${reason}; the gateway resource policy was not changed. Fix: write the id of the bedrock-agentcore.gateway interface endpoint (vpce-…) to ${parameterName}`);
  }
}
