/**
 * Keycloak's trusted-domain match, used by the CIMD executor (`cimd-allow-permitted-domains`) and the
 * client-id-uri condition (`client-id-uri-allow-permitted-domains`) alike, as observed on Keycloak
 * 26.7.3 (tests/integration/keycloak-real/cimd-behaviour.test.ts; checkTrustedDomain in
 * AbstractClientIdMetadataDocumentExecutor):
 * - `*.d` covers `d` itself and every subdomain of `d` (`*.example.org` covers `example.org`);
 * - any other entry covers exactly that host;
 * - the comparison is case-sensitive, on the host as java.net.URI reads it: case kept, an IPv6
 *   literal in brackets (`[::1]` covers `http://[::1]/…`, `::1` does not).
 */
export function domainCovers(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) {
    const domain = pattern.slice(2);
    return host === domain || host.endsWith(`.${domain}`);
  }
  return pattern === host;
}

export function anyDomainCovers(patterns: readonly string[], host: string): boolean {
  return patterns.some((p) => domainCovers(p, host));
}

/**
 * The host of an absolute URL as Keycloak compares it (java.net.URI#getHost: case kept, an IPv6
 * literal in brackets), or undefined when the text is not an absolute URL with a host. Not WHATWG
 * URL's `hostname`, which lower-cases it.
 */
export function hostOf(url: string): string | undefined {
  try {
    new URL(url);
  } catch {
    return undefined;
  }
  const host = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(url)?.[1];
  return host ? host : undefined;
}
