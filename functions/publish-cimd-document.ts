import { cimdDestinationFor } from './adapters/cimd/destination-for';
import { reconcileCimd, skipReason, type CimdMode, type CimdOutcome } from './adapters/cimd/reconcile-cimd';
import type { DesiredState } from './core/desired/document';
import { hostTarget, keycloakHostEnv } from './platform/keycloak-host';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface PublishCimdDocumentInput extends TaskInput {
  desired: DesiredState;
  /** `publish` (default): write when the plan is not a noop. `observe`: plan only, write nothing (drift detection). */
  mode?: CimdMode;
  /**
   * Observe mode: the file stat the realm's observe command already made (`hostFiles` of reconcile-realm's
   * output). With it, a host destination is planned without a second SSM command.
   */
  hostFiles?: Record<string, unknown>;
}

/**
 * Step "Publish CIMD Document" (provisioning) and the CIMD observation of drift detection
 * (`mode: "observe"`): the document declared in `cimd`, at the destination `cimd.publish` names.
 */
export const handler = makeHandler('publish-cimd-document', async (input: PublishCimdDocumentInput, { logger, signal }): Promise<CimdOutcome> => {
  const { desired } = input;
  const mode = input.mode ?? 'publish';
  const skip = skipReason(desired.cimd);
  if (skip || !desired.cimd?.publish) {
    logger.info('CIMD document not published by keygate', { reason: skip });
    return { mode, outcome: 'skipped', reason: skip ?? '', ...(desired.cimd ? { url: desired.cimd.url } : {}) };
  }
  const hostAccess = () => ({ host: hostTarget(desired), region: keycloakHostEnv().AWS_REGION });
  const { destination, piggybacked } = cimdDestinationFor(desired.cimd, desired.cimd.publish, hostAccess, mode === 'observe' ? input.hostFiles : undefined);
  if (piggybacked) logger.info('CIMD document observed by the realm command', { path: (desired.cimd.publish as { host: { path: string } }).host.path });
  logger.appendKeys({ cimdUrl: desired.cimd.url, destination: destination.description });
  const result = await reconcileCimd({ ...desired, cimd: desired.cimd }, destination, { mode, signal });
  if (result.outcome !== 'skipped') logger.info('CIMD document', { mode, outcome: result.outcome, reason: result.plan.reason, fields: result.plan.fields.map((f) => f.field) });
  return result;
});
