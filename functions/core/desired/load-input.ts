import { DesiredStateInvalidError, type Problem } from '../errors';
import { stableStringify } from '../gateway/client-token';
import type { DesiredState } from './document';
import { checkDesiredState, parseDesiredStateText, validateDesiredStateShape } from './load';

export interface StackBinding {
  /** The one Keycloak instance the stack's IAM policy lets keygate send commands to. */
  keycloakInstanceId?: string;
  /** The VPC endpoint parameter the stack's EventBridge rule watches. */
  vpcEndpointParameterName?: string;
  /** The S3 object the stack's IAM policy lets keygate publish the CIMD document to (empty: none). */
  cimdObject?: { bucket: string; key: string };
  /** gateway.protocol.searchType the stack was deployed for ('' or SEMANTIC: only then may it synchronize targets). */
  gatewaySearchType?: string;
  /** The one directory on the Keycloak host the stack's Command document lets keygate publish under (CimdPublishDirectory). */
  cimdPublishDirectory?: string;
  /**
   * For a document given in the execution input: the stack's deployed document (its SSM parameter's
   * value), whose `cimd.publish` the input must repeat exactly; undefined when the parameter is missing.
   */
  deployed?: { value: unknown; source: string };
}

const REDEPLOY = 'redeploy with the parameters from "keygate parameters --config FILE"';

/**
 * Loads the document a state machine runs on, from the execution input (an object, YAML/JSON text
 * or the encoded form) or from the stack's parameter, and checks that it agrees with what the stack
 * was deployed for: CloudFormation scoped IAM and triggers to those values.
 */
export function loadDesiredStateInput(value: unknown, source: string, binding: StackBinding = {}) {
  const context = binding.cimdPublishDirectory ? { cimdPublishDirectory: binding.cimdPublishDirectory } : {};
  const { desired, findings } = check(value, source, context);
  const problems = bindingProblems(desired, binding);
  if (problems.length) throw new DesiredStateInvalidError(source, problems);
  return { desired, warnings: findings.filter((f) => f.severity === 'warning').map(({ ruleId, path, message, fix }) => ({ ruleId, path, message, fix })) };
}

function check(value: unknown, source: string, context: { cimdPublishDirectory?: string }) {
  if (typeof value !== 'string') return checkDesiredState(value, source, undefined, context);
  const parsed = parseDesiredStateText(value, source);
  return checkDesiredState(parsed.value, source, parsed.locate, context);
}

function bindingProblems(desired: DesiredState, binding: StackBinding): Problem[] {
  const problems: Problem[] = [];
  if (binding.keycloakInstanceId && desired.keycloak.instanceId !== binding.keycloakInstanceId) {
    problems.push({
      path: 'keycloak.instanceId',
      message: `is ${desired.keycloak.instanceId}, but this stack was deployed for ${binding.keycloakInstanceId} (its IAM policy allows SendCommand there only)`,
      fix: REDEPLOY,
    });
  }
  const parameterName = desired.resourcePolicy?.vpcEndpoint.parameterName ?? '';
  if (binding.vpcEndpointParameterName !== undefined && parameterName !== binding.vpcEndpointParameterName) {
    problems.push({
      path: 'resourcePolicy.vpcEndpoint.parameterName',
      message: `is "${parameterName}", but this stack watches "${binding.vpcEndpointParameterName}" for endpoint changes`,
      fix: REDEPLOY,
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
      fix: REDEPLOY,
    });
  }
  const searchType = desired.gateway.protocol?.searchType ?? '';
  if (binding.gatewaySearchType !== undefined && searchType !== binding.gatewaySearchType) {
    problems.push({
      path: 'gateway.protocol.searchType',
      message: searchType
        ? `is ${searchType}, but this stack was deployed without it (its IAM policy does not allow SynchronizeGatewayTargets, which semantic search needs)`
        : `is not set, but this stack was deployed for ${binding.gatewaySearchType}`,
      fix: REDEPLOY,
    });
  }
  if ('deployed' in binding) problems.push(...publishBindingProblems(desired, binding.deployed));
  return problems;
}

/**
 * An execution input may run another document, but never publish the CIMD document anywhere the
 * deployed one does not: where keygate writes on the Keycloak host is the deploying operator's choice.
 */
function publishBindingProblems(desired: DesiredState, deployed: StackBinding['deployed']): Problem[] {
  const fix = 'start the execution with {} (the deployed document), or deploy the changed document ("keygate parameters --config FILE", then sam deploy)';
  if (!deployed) return [{ path: 'cimd.publish', message: 'cannot be compared with the deployed document: the stack\'s desired-state parameter does not exist', fix }];
  let publish: unknown;
  try {
    const value = typeof deployed.value === 'string' ? parseDesiredStateText(deployed.value, deployed.source).value : deployed.value;
    publish = validateDesiredStateShape(value, deployed.source).cimd?.publish;
  } catch (error) {
    if (!(error instanceof DesiredStateInvalidError)) throw error;
    return [{ path: 'cimd.publish', message: `cannot be compared with the deployed document: ${error.message}`, fix }];
  }
  const given = desired.cimd?.publish;
  if (stableStringify(given ?? null) === stableStringify(publish ?? null)) return [];
  return [{ path: 'cimd.publish', message: `is ${describePublish(given)}, but the stack was deployed to publish ${describePublish(publish)}: an execution input may not change where the CIMD document is written`, fix }];
}

function describePublish(publish: unknown): string {
  if (!publish || typeof publish !== 'object') return 'nothing (no cimd.publish)';
  const p = publish as { host?: { path: string; mode: string }; s3?: { bucket: string; key: string; cacheControl: string } };
  if (p.host) return `the host file ${p.host.path} (mode ${p.host.mode})`;
  if (p.s3) return `s3://${p.s3.bucket}/${p.s3.key} (Cache-Control ${p.s3.cacheControl})`;
  return JSON.stringify(publish);
}
