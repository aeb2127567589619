import { CIMD_RESULT_ID, observedFromStat } from '../../core/cimd/host-program';
import type { DesiredCimd } from '../../core/desired/cimd';
import type { HostTarget } from '../host/host-result';
import type { CimdDestination } from './destination';
import { hostDestination } from './host-destination';
import { s3Destination } from './s3-destination';

/** How to reach the Keycloak host, asked for only when the document is published there. */
export type CimdHostAccess = () => { host: HostTarget; region: string };

/**
 * The destination `cimd.publish` names. Given the file stat the realm's observe command already made
 * (`hostFiles`, from the same SSM command), a host file is observed from it without a second command;
 * `piggybacked` says so.
 *
 * @example
 * const { destination } = cimdDestinationFor(desired.cimd, desired.cimd.publish, () => ({ host, region }), hostFiles);
 * await reconcileCimd({ ...desired, cimd: desired.cimd }, destination, { mode: 'observe' });
 */
export function cimdDestinationFor(
  cimd: DesiredCimd,
  publish: NonNullable<DesiredCimd['publish']>,
  hostAccess: CimdHostAccess,
  hostFiles?: Record<string, unknown>,
): { destination: CimdDestination; piggybacked: boolean } {
  if ('s3' in publish) return { destination: s3Destination(publish.s3), piggybacked: false };
  const { host, region } = hostAccess();
  const full = hostDestination({ host, file: publish.host, url: cimd.url, region });
  const observed = observedFromStat(hostFiles?.[CIMD_RESULT_ID]);
  return observed ? { destination: { ...full, observe: async () => observed }, piggybacked: true } : { destination: full, piggybacked: false };
}
