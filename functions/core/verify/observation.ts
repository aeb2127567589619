import { escapeForDisplay } from '../display';

/**
 * What an HTTP probe saw, as plain data: the adapters fill it in, the pure checks read it. A body
 * is kept as text (bounded by the adapter) so that size limits and JSON parsing are judged here.
 */
export type HttpObservation =
  | {
      kind: 'response';
      url: string;
      status: number;
      /** Lower-case header names. */
      headers: Record<string, string>;
      text: string;
      /** Size of the body in bytes (may exceed `text` when the adapter stopped reading). */
      bytes: number;
    }
  | { kind: 'unreachable'; url: string; error: string };

/** Diagnosis of a peer that did not answer at all; only such failures are worth retrying. */
export const UNREACHABLE_DIAGNOSIS = 'unreachable' as const;

export type JsonRead = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

/** How much of a body that starts like JSON but does not parse a diagnosis quotes. */
export const QUOTED_PREFIX_CHARS = 40;

/**
 * Parses a response body as a JSON object. A body that is not JSON is never quoted (a web server may
 * serve any file it can read): only one that starts like JSON (`{`, `[`) gets a short prefix, escaped
 * (control characters and bidirectional overrides as \u escapes), so that a diagnosis says where it broke.
 *
 * @example
 * readJsonObject('{"issuer":"https://kc/realms/r"}') // { ok: true, value: { issuer: 'https://kc/realms/r' } }
 * readJsonObject('root:x:0:0').ok // false, problem: 'is not JSON (10 characters, not starting with { or [: not quoted)'
 */
export function readJsonObject(text: string): JsonRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const trimmed = text.trimStart();
    if (!/^[[{]/.test(trimmed)) return { ok: false, problem: `is not JSON (${text.length} characters, not starting with { or [: not quoted)` };
    const prefix = trimmed.slice(0, QUOTED_PREFIX_CHARS);
    return { ok: false, problem: `is not valid JSON (starts with ${escapeForDisplay(JSON.stringify(prefix))}${trimmed.length > prefix.length ? '…' : ''})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'is JSON but not an object' };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Short human form of an observation for evidence strings.
 *
 * @example
 * describeObservation({ kind: 'unreachable', url: 'https://kc/x', error: 'ENOTFOUND' }) // 'https://kc/x could not be reached (ENOTFOUND)'
 */
export function describeObservation(obs: HttpObservation): string {
  return obs.kind === 'unreachable' ? `${obs.url} could not be reached (${obs.error})` : `${obs.url} answered ${obs.status}`;
}

/**
 * The host of a URL, for fixes that name where to look.
 *
 * @example
 * hostOfUrl('https://kc.example.com:8443/realms/r') // 'kc.example.com:8443'
 */
export function hostOfUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * A fix for a peer that did not answer at all: the usual causes when the verifier runs in a VPC.
 *
 * @example
 * unreachableFix('https://kc.example.com/x') // 'make kc.example.com reachable from where verification runs: …'
 */
export function unreachableFix(url: string): string {
  return `make ${hostOfUrl(url)} reachable from where verification runs: DNS (private hosted zone), the verify function's subnets (verify.network) and a security group allowing egress to port 443; then run verification again`;
}

export const isHttps = (url: unknown): boolean => {
  if (typeof url !== 'string') return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
};
