/**
 * Whether a Keycloak "trusted domains" entry covers a host: an exact host (case-insensitive) or a
 * `*.` wildcard matching any subdomain. Keycloak's own matcher for the CIMD executor and the
 * client-id-uri condition is UNCONFIRMED against a 26.6 source in detail (keycloak-admin-reference
 * §1.3 says "wildcards like *.example.org or exact hosts"); this is the one place to change it.
 */
export function domainCovers(pattern: string, host: string): boolean {
  const p = pattern.trim().toLowerCase();
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return p === h;
}

export function anyDomainCovers(patterns: readonly string[], host: string): boolean {
  return patterns.some((p) => domainCovers(p, host));
}

/** Host of a URL, or undefined when the text is not an absolute URL. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}
