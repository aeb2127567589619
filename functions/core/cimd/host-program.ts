import { PREVIOUS_SUFFIX } from '../desired/cimd-publish';
import type { DesiredState } from '../desired/document';
import type { HostOperation } from '../host/program';
import { sha256 } from './digest';
import type { ObservedCimd } from './plan-cimd';
import { renderCimdDocument, type RenderedCimd } from './render-cimd';

/** Key of the file observation in the executor's results. */
export const CIMD_RESULT_ID = 'cimd';

export interface HostFile {
  /** Absolute path on the Keycloak host. */
  path: string;
  /** Octal mode, e.g. `0644`. */
  mode: string;
}

/**
 * Reads the published file: hash, size and mode, and its content only when it is a document for
 * `clientId` (keygate's, perhaps edited by hand) that is not the expected one.
 *
 * @example
 * cimdObserveOps({ path: '/opt/cimd/public/oauth/client-metadata.json', mode: '0644' }, 'ab12…', 'https://cimd.example.com/oauth/client-metadata.json')
 * // [{ op: 'stat-file', id: 'cimd', path: '/opt/cimd/public/oauth/client-metadata.json', expectSha256: 'ab12…', clientId: 'https://cimd.example.com/…' }]
 */
export function cimdObserveOps(file: HostFile, expectSha256: string, clientId: string): HostOperation[] {
  return [{ op: 'stat-file', id: CIMD_RESULT_ID, path: file.path, expectSha256, clientId }];
}

/**
 * Writes the rendered bytes atomically with the declared mode, keeping what was there as
 * `<path>.previous`, then reads the file back in the same command (the convergence check).
 *
 * @example
 * cimdPublishOps(file, rendered).map((o) => o.op) // ['write-file', 'stat-file']
 */
export function cimdPublishOps(file: HostFile, rendered: RenderedCimd): HostOperation[] {
  const digest = sha256(rendered.text);
  return [
    { op: 'write-file', label: `write CIMD document ${file.path}`, path: file.path, content: rendered.text, sha256: digest, mode: file.mode, previous: `${file.path}${PREVIOUS_SUFFIX}` },
    ...cimdObserveOps(file, digest, rendered.document.client_id),
  ];
}

/**
 * The executor's `stat-file` result as an observation; undefined when it has not that shape.
 *
 * @example
 * observedFromStat({ exists: true, sha256: 'ab12…', bytes: 312, mode: '0644' })
 * // { exists: true, sha256: 'ab12…', bytes: 312, attributes: { mode: '0644' } }
 */
export function observedFromStat(value: unknown): ObservedCimd | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (v.exists === false) return { exists: false };
  if (v.exists !== true) return undefined;
  if (typeof v.conflict === 'string') return { exists: true, conflict: v.conflict };
  if (typeof v.sha256 !== 'string' || typeof v.bytes !== 'number' || typeof v.mode !== 'string') return undefined;
  const seen = v.foreign === true ? { foreign: true } : typeof v.content === 'string' ? { content: v.content } : {};
  return { exists: true, sha256: v.sha256, bytes: v.bytes, attributes: { mode: v.mode }, ...seen };
}

/**
 * The read-only CIMD file observation to add to another host program (the realm's observe command),
 * so that one SSM command observes both the realm and the published document: a drift run without
 * drift sends one command. Empty when the document is not published to the host.
 *
 * @example
 * piggybackCimdObserveOps(seedDesired()).map((o) => o.op) // ['stat-file']
 */
export function piggybackCimdObserveOps(desired: DesiredState): HostOperation[] {
  const publish = desired.cimd?.publish;
  if (!desired.cimd || !publish || !('host' in publish)) return [];
  const rendered = renderCimdDocument(desired.cimd);
  return cimdObserveOps(publish.host, sha256(rendered.text), rendered.document.client_id);
}

/**
 * The files a host program stat-ed besides its own work (the published CIMD document), keyed by result
 * id, to hand to the CIMD observation.
 *
 * @example
 * hostFilesOf({ realm: {…}, cimd: { exists: false } }) // { cimd: { exists: false } }
 */
export function hostFilesOf(results: Record<string, unknown>): Record<string, unknown> {
  return CIMD_RESULT_ID in results ? { [CIMD_RESULT_ID]: results[CIMD_RESULT_ID] } : {};
}
