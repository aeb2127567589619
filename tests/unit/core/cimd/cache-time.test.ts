import { describeSeconds, keycloakCacheTime } from '../../../../functions/core/cimd/cache-time';

const DEFAULTS = { minSeconds: 300, maxSeconds: 259_200 };

describe('keycloakCacheTime (Keycloak ClientMetadataCacheControl)', () => {
  it.each([
    [undefined, 300, 'no Cache-Control: min-cache-time'],
    ['', 300, 'no Cache-Control: min-cache-time'],
    ['no-store', 300, 'no-store: min-cache-time'],
    ['no-cache, max-age=600', 300, 'no-cache: min-cache-time'],
    ['max-age=3600', 3600, 'max-age=3600'],
    ['Public, MAX-AGE = 900', 900, 'max-age=900'],
    ['max-age=10', 300, 'max-age=10 raised to min-cache-time'],
    ['max-age=999999', 259_200, 'max-age=999999 lowered to max-cache-time'],
    ['max-age=60, s-maxage=600', 600, 's-maxage=600'],
    ['max-age=10,max-age=30', 300, 'no max-age: min-cache-time'],
    ['max-age=abc', 300, 'no max-age: min-cache-time'],
    ['private', 300, 'no max-age: min-cache-time'],
  ])('%j → %d s (%s)', (header, seconds, basis) => {
    expect(keycloakCacheTime(header, DEFAULTS)).toEqual({ seconds, basis });
  });

  it('a min-cache-time of 0 makes no-store re-fetch on every request', () => {
    expect(keycloakCacheTime('no-store', { minSeconds: 0, maxSeconds: 600 })).toEqual({ seconds: 0, basis: 'no-store: min-cache-time' });
  });
});

describe('describeSeconds', () => {
  it.each([
    [0, '0 s'],
    [45, '45 s'],
    [300, '300 s (5 min)'],
    [5400, '5400 s (1.5 h)'],
    [86_400, '86400 s (1 day)'],
    [259_200, '259200 s (3 days)'],
  ])('%d → %s', (seconds, text) => expect(describeSeconds(seconds)).toBe(text));
});
