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
    super(`${parameterName.startsWith('/') ? `SSM parameter ${parameterName}` : parameterName}: ${reason}; the gateway resource policy was not changed. Fix: ${parameterName.startsWith('/') ? `write the id of the bedrock-agentcore.gateway interface endpoint (vpce-…) to ${parameterName}` : 'list vpce-… ids in the document'}`);
  }
}

/** After a Put, the policy read back still differs from the one written (names the fields). */
export class ResourcePolicyNotConvergedError extends KeygateError {
  override readonly name = 'ResourcePolicyNotConvergedError';
  readonly code = 'ERR_RESOURCE_POLICY_NOT_CONVERGED';

  constructor(
    readonly gatewayArn: string,
    readonly fields: string[],
  ) {
    super(`resource policy of ${gatewayArn} still differs after PutResourcePolicy: ${fields.join(', ')}`);
  }
}
