/**
 * The one redaction function (house style §5): every log line and every error cause that leaves a
 * handler goes through it. Keys that name secrets are masked wherever they appear; JWT-shaped strings
 * are masked anywhere, so a token pasted into a message cannot reach the logs.
 */
const SECRET_KEY = /(password|secret|token|authorization|credential|cookie|private[_-]?key|^value$)/i;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
export const REDACTED = '***redacted***';

/** Keys that look secret but carry names or ids only (parameter names, token endpoints, client tokens). */
const SAFE_KEY = /(parameter(name)?|passwordParameter|secretParameter|tokenEndpoint|token_endpoint|clientToken|nextToken|Token(Url|Type)$)/i;

export function redact<T>(value: T, depth = 0): T {
  if (depth > 12) return value;
  if (typeof value === 'string') return value.replace(JWT, REDACTED) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) && !SAFE_KEY.test(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
