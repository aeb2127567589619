import { DesiredStateInvalidError } from '../../../../functions/core/errors';
import { decodeDocument, encodeDocument } from '../../../../functions/core/desired/encoding';
import { validateDesiredStateShape } from '../../../../functions/core/desired/check';
import { loadDesiredState, parseDesiredStateText } from '../../../../functions/core/desired/load';
import { seedRaw, seedText } from '../../../support/seed';

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DesiredStateInvalidError);
    return (error as DesiredStateInvalidError).problems;
  }
  throw new Error('expected DesiredStateInvalidError');
}

const load = (text: string) => loadDesiredState(text, 'doc.yaml');

describe('loadDesiredState', () => {
  it('loads the seed document and fills defaults', () => {
    // Act
    const desired = load(seedText());
    // Assess
    expect(desired.gateway.name).toBe('mcp-gateway-keycloak-demo');
    expect(desired.gateway.allowReplacement).toBe(false);
    expect(desired.keycloak.realm.clientScopes[0]!.displayOnConsentScreen).toBe(true);
    expect(desired.keycloak.realm.users[0]!.resetPassword).toBe(false);
    expect(desired.drift).toEqual({ schedule: 'rate(15 minutes)', mode: 'repair' });
  });

  it('reports invalid YAML with line and column', () => {
    const problems = problemsOf(() => load('version: 1\ngateway:\n  name: x\n  description: "y\n'));
    expect(problems[0]).toMatchObject({ path: '', line: 4, column: 16 });
    expect(problems[0]!.message).toMatch(/^invalid YAML: /);
  });

  it.each([
    ['a list', 'version: 1\ngateway:\n  name: [unclosed\ntargets: []\n', { line: 3, column: 9 }, 'the list opened here with [ is not closed (the parser noticed at line 4)'],
    ['a mapping', 'version: 1\ngateway: {name: x\n\ntargets: []\n', { line: 2, column: 10 }, 'the mapping opened here with { is not closed (the parser noticed at line 4)'],
    ['a list after a closed one and a quoted ]', 'a: [x, "]"]\nb: [y\nc: 1\n', { line: 2, column: 4 }, 'the list opened here with [ is not closed'],
    ['a quoted string', "version: 1\ngateway:\n  name: 'it''s\n  description: y\ntargets: []\n", { line: 3, column: 9 }, "the quoted string opened here with ' is not closed"],
  ])('names the line where %s that is never closed opens, not where the parser noticed', (_what, text, where, message) => {
    const problems = problemsOf(() => load(text));
    expect(problems[0]).toMatchObject({ path: '', ...where, message: expect.stringContaining(`invalid YAML: ${message}`) });
  });

  it('reads a .json file as JSON: its errors say JSON, at their line, and YAML-only forms are refused', () => {
    const parse = (text: string) => problemsOf(() => parseDesiredStateText(text, 'doc.json'));
    expect(parse('{\n  "version": 1,\n}\n')).toEqual([{ path: '', message: expect.stringMatching(/^invalid JSON: /), fix: expect.stringMatching(/no trailing comma/), line: 3, column: 1 }]);
    expect(parse('# a comment\n{"version": 1}\n')[0]!.message).toMatch(/^invalid JSON: /);
    // Never closed: where it opened, not the end of the file where JSON.parse stopped.
    expect(parse('{\n  "version": 1,\n  "gateway": {\n    "name": "x"\n')).toEqual([
      { path: '', message: 'invalid JSON: the object opened here with { is not closed (the parser noticed at line 5)', fix: 'close it with } where it ends', line: 3, column: 14 },
    ]);
    expect(parse('{"version": 1, "targets": [1, {"a": 2}\n')[0]).toMatchObject({ message: expect.stringMatching(/^invalid JSON: the array opened here with \[ is not closed/), line: 1, column: 27 });
    expect(parse('{"version": 1,\n "x": "abc\n')[0]).toMatchObject({ message: expect.stringMatching(/^invalid JSON: the string opened here with " is not closed/), line: 2, column: 7 });
    expect(parse('{"version": 1, "version": 2}')[0]).toMatchObject({ path: 'version', fix: expect.stringMatching(/keygate refuses a repeated key/) });
    expect(parseDesiredStateText('{"version": 1}', 'doc.json').value).toEqual({ version: 1 });
  });

  it('says to quote an unquoted file mode, which YAML reads as a number', () => {
    const problems = problemsOf(() => load(seedText().replace("mode: '0644'", 'mode: 0644')));
    expect(problems).toEqual([expect.objectContaining({ path: 'cimd.publish.host.mode', message: "must be a quoted string such as '0644': unquoted, YAML reads the mode as the number 644 (write mode: '0644')" })]);
    expect(problemsOf(() => load(seedText().replace("mode: '0644'", 'mode: 640')))[0]!.message).toMatch(/such as '0640'.*the number 640/);
    expect(problemsOf(() => load(seedText().replace("mode: '0644'", 'mode: 9999')))[0]!.message).toMatch(/such as '0644'.*the number 9999/);
  });

  it('rejects duplicate keys with their line', () => {
    const problems = problemsOf(() => load('version: 1\nversion: 1\n'));
    expect(problems).toEqual([{ path: 'version', message: 'is declared twice in the same mapping (first at line 1)', fix: 'keep one "version" key: YAML keeps no duplicate keys', line: 2, column: 1 }]);
  });

  it('names a duplicate key by its path in the document, also inside a list', () => {
    const text = seedText().replace('  name: mcp-gateway-keycloak-demo\n', '  name: mcp-gateway-keycloak-demo\n  name: other\n');
    const line = text.split('\n').indexOf('  name: other') + 1;
    expect(problemsOf(() => load(text))).toEqual([expect.objectContaining({ path: 'gateway.name', message: `is declared twice in the same mapping (first at line ${line - 1})`, line, column: 3 })]);
    expect(problemsOf(() => load('targets:\n  - name: a\n    endpoint: x\n    name: b\n'))).toEqual([expect.objectContaining({ path: 'targets[0].name', line: 4, column: 5 })]);
  });

  it('says a file holds one document and where the second one starts, without library advice', () => {
    const problems = problemsOf(() => load(`${seedText()}---\nversion: 1\n`));
    const line = seedText().split('\n').length;
    expect(problems).toEqual([expect.objectContaining({ path: '', line, column: 1, message: `the file must hold one YAML document, but a second one starts at line ${line} (after a "---" or "..." line)` })]);
    expect(JSON.stringify(problems)).not.toMatch(/parseAllDocuments/);
  });

  it.each([['nothing', ''], ['only comments and blank lines', '# desired state\n\n   \n']])('says the file is empty when it holds %s', (_what, text) => {
    expect(() => load(text)).toThrow(/^doc\.yaml: 1 problem in the desired-state document:\n {2}\(document\): the file is empty Fix: write the desired-state document/);
  });

  it('refuses an alias bomb with a clear message (no ReferenceError)', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    const problems = problemsOf(() => load(`${levels.join('\n')}\n`));
    expect(problems).toEqual([expect.objectContaining({ path: '', message: expect.stringMatching(/^invalid YAML: its aliases \(\*name\) expand to too much data/), fix: expect.stringMatching(/fewer aliases/) })]);
  });

  it('rejects a document that is not a mapping', () => {
    const problems = problemsOf(() => load('- a\n- b\n'));
    expect(problems).toEqual([{ path: '', message: 'must be a mapping with the keys version, gateway, targets, keycloak (see docs/desired-state.md)' }]);
  });

  it('names an unknown key, its line and the key it was probably meant to be', () => {
    const text = seedText().replace('    allowedScopes: [mcp:tools]', '    allowedScope: [mcp:tools]');
    const problems = problemsOf(() => load(text));
    const line = text.split('\n').findIndex((l) => l.includes('allowedScope:')) + 1;
    expect(problems).toEqual([{ path: 'gateway.authorizer.allowedScope', message: 'unknown key (did you mean "allowedScopes"?)', line, column: 5 }]);
  });

  it('names a wrong type with what was expected and what was found', () => {
    const raw = seedRaw();
    raw.gateway.authorizer.allowedAudiences = 'mcp-gateway-demo';
    const problems = problemsOf(() => validateDesiredStateShape(raw, 'doc'));
    expect(problems).toEqual([{ path: 'gateway.authorizer.allowedAudiences', message: 'must be a list, not string "mcp-gateway-demo"' }]);
  });

  it('names a missing required field', () => {
    const raw = seedRaw();
    delete raw.keycloak.admin.passwordParameter;
    const problems = problemsOf(() => validateDesiredStateShape(raw, 'doc'));
    expect(problems).toEqual([{ path: 'keycloak.admin.passwordParameter', message: 'is required' }]);
  });

  it('lists the allowed values for an enum and for an executor id', () => {
    const raw = seedRaw();
    raw.keycloak.realm.clientScopes[0].type = 'optinal';
    raw.keycloak.realm.clientProfiles[1].executors[0].executor = 'pkce-enforcr';
    const problems = problemsOf(() => validateDesiredStateShape(raw, 'doc'));
    expect(problems).toEqual([
      { path: 'keycloak.realm.clientScopes[0].type', message: 'must be one of "default", "optional", "none", not "optinal"' },
      {
        path: 'keycloak.realm.clientProfiles[1].executors[0].executor',
        message:
          'must be one of "client-id-metadata-document", "pkce-enforcer", "reject-implicit-grant", "reject-ropc-grant", "secure-redirect-uris-enforcer", "dpop-bind-enforcer", not "pkce-enforcr"',
      },
    ]);
  });

  it('lists several problems at once, in document order, with lines', () => {
    const text = seedText()
      .replace('version: 1', 'version: 2')
      .replace('  name: mcp-gateway-keycloak-demo', '  name: 42')
      .replace('  realm:\n    name: mcp-demo', '  realm:\n    nmae: mcp-demo');
    const problems = problemsOf(() => load(text));
    expect(problems.map((p) => `${p.line}: ${p.path}: ${p.message}`)).toEqual([
      '7: version: must be 1 (the only document version keygate knows)',
      '10: gateway.name: must be a string, not number 42',
      // A missing key is reported at the mapping that lacks it.
      `${text.split('\n').findIndex((l) => l.includes('nmae:'))}: keycloak.realm.name: is required`,
      `${text.split('\n').findIndex((l) => l.includes('nmae:')) + 1}: keycloak.realm.nmae: unknown key (did you mean "name"?)`,
    ]);
  });

  it('refuses a document with lint errors, naming the rule, path and fix', () => {
    const text = seedText().replace('audience: mcp-gateway-demo', 'audience: mcp-gateway-dmo');
    const problems = problemsOf(() => load(text));
    // The typo seen from both sides: the mapper's audience is not allowed, and the allowed one is mapped by nothing.
    expect(problems.map((p) => p.ruleId)).toEqual(['audience-mapper-not-allowed', 'gateway-audience-unmapped']);
    expect(problems[0]).toMatchObject({ ruleId: 'audience-mapper-not-allowed', path: 'keycloak.realm.clientScopes[0].audienceMapper.audience' });
    expect(problems[0]!.fix).toContain('"mcp-gateway-demo"');
  });

  it('formats the error message with file, line and path for people', () => {
    expect(() => load(seedText().replace('    allowedScopes: [mcp:tools]', '    allowedScope: [mcp:tools]'))).toThrow(
      /doc\.yaml: 1 problem in the desired-state document:\n {2}doc\.yaml:\d+:5: gateway\.authorizer\.allowedScope: unknown key \(did you mean "allowedScopes"\?\)/,
    );
  });

  it('reads JSON and the kg1: encoded form the same way as YAML', () => {
    const raw = seedRaw();
    const fromJson = load(JSON.stringify(raw));
    const fromEncoded = load(encodeDocument(raw));
    expect(fromJson).toEqual(load(seedText()));
    expect(fromEncoded).toEqual(fromJson);
    expect(JSON.parse(decodeDocument(encodeDocument(raw)))).toEqual(raw);
  });

  it('keeps YAML 1.1 booleans such as "off" as strings (YAML 1.2 core schema)', () => {
    const { value } = parseDesiredStateText('mode: off\nflag: true\n');
    expect(value).toEqual({ mode: 'off', flag: true });
  });
});
