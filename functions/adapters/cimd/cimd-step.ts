import { cimdDestinationKind, type CimdDestinationKind } from '../../core/desired/cimd-publish';
import type { DesiredCimd } from '../../core/desired/cimd';
import type { DesiredState } from '../../core/desired/document';
import { CimdPublishFailedError } from '../../core/errors';
import type { HandlerContext, TaskInput } from '../../platform/make-handler';
import type { CimdDestination } from './destination';
import { reconcileCimd, skipReason, type CimdMode, type CimdOutcome } from './reconcile-cimd';

// The CIMD steps of the provisioning and drift machines, shared by the two publishers: Publish CIMD
// Document (a file on the Keycloak host, through SSM) and Publish CIMD To S3. One function per
// destination, so that each bundles and may call only its own destination's service.

export interface PublishCimdInput extends TaskInput {
  desired: DesiredState;
  /** `publish` (default): write when the plan is not a noop. `observe`: plan only, write nothing (drift detection). */
  mode?: CimdMode;
  /**
   * Observe mode: the file stat the realm's observe command already made (`hostFiles` of reconcile-realm's
   * output). With it, a host destination is planned without a second SSM command.
   */
  hostFiles?: Record<string, unknown>;
}

/** The destination a publisher reaches for the document's `cimd.publish`, and whether its observation came piggybacked. */
export type DestinationOf = (cimd: DesiredCimd, publish: NonNullable<DesiredCimd['publish']>, input: PublishCimdInput) => { destination: CimdDestination; piggybacked: boolean };

/**
 * Runs one CIMD step for the publisher of `kind`: skipped when keygate does not publish the document;
 * refused, before anything is read or written, when the document names the other publisher's
 * destination (the machines' Choice on `cimdDestination` routes each document to its publisher).
 */
export async function runCimdStep(kind: Exclude<CimdDestinationKind, 'none'>, input: PublishCimdInput, ctx: HandlerContext, destinationOf: DestinationOf): Promise<CimdOutcome> {
  const { desired } = input;
  const { logger } = ctx;
  const mode = input.mode ?? 'publish';
  const skip = skipReason(desired.cimd);
  if (skip || !desired.cimd?.publish) {
    logger.info('CIMD document not published by keygate', { reason: skip });
    return { mode, outcome: 'skipped', reason: skip ?? '', ...(desired.cimd ? { url: desired.cimd.url } : {}) };
  }
  const declared = cimdDestinationKind(desired.cimd);
  if (declared !== kind) {
    throw new CimdPublishFailedError(
      desired.cimd.url,
      declared === 's3' ? 'its S3 object' : 'its file on the Keycloak host',
      `this step's function publishes ${kind === 's3' ? 'S3 objects' : 'files on the Keycloak host'}; the state machine routes ${declared === 's3' ? 'an S3 destination to Publish CIMD To S3' : 'a host destination to Publish CIMD Document'} ($.loaded.cimdDestination). Nothing was read or written`,
    );
  }
  const { destination, piggybacked } = destinationOf(desired.cimd, desired.cimd.publish, input);
  if (piggybacked) logger.info('CIMD document observed by the realm command', { destination: destination.description });
  logger.appendKeys({ cimdUrl: desired.cimd.url, destination: destination.description });
  const result = await reconcileCimd({ ...desired, cimd: desired.cimd }, destination, { mode, signal: ctx.signal });
  if (result.outcome !== 'skipped') logger.info('CIMD document', { mode, outcome: result.outcome, reason: result.plan.reason, fields: result.plan.fields.map((f) => f.field) });
  return result;
}
