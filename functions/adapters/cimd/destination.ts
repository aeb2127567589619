import type { ObservedCimd } from '../../core/cimd/plan-cimd';
import type { RenderedCimd } from '../../core/cimd/render-cimd';

/**
 * Where a CIMD document is published: a file on the Keycloak host (through SSM) or an S3 object.
 * Both report what is there in the same compact form and write atomically, keeping the previous
 * content for one rollback.
 */
export interface CimdDestination {
  /** Human-readable location, e.g. `file /opt/cimd/public/oauth/client-metadata.json on i-0123…`. */
  readonly description: string;
  /** What the destination sets besides the bytes and the plan compares: `{mode}` of a file, `{contentType, cacheControl}` of an object. */
  readonly attributes: Record<string, string>;
  /** Hash and size of what is published; the content too when its hash differs from `expectedSha256`. */
  observe(expectedSha256: string, signal?: AbortSignal): Promise<ObservedCimd>;
  /**
   * Writes the rendered bytes (atomically; the previous content is kept as one rollback copy), then
   * reads back what is there now: the caller requires that observation to plan as a noop.
   */
  publish(rendered: RenderedCimd, signal?: AbortSignal): Promise<ObservedCimd>;
}
