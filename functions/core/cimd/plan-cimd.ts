import { createHash } from 'node:crypto';
import type { DesiredState } from '../desired/document';
import { lintDesiredState, type Finding } from '../lint';
import type { Change, FieldDiff } from '../plan/change';
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
}

export type CimdChange = Change<{ sha256: string; bytes: number } | null> & { kind: 'cimd-document'; fields: FieldDiff[] };

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Plan for the published document: `noop` when the bytes match (same hash), `create` when there is
 * no file, `update` otherwise, with the JSON fields that differ (or `formatting` when only the bytes
 * do). The rendered bytes are deterministic, so a republish of the same document is a noop.
 *
 * @example
 * planCimdDocument(rendered, { exists: true, sha256: sha256(rendered.text), bytes: rendered.bytes }).action // 'noop'
 */
export function planCimdDocument(url: string, rendered: RenderedCimd, observed: ObservedCimd): CimdChange {
  const after = { sha256: sha256(rendered.text), bytes: rendered.bytes };
  const base = { kind: 'cimd-document' as const, name: url, after };
  if (!observed.exists) return { ...base, action: 'create', before: null, reason: 'missing', fields: [{ field: '(document)', expected: rendered.document, actual: null }] };
  const before = { sha256: observed.sha256 ?? '', bytes: observed.bytes ?? 0 };
  if (observed.sha256 === after.sha256) return { ...base, action: 'noop', before, reason: 'in-sync', fields: [] };
  if (observed.content === undefined) return { ...base, action: 'update', before, reason: 'differs', fields: [{ field: '(document)', expected: after.sha256, actual: observed.sha256 }] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(observed.content);
  } catch {
    return { ...base, action: 'update', before, reason: 'unparsable', fields: [{ field: '(document)', expected: rendered.document, actual: observed.content }] };
  }
  const fields = diffJsonFields(rendered.document, parsed);
  return { ...base, action: 'update', before, reason: fields.length ? 'differs' : 'formatting', fields };
}

/** Top-level fields of two JSON objects that differ (a document is flat DCR metadata). */
export function diffJsonFields(expected: Record<string, unknown>, actual: unknown): FieldDiff[] {
  if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return [{ field: '(document)', expected, actual }];
  const a = actual as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(a)])];
  return keys
    .filter((k) => JSON.stringify(expected[k]) !== JSON.stringify(a[k]))
    .map((k) => ({ field: k, expected: expected[k] ?? null, actual: a[k] ?? null }));
}

/**
 * The document keygate may publish, or the lint findings that forbid it: keygate never publishes a
 * document that fails the CIMD rules (a client_secret, a client_id that is not its URL, a redirect
 * host outside the trusted domains …), whatever path the request took.
 */
export function publishableCimd(desired: DesiredState): { rendered: RenderedCimd } | { rejected: Finding[] } {
  if (!desired.cimd) return { rejected: [] };
  const blocking = lintDesiredState(desired).filter((f) => f.severity === 'error' && (f.path === 'cimd' || f.path.startsWith('cimd.')));
  return blocking.length ? { rejected: blocking } : { rendered: renderCimdDocument(desired.cimd) };
}
