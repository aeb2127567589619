/** Keycloak's server-wide bounds for caching a client metadata document (`cimd.keycloakCache`). */
export interface CacheBounds {
  minSeconds: number;
  maxSeconds: number;
}

/** How long Keycloak keeps a fetched document before it fetches it again, and why. */
export interface KeycloakCacheTime {
  seconds: number;
  /** The rule that gave `seconds`, e.g. `no-store: min-cache-time`, `max-age=60 raised to min-cache-time`. */
  basis: string;
}

/**
 * How long Keycloak's CIMD executor caches a document served with this `Cache-Control`, as its
 * `ClientMetadataCacheControl` computes it (keycloak/keycloak, `AbstractClientIdMetadataDocumentExecutor`;
 * read from a copy of the source, the exact 26.6 release is UNCONFIRMED): `no-cache` or `no-store` →
 * min-cache-time; else `s-maxage`, then `max-age` (each only when it appears once and is an integer),
 * clamped to [min-cache-time, max-cache-time]; no usable directive → min-cache-time. Clients see a
 * changed document only after that time.
 *
 * @example
 * keycloakCacheTime('no-store', { minSeconds: 300, maxSeconds: 259200 }) // { seconds: 300, basis: 'no-store: min-cache-time' }
 * keycloakCacheTime('max-age=3600', { minSeconds: 300, maxSeconds: 259200 }) // { seconds: 3600, basis: 'max-age=3600' }
 */
export function keycloakCacheTime(header: string | undefined, bounds: CacheBounds): KeycloakCacheTime {
  const min = Math.max(0, bounds.minSeconds);
  if (header === undefined || header.trim() === '') return { seconds: min, basis: 'no Cache-Control: min-cache-time' };
  const directives = header.toLowerCase().replace(/\s/g, '').split(',');
  const noCaching = directives.find((d) => d === 'no-cache' || d === 'no-store');
  if (noCaching) return { seconds: min, basis: `${noCaching}: min-cache-time` };
  for (const name of ['s-maxage', 'max-age']) {
    const found = directives.filter((d) => d.startsWith(`${name}=`));
    const value = found.length === 1 ? found[0]!.slice(name.length + 1) : '';
    if (!/^[+-]?\d+$/.test(value)) continue;
    const asked = Number.parseInt(value, 10);
    if (asked < bounds.minSeconds) return { seconds: bounds.minSeconds, basis: `${name}=${asked} raised to min-cache-time` };
    if (asked > bounds.maxSeconds) return { seconds: bounds.maxSeconds, basis: `${name}=${asked} lowered to max-cache-time` };
    return { seconds: asked, basis: `${name}=${asked}` };
  }
  return { seconds: min, basis: 'no max-age: min-cache-time' };
}

/**
 * A duration for people: `300 s (5 min)`, `259200 s (3 days)`.
 *
 * @example
 * describeSeconds(300) // '300 s (5 min)'
 */
export function describeSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds} s (${+(seconds / 60).toFixed(1)} min)`;
  if (seconds < 86_400) return `${seconds} s (${+(seconds / 3600).toFixed(1)} h)`;
  const days = +(seconds / 86_400).toFixed(1);
  return `${seconds} s (${days} ${days === 1 ? 'day' : 'days'})`;
}
