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
