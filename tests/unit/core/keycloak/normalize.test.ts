import { canonicalJson, diffValues, normalizeConfig, normalizeConfigValue, normalizeEnabled, normalizeUsername } from '../../../../functions/core/keycloak/normalize';

describe('normalizeConfigValue', () => {
  it.each([
    [true, true],
    ['true', true],
    [false, false],
    ['false', false],
    [7200, '7200'],
    ['7200', '7200'],
    [['b', 'a', 'b'], ['a', 'b']],
    [[], []],
    ['https', 'https'],
    [null, null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeConfigValue(input)).toEqual(expected);
  });
});

describe('normalizeConfig', () => {
  it('treats absent, null and empty lists alike and sorts keys', () => {
    expect(normalizeConfig({ b: [], a: 'true', c: null, d: undefined })).toEqual({ a: true });
    expect(Object.keys(normalizeConfig({ z: '1', a: '2' }))).toEqual(['a', 'z']);
    expect(normalizeConfig(undefined)).toEqual({});
  });

  it('makes the built-in profile spellings compare equal to keygate\'s', () => {
    expect(normalizeConfig({ 'auto-configure': 'true', 'allowed-client-authenticators': ['client-x509', 'client-jwt'] })).toEqual(
      normalizeConfig({ 'auto-configure': true, 'allowed-client-authenticators': ['client-jwt', 'client-x509'] }),
    );
  });
});

describe('small normalizers', () => {
  it.each([
    [true, true],
    ['true', true],
    [undefined, false],
    [false, false],
    ['yes', false],
  ])('policy enabled %j → %j (a missing enabled is false in Keycloak)', (input, expected) => {
    expect(normalizeEnabled(input)).toBe(expected);
  });

  it('usernames compare lower-case, as Keycloak stores them', () => {
    expect(normalizeUsername('Alice')).toBe('alice');
  });
});

describe('diffValues', () => {
  it('names each differing field with a dotted path and list positions for objects in lists', () => {
    expect(diffValues({ a: 1, b: { c: [1, 2] }, d: [{ e: 'x' }] }, { a: 1, b: { c: [1] }, d: [{ e: 'y' }] })).toEqual([
      { field: 'b.c', expected: [1, 2], actual: [1] },
      { field: 'd[0].e', expected: 'x', actual: 'y' },
    ]);
  });

  it('reports a missing key with an undefined actual value, and nothing for equal values', () => {
    expect(diffValues({ a: 1 }, {})).toEqual([{ field: 'a', expected: 1, actual: undefined }]);
    expect(diffValues({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });

  it('compares lists of different length as one field', () => {
    expect(diffValues([{ a: 1 }], [])).toEqual([{ field: '(value)', expected: [{ a: 1 }], actual: [] }]);
  });
});

describe('canonicalJson', () => {
  it('is independent of key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(canonicalJson({ a: [{ c: 2, d: 1 }], b: 1 }));
  });
});
