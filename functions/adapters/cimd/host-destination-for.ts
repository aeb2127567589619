import { CIMD_RESULT_ID, observedFromStat } from '../../core/cimd/host-program';
import type { DesiredCimd } from '../../core/desired/cimd';
import type { HostTarget } from '../host/host-result';
import type { CimdDestination } from './destination';
import { hostDestination } from './host-destination';

/** How to reach the Keycloak host, asked for only when the document is published there. */
export type CimdHostAccess = () => { host: HostTarget; region: string };

/**
 * The document's file on the Keycloak host (`cimd.publish.host`). Given the file stat the realm's
 * observe command already made (`hostFiles`, from the same SSM command), it is observed from that
 * without a second command; `piggybacked` says so. Its own module: the host publisher bundles no S3.
 *
 * @example
 * const { destination } = hostCimdDestination(desired.cimd, desired.cimd.publish, () => ({ host, region }), hostFiles);
 */
export function hostCimdDestination(
  cimd: DesiredCimd,
  publish: NonNullable<DesiredCimd['publish']>,
  hostAccess: CimdHostAccess,
  hostFiles?: Record<string, unknown>,
): { destination: CimdDestination; piggybacked: boolean } {
  if (!('host' in publish)) throw new TypeError('hostCimdDestination: cimd.publish names no host file');
  const { host, region } = hostAccess();
  const full = hostDestination({ host, file: publish.host, url: cimd.url, region });
  const observed = observedFromStat(hostFiles?.[CIMD_RESULT_ID]);
  return observed ? { destination: { ...full, observe: async () => observed }, piggybacked: true } : { destination: full, piggybacked: false };
}
