import { summarizeProvisioning, type EnsureAction, type TargetOutcome } from './core/gateway/provisioning';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface SummarizeProvisioningInput extends TaskInput {
  gateway: { gatewayId: string; gatewayArn: string; gatewayUrl?: string; action: EnsureAction };
  targets: TargetOutcome[];
}

/** Step "Summarize Provisioning": the execution's result, and whether a target waits for OAuth consent. */
export const handler = makeHandler('summarize-provisioning', async (input: SummarizeProvisioningInput, { logger }) => {
  const summary = summarizeProvisioning(input.gateway, input.targets);
  logger.info('provisioning summary', { outcome: summary.outcome, gatewayId: summary.result.gatewayId, targets: summary.result.targets });
  return summary;
});
