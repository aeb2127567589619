// Facts about where keygate publishes the CIMD document, apart from the document's schema (cimd.ts):
// the functions that only write or observe the published file bundle these and not zod.

/** keygate keeps the bytes it replaced under `<path>.previous` / `<key>.previous`: one rollback copy. */
export const PREVIOUS_SUFFIX = '.previous';

/**
 * Default of the template parameter CimdPublishDirectory (the seed's nginx web root): the one directory
 * on the Keycloak host keygate may publish under. A test keeps template.yaml's Default equal to it.
 */
export const DEFAULT_CIMD_PUBLISH_DIRECTORY = '/opt/cimd/public';

/** CimdPublishDirectory's AllowedPattern in template.yaml (a test keeps them equal): absolute, no dot-led component, no trailing slash. */
export const CIMD_PUBLISH_DIRECTORY_PATTERN = new RegExp('^(/[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)+$');

/** Whether a (schema-checked, normalized) host path lies strictly inside `directory`. */
export const isInsideDirectory = (path: string, directory: string): boolean => path.startsWith(`${directory}/`);

/**
 * Which function publishes the document: Load Desired State returns it (`$.loaded.cimdDestination`)
 * and the provisioning and drift machines branch on it, so that the host publisher bundles no S3
 * client and the S3 publisher no SSM client or executor. `none`: keygate does not publish it (the host
 * publisher's step reports it skipped).
 *
 * @example
 * cimdDestinationKind({ publish: { s3: { cacheControl: 'max-age=300' } } }) // 's3'
 */
export type CimdDestinationKind = 'host' | 's3' | 'none';

export function cimdDestinationKind(cimd: { publish?: object } | undefined): CimdDestinationKind {
  if (!cimd?.publish) return 'none';
  return 's3' in cimd.publish ? 's3' : 'host';
}
