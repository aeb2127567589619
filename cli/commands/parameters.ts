import type { DesiredState } from '../../functions/core/desired/document';
import { DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../../functions/core/desired/cimd';
import { encodeDocument } from '../../functions/core/desired/encoding';
import { UsageError } from '../io';

/** CloudFormation limits a parameter value to 4,096 bytes. */
export const MAX_PARAMETER_BYTES = 4096;

/**
 * The template parameters derived from a desired-state document. The document travels whole in
 * `DesiredState`; the other parameters repeat the few values CloudFormation itself must know at
 * deploy time (IAM resources, the EventBridge rule pattern, the schedule). The load step checks
 * that they agree with the document.
 */
export function templateParameters(desired: DesiredState, raw: unknown, cimdPublishDirectory: string = DEFAULT_CIMD_PUBLISH_DIRECTORY): Record<string, string> {
  const encoded = encodeDocument(raw);
  if (encoded.length > MAX_PARAMETER_BYTES) {
    throw new UsageError(`the encoded document is ${encoded.length} bytes, over CloudFormation's ${MAX_PARAMETER_BYTES}-byte parameter limit: shorten descriptions or split targets across stacks`);
  }
  // Every parameter name is already a full SSM name with its leading "/" (the loader's rule,
  // functions/core/desired/common.ts): the IAM policies below append it to `arn:…:parameter`.
  const canarySecret = desired.keycloak.realm.canaryClient?.secretParameter ?? '';
  const network = desired.verify.network;
  const cimdObject = desired.cimd?.publish && 's3' in desired.cimd.publish ? desired.cimd.publish.s3 : undefined;
  return {
    DesiredState: encoded,
    KeycloakInstanceId: desired.keycloak.instanceId,
    VpcEndpointParameterName: desired.resourcePolicy?.vpcEndpoint.parameterName ?? '',
    GatewayRoleArn: desired.gateway.roleArn ?? '',
    DriftSchedule: desired.drift.schedule,
    VerifySubnetIds: network?.subnetIds.join(',') ?? '',
    VerifySecurityGroupIds: network?.securityGroupIds.join(',') ?? '',
    CanarySecretParameterName: canarySecret,
    CanarySecretKmsKeyArn: desired.verify.canarySecretKmsKeyArn ?? '',
    CimdPublishBucket: cimdObject?.bucket ?? '',
    CimdPublishKey: cimdObject?.key ?? '',
    // Not from the document: the operator's choice (--cimd-publish-directory), which the document must fit.
    CimdPublishDirectory: cimdPublishDirectory,
    GatewaySearchType: desired.gateway.protocol?.searchType ?? '',
  };
}

export function formatParameters(params: Record<string, string>, format: 'toml' | 'cli' | 'json'): string {
  const pairs = Object.entries(params);
  if (format === 'json') return `${JSON.stringify(params, null, 2)}\n`;
  // SAM's parameter_overrides parser splits unquoted values on spaces, so values with a space (a
  // schedule such as "rate(15 minutes)") or empty values are double-quoted; the document itself is
  // base64url and never needs it.
  const item = ([k, v]: [string, string]) => `${k}=${v === '' || /[\s"]/.test(v) ? `"${v.replace(/"/g, '\\"')}"` : v}`;
  if (format === 'cli') return `--parameter-overrides ${pairs.map(item).join(' ')}\n`;
  return `parameter_overrides = [\n${pairs.map((p) => `  ${JSON.stringify(item(p))},`).join('\n')}\n]\n`;
}
