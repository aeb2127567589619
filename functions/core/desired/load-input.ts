import { DesiredStateInvalidError } from '../errors';
import type { DesiredState } from './document';
import { checkDesiredState, parseDesiredStateText } from './load';

export interface StackBinding {
  /** The one Keycloak instance the stack's IAM policy lets keygate send commands to. */
  keycloakInstanceId?: string;
  /** The VPC endpoint parameter the stack's EventBridge rule watches. */
  vpcEndpointParameterName?: string;
  /** The S3 object the stack's IAM policy lets keygate publish the CIMD document to (empty: none). */
  cimdObject?: { bucket: string; key: string };
  /** gateway.protocol.searchType the stack was deployed for ('' or SEMANTIC: only then may it synchronize targets). */
  gatewaySearchType?: string;
}

/**
 * Loads the document a state machine runs on, from the execution input (an object, YAML/JSON text
 * or the encoded form) or from the stack's parameter, and checks that it agrees with what the stack
 * was deployed for: CloudFormation scoped IAM and triggers to those values.
 */
export function loadDesiredStateInput(value: unknown, source: string, binding: StackBinding = {}) {
  const { desired, findings } =
    typeof value === 'string'
      ? (() => {
          const parsed = parseDesiredStateText(value, source);
          return checkDesiredState(parsed.value, source, parsed.locate);
        })()
      : checkDesiredState(value, source);
  const problems = bindingProblems(desired, binding);
  if (problems.length) throw new DesiredStateInvalidError(source, problems);
  return { desired, warnings: findings.filter((f) => f.severity === 'warning').map(({ ruleId, path, message, fix }) => ({ ruleId, path, message, fix })) };
}

function bindingProblems(desired: DesiredState, binding: StackBinding) {
  const problems = [];
  if (binding.keycloakInstanceId && desired.keycloak.instanceId !== binding.keycloakInstanceId) {
    problems.push({
      path: 'keycloak.instanceId',
      message: `is ${desired.keycloak.instanceId}, but this stack was deployed for ${binding.keycloakInstanceId} (its IAM policy allows SendCommand there only)`,
      fix: 'redeploy with the parameters from "keygate parameters --config FILE"',
    });
  }
  const parameterName = desired.resourcePolicy?.vpcEndpoint.parameterName ?? '';
  if (binding.vpcEndpointParameterName !== undefined && parameterName !== binding.vpcEndpointParameterName) {
    problems.push({
      path: 'resourcePolicy.vpcEndpoint.parameterName',
      message: `is "${parameterName}", but this stack watches "${binding.vpcEndpointParameterName}" for endpoint changes`,
      fix: 'redeploy with the parameters from "keygate parameters --config FILE"',
    });
  }
  const s3 = desired.cimd?.publish && 's3' in desired.cimd.publish ? desired.cimd.publish.s3 : undefined;
  const granted = binding.cimdObject;
  if (s3 && granted && (s3.bucket !== granted.bucket || s3.key !== granted.key)) {
    problems.push({
      path: 'cimd.publish.s3',
      message: granted.bucket
        ? `is s3://${s3.bucket}/${s3.key}, but this stack was deployed to publish s3://${granted.bucket}/${granted.key} (its IAM policy allows that object only)`
        : `is s3://${s3.bucket}/${s3.key}, but this stack was deployed without an S3 destination (its IAM policy allows no S3 object)`,
      fix: 'redeploy with the parameters from "keygate parameters --config FILE"',
    });
  }
  const searchType = desired.gateway.protocol?.searchType ?? '';
  if (binding.gatewaySearchType !== undefined && searchType !== binding.gatewaySearchType) {
    problems.push({
      path: 'gateway.protocol.searchType',
      message: searchType
        ? `is ${searchType}, but this stack was deployed without it (its IAM policy does not allow SynchronizeGatewayTargets, which semantic search needs)`
        : `is not set, but this stack was deployed for ${binding.gatewaySearchType}`,
      fix: 'redeploy with the parameters from "keygate parameters --config FILE"',
    });
  }
  return problems;
}
