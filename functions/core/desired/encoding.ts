import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Compact transport form of a desired-state document for places that cannot hold free text well:
 * a CloudFormation parameter in samconfig.toml (SAM's parameter_overrides parser splits on spaces and
 * quotes) and environment variables. `kg1:` + base64url(gzip(JSON)).
 */
export const ENCODED_PREFIX = 'kg1:';

export function encodeDocument(document: unknown): string {
  const json = JSON.stringify(document);
  return ENCODED_PREFIX + gzipSync(Buffer.from(json, 'utf8'), { level: 9 }).toString('base64url');
}

export function isEncodedDocument(text: string): boolean {
  return text.trimStart().startsWith(ENCODED_PREFIX);
}

/** Returns the JSON text inside an encoded document; throws TypeError when it is not one. */
export function decodeDocument(text: string): string {
  const body = text.trim().slice(ENCODED_PREFIX.length);
  try {
    return gunzipSync(Buffer.from(body, 'base64url')).toString('utf8');
  } catch (cause) {
    throw new TypeError(`not a valid ${ENCODED_PREFIX} encoded document (regenerate it with "keygate parameters")`, { cause });
  }
}
