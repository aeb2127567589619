import type { DesiredCimd } from '../../core/desired/cimd';
import type { CimdDestination } from './destination';
import { hostCimdDestination, type CimdHostAccess } from './host-destination-for';
import { s3Destination } from './s3-destination';

export type { CimdHostAccess } from './host-destination-for';

/**
 * The destination `cimd.publish` names, either kind (the CLI's drift command; each Lambda publisher
 * imports only its own kind). A host file is observed from `hostFiles` when given (see
 * {@link hostCimdDestination}).
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
  return hostCimdDestination(cimd, publish, hostAccess, hostFiles);
}
