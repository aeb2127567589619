import { getGateway } from './adapters/agentcore/gateway-repository';
import { getGatewayTarget } from './adapters/agentcore/gateway-target-repository';
import { confirmStillReady, type FinalObservation, type ProvisioningSummary } from './core/gateway/provisioning';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface ConfirmProvisioningInput extends TaskInput {
  /** The run's summary ($.summary.result): the gateway and the targets it made READY. */
  result: Pick<ProvisioningSummary, 'gatewayId' | 'targets'>;
}

/**
 * Step "Confirm Still Ready", the last before "Provisioning Succeeded": GetGateway and GetGatewayTarget
 * for each target, read in parallel; success only if all are still READY (confirmStillReady).
 */
export const handler = makeHandler('confirm-provisioning', async (input: ConfirmProvisioningInput, { logger, signal }): Promise<FinalObservation> => {
  const { gatewayId, targets } = input.result;
  logger.appendKeys({ gatewayId });
  const [gateway, ...observed] = await Promise.all([
    getGateway(gatewayId, { signal }),
    ...targets.map((t) => getGatewayTarget(gatewayId, t.targetId, { signal })),
  ]);
  const final = confirmStillReady({ gatewayId, gateway: gateway as Parameters<typeof confirmStillReady>[0]['gateway'], targets: targets.map((t, i) => ({ name: t.name, targetId: t.targetId, observed: observed[i] as never })) });
  logger.info('still ready', { gateway: final.gateway.status, targets: final.targets.length });
  return final;
});
