import { handler as applyResourcePolicy } from '../../functions/apply-resource-policy';
import { handler as awaitDeletion } from '../../functions/await-deletion';
import { handler as awaitGatewayReady } from '../../functions/await-gateway-ready';
import { handler as awaitGatewayTargetReady } from '../../functions/await-gateway-target-ready';
import { handler as confirmProvisioning } from '../../functions/confirm-provisioning';
import { handler as deleteGateway } from '../../functions/delete-gateway';
import { handler as deleteGatewayTarget } from '../../functions/delete-gateway-target';
import { handler as deleteResourcePolicy } from '../../functions/delete-resource-policy';
import { handler as ensureGateway } from '../../functions/ensure-gateway';
import { handler as ensureGatewayTarget } from '../../functions/ensure-gateway-target';
import { handler as findGateway } from '../../functions/find-gateway';
import { handler as getRealmCommandResult } from '../../functions/get-realm-command-result';
import { handler as guardDriftRun } from '../../functions/guard-drift-run';
import { handler as guardProvisioningRun } from '../../functions/guard-provisioning-run';
import { handler as loadDesiredState } from '../../functions/load-desired-state';
import { handler as mergeDriftReport } from '../../functions/merge-drift-report';
import { handler as observeGatewayDrift } from '../../functions/observe-gateway-drift';
import { handler as planPolicyRotation } from '../../functions/plan-policy-rotation';
import { handler as planRealmChanges } from '../../functions/plan-realm-changes';
import { handler as publishCimdDocument } from '../../functions/publish-cimd-document';
import { handler as publishDriftReport } from '../../functions/publish-drift-report';
import { handler as sendRealmCommand } from '../../functions/send-realm-command';
import { handler as summarizeProvisioning } from '../../functions/summarize-provisioning';
import { handler as verifyChain } from '../../functions/verify-chain';
import { handler as verifyRealmConverged } from '../../functions/verify-realm-converged';
import { resetClients } from '../../functions/adapters/clients';
import type { LambdaHandler } from './index';

/**
 * The real handlers behind each `${…FunctionArn}` placeholder of the state machines, as template.yaml
 * wires them (DefinitionSubstitutions). Later areas add theirs here.
 */
export const KEYGATE_HANDLERS: Record<string, LambdaHandler> = {
  LoadDesiredStateFunctionArn: loadDesiredState,
  EnsureGatewayFunctionArn: ensureGateway,
  AwaitGatewayReadyFunctionArn: awaitGatewayReady,
  EnsureGatewayTargetFunctionArn: ensureGatewayTarget,
  AwaitGatewayTargetReadyFunctionArn: awaitGatewayTargetReady,
  SummarizeProvisioningFunctionArn: summarizeProvisioning,
  ConfirmProvisioningFunctionArn: confirmProvisioning,
  FindGatewayFunctionArn: findGateway,
  DeleteGatewayTargetFunctionArn: deleteGatewayTarget,
  DeleteResourcePolicyFunctionArn: deleteResourcePolicy,
  DeleteGatewayFunctionArn: deleteGateway,
  AwaitDeletionFunctionArn: awaitDeletion,
  VerifyChainFunctionArn: verifyChain,
  ApplyResourcePolicyFunctionArn: applyResourcePolicy,
  PlanPolicyRotationFunctionArn: planPolicyRotation,
  SendRealmCommandFunctionArn: sendRealmCommand,
  GetRealmCommandResultFunctionArn: getRealmCommandResult,
  PlanRealmChangesFunctionArn: planRealmChanges,
  VerifyRealmConvergedFunctionArn: verifyRealmConverged,
  GuardDriftRunFunctionArn: guardDriftRun,
  ObserveGatewayDriftFunctionArn: observeGatewayDrift,
  MergeDriftReportFunctionArn: mergeDriftReport,
  PublishDriftReportFunctionArn: publishDriftReport,
  PublishCimdDocumentFunctionArn: publishCimdDocument,
  GuardProvisioningRunFunctionArn: guardProvisioningRun,
};

/**
 * Points the functions at local emulators the way a deployed stack's environment would configure
 * them: the SDK's per-service endpoint variables, fake credentials, and the stack's own values.
 * Returns a function that restores the previous environment.
 */
export function useLocalEnvironment(values: { agentcoreUrl: string; region: string; owner: string; gatewayRoleArn: string; extra?: Record<string, string> }): () => void {
  const next: Record<string, string> = {
    AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: values.agentcoreUrl,
    AWS_REGION: values.region,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALEMULATOR',
    AWS_SECRET_ACCESS_KEY: 'local-emulator-secret-not-a-credential',
    KEYGATE_OWNER: values.owner,
    GATEWAY_ROLE_ARN: values.gatewayRoleArn,
    DESIRED_STATE_PARAMETER: `/keygate/${values.owner}/desired-state`,
    ...values.extra,
  };
  const previous = Object.fromEntries(Object.keys(next).map((k) => [k, process.env[k]]));
  Object.assign(process.env, next);
  resetClients();
  return () => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetClients();
  };
}
