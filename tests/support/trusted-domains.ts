/**
 * Trusted-domain entries and client_id URLs, with whether Keycloak 26.7.3 lets the entry cover the
 * URL's host. One table for both sides: tests/integration/keycloak-real/cimd-behaviour.test.ts asks
 * the real server (the client-id-uri condition and the CIMD executor), and
 * tests/unit/core/keycloak/domains.test.ts holds lint's matcher (functions/core/keycloak/domains.ts) to it.
 */
export const TRUSTED_DOMAIN_CASES: Array<{ entry: string; clientId: string; covered: boolean }> = [
  { entry: 'example.org', clientId: 'http://example.org/c.json', covered: true },
  { entry: '*.example.org', clientId: 'http://example.org/c.json', covered: true },
  { entry: '*.example.org', clientId: 'http://a.b.example.org/c.json', covered: true },
  { entry: 'example.org', clientId: 'http://a.example.org/c.json', covered: false },
  { entry: '*.example.org', clientId: 'http://EXAMPLE.ORG/c.json', covered: false },
  { entry: '*.Example.org', clientId: 'http://example.org/c.json', covered: false },
  { entry: 'EXAMPLE.ORG', clientId: 'http://EXAMPLE.ORG/c.json', covered: true },
  { entry: '[::1]', clientId: 'http://[::1]:1/c.json', covered: true },
  { entry: '::1', clientId: 'http://[::1]:1/c.json', covered: false },
];
