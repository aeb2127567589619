import { templateParameters } from '../../cli/commands/parameters';
import { validateDesiredStateShape } from '../../functions/core/desired/load';
import type { Deployment } from '../iam/cloudformation';
import { STACK_NAME, STACK_REGION } from './stack';

/**
 * The deployment the local world stands for: its stack name, region and account, and the template
 * parameters `keygate parameters` gives for its document and CIMD publish directory (plus the drift
 * topic the world created).
 * Undefined for a document whose shape is invalid (a test of the load step's refusal): the functions
 * then see this process's environment only.
 */
export function deploymentOf(document: Record<string, any>, accountId: string, driftTopicArn: string, cimdPublishDirectory: string): Deployment | undefined {
  let desired;
  try {
    desired = validateDesiredStateShape(document, 'the local world\'s document');
  } catch {
    return undefined;
  }
  return { stackName: STACK_NAME, region: STACK_REGION, accountId, parameters: { ...templateParameters(desired, document, cimdPublishDirectory), DriftNotificationTopicArn: driftTopicArn } };
}
