import type { DesiredState } from '../desired/document';
import { lintDesiredState, type Finding } from '../lint';
import type { Change, FieldDiff } from '../plan/change';
import { sha256 } from './digest';
import { renderCimdDocument, type RenderedCimd } from './render-cimd';

/**
 * What a destination reports about the published document, in the compact style of the Keycloak
 * snapshot: hash and size always, the content only when the hash differs from the expected one
 * (so a converged run moves a few bytes, and a drifted one shows what changed).
 */
export interface ObservedCimd {
  exists: boolean;
  sha256?: string;
  bytes?: number;
  content?: string;
  /** What the destination sets besides the bytes: `mode` of a host file; `contentType`, `cacheControl` of an S3 object. */
  attributes?: Record<string, string>;
  /** Something keygate does not replace stands where the document belongs (`a directory`, `a symbolic link`), or a link it does not follow stands on the way (`a symbolic link at /opt/cimd/public on the way to …`). */
  conflict?: string;
  /** A file that is not a CIMD document for this client_id stands there (the host executor says so without sending a byte of it). */
  foreign?: boolean;
}

export type CimdState = { sha256: string; bytes: number; attributes: Record<string, string> };
export type CimdChange = Change<CimdState | null> & { kind: 'cimd-document'; fields: FieldDiff[] };

/** Fields whose observed value a plan never repeats: a secret in a published document is already a leak. */
const SECRET_FIELDS = new Set(['client_secret']);

/**
 * Plan for the published document: `noop` when the bytes (same hash) and the destination's attributes
 * (file mode, Content-Type, Cache-Control) match, `create` when nothing is there, `update` otherwise,
 * naming the JSON fields that differ (`formatting` when only the bytes do, `attributes` when only the
 * mode or headers do). The rendered bytes are deterministic, so a republish of the same document is a noop.
 *
 * @example
 * planCimdDocument(url, rendered, { exists: true, sha256: sha256(rendered.text), bytes: rendered.bytes, attributes: { mode: '0644' } }, { mode: '0644' }).action // 'noop'
 */
export function planCimdDocument(url: string, rendered: RenderedCimd, observed: ObservedCimd, expectedAttributes: Record<string, string> = {}): CimdChange {
  const after = { sha256: sha256(rendered.text), bytes: rendered.bytes, attributes: expectedAttributes };
  const base = { kind: 'cimd-document' as const, name: url, after };
  if (!observed.exists) return { ...base, action: 'create', before: null, reason: 'missing', fields: [{ field: '(document)', expected: rendered.document, actual: null }] };
  const before = { sha256: observed.sha256 ?? '', bytes: observed.bytes ?? 0, attributes: observed.attributes ?? {} };
  if (observed.conflict) return { ...base, action: 'update', before, reason: 'conflict', fields: [{ field: '(document)', expected: 'a regular file', actual: observed.conflict }] };
  const parsed = observed.foreign ? undefined : keygateDocument(observed.content, rendered.document.client_id);
  if (observed.foreign || (observed.content !== undefined && !parsed)) {
    // Whatever stands there is not keygate's: named by size and hash, never quoted (it may be anything the host holds).
    return { ...base, action: 'update', before, reason: 'foreign', fields: [{ field: '(document)', expected: 'a keygate CIMD document', actual: notKeygateDocument(before) }] };
  }
  const attributes = Object.keys(expectedAttributes)
    .filter((k) => before.attributes[k] !== expectedAttributes[k])
    .map((k) => ({ field: `(${k})`, expected: expectedAttributes[k], actual: before.attributes[k] ?? null }));
  if (observed.sha256 === after.sha256) {
    return attributes.length ? { ...base, action: 'update', before, reason: 'attributes', fields: attributes } : { ...base, action: 'noop', before, reason: 'in-sync', fields: [] };
  }
  if (!parsed) return { ...base, action: 'update', before, reason: 'differs', fields: [{ field: '(document)', expected: after.sha256, actual: observed.sha256 }, ...attributes] };
  const fields = diffJsonFields(rendered.document, parsed);
  return { ...base, action: 'update', before, reason: fields.length ? 'differs' : attributes.length ? 'attributes' : 'formatting', fields: [...fields, ...attributes] };
}

/**
 * How a plan, a drift report and an error name a file that is not keygate's: its size and hash only.
 *
 * @example
 * notKeygateDocument({ bytes: 1204, sha256: '9f86…' }) // 'not a keygate CIMD document (1204 bytes, sha256 9f86…)'
 */
export function notKeygateDocument(found: { bytes: number; sha256: string }): string {
  return `not a keygate CIMD document (${found.bytes} bytes, sha256 ${found.sha256})`;
}

/**
 * The parsed document when `content` is a CIMD document for `clientId` (a JSON object with that
 * client_id: keygate's, perhaps edited by hand), else undefined. The same test the host executor makes
 * before it reads a file out or replaces it.
 */
export function keygateDocument(content: string | undefined, clientId: string): Record<string, unknown> | undefined {
  if (content === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return (parsed as Record<string, unknown>).client_id === clientId ? (parsed as Record<string, unknown>) : undefined;
}

/**
 * Top-level fields of two JSON objects that differ (a document is flat DCR metadata), compared as
 * JSON values (key order inside nested objects such as `jwks` does not matter). The observed value
 * of a secret field is never repeated.
 *
 * @example
 * diffJsonFields({ client_name: 'a' }, { client_name: 'b' }) // [{ field: 'client_name', expected: 'a', actual: 'b' }]
 */
export function diffJsonFields(expected: Record<string, unknown>, actual: unknown): FieldDiff[] {
  if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return [{ field: '(document)', expected, actual: Array.isArray(actual) ? '(a JSON array)' : actual }];
  const a = actual as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(a)])];
  return keys
    .filter((k) => canonical(expected[k]) !== canonical(a[k]))
    .map((k) => ({ field: k, expected: expected[k] ?? null, actual: a[k] === undefined ? null : SECRET_FIELDS.has(k) ? '(redacted)' : a[k] }));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * The document keygate may publish, or the lint findings that forbid it: keygate never publishes a
 * document that fails the CIMD rules (a client_secret, a client_id that is not its URL, a redirect
 * host outside the trusted domains …), whatever path the request took.
 *
 * @example
 * 'rendered' in publishableCimd(seed) // true
 */
export function publishableCimd(desired: DesiredState): { rendered: RenderedCimd } | { rejected: Finding[] } {
  if (!desired.cimd) return { rejected: [] };
  const blocking = lintDesiredState(desired).filter((f) => f.severity === 'error' && (f.path === 'cimd' || f.path.startsWith('cimd.')));
  return blocking.length ? { rejected: blocking } : { rendered: renderCimdDocument(desired.cimd) };
}
