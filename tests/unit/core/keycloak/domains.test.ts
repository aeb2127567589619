import { anyDomainCovers, domainCovers, hostOf } from '../../../../functions/core/keycloak/domains';
import { TRUSTED_DOMAIN_CASES } from '../../../support/trusted-domains';

// Lint's trusted-domain matcher agrees with Keycloak's, case by case, on the table the real-server
// test asks Keycloak 26.7.3 about (tests/integration/keycloak-real/cimd-behaviour.test.ts).

describe('domainCovers (Keycloak checkTrustedDomain, observed on 26.7.3)', () => {
  it.each(TRUSTED_DOMAIN_CASES)('$entry covers $clientId: $covered', ({ entry, clientId, covered }) => {
    expect(domainCovers(entry, hostOf(clientId)!)).toBe(covered);
  });

  it('any entry of a list covers', () => {
    expect(anyDomainCovers(['other.org', '*.example.org'], 'example.org')).toBe(true);
    expect(anyDomainCovers([], 'example.org')).toBe(false);
  });
});

describe('hostOf (java.net.URI#getHost)', () => {
  it.each([
    ['https://Cimd.Example.org/oauth/c.json', 'Cimd.Example.org'],
    ['http://user@example.org:8443/x', 'example.org'],
    ['http://[::1]:6274/cb', '[::1]'],
    ['not a url', undefined],
    ['mailto:someone@example.org', undefined],
  ])('%s → %s', (url, host) => {
    expect(hostOf(url)).toBe(host);
  });
});
