import { DesiredStateInvalidError } from '../../../../functions/core/errors';
import { parameterNameProblem, SSM_PARAMETER_NAME } from '../../../../functions/core/desired/common';
import { loadDesiredState } from '../../../../functions/core/desired/load';
import { schemaText } from '../../../../cli/commands/schema';
import { seedText } from '../../../support/seed';

/** Every field that holds the name of an SSM parameter, with the seed line that sets it. */
const FIELDS = [
  { path: 'keycloak.admin.passwordParameter', line: '    passwordParameter: /keygate/mcp-keycloak-agentcore/keycloak-admin-password', key: 'passwordParameter' },
  { path: 'keycloak.realm.users[0].passwordParameter', line: '        passwordParameter: /keygate/mcp-keycloak-agentcore/users/alice', key: 'passwordParameter' },
  { path: 'keycloak.realm.canaryClient.secretParameter', line: '      secretParameter: /keygate/mcp-keycloak-agentcore/canary-client-secret', key: 'secretParameter' },
  { path: 'resourcePolicy.vpcEndpoint.parameterName', line: '    parameterName: /keygate/mcp-keycloak-agentcore/gateway-vpce-id', key: 'parameterName' },
];

/** Secrets as people paste them: with symbols, and the plain letters-and-digits kind that fits SSM's grammar. */
const SECRETS = ['S3cr3t!Passw0rd-2024', 'Al1ce-P@ssw0rd!', 'q8Zr2mVb0c7Kx1LpT9wE4nYs'];

function rejection(text: string): DesiredStateInvalidError {
  try {
    loadDesiredState(text, 'doc.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(DesiredStateInvalidError);
    return error as DesiredStateInvalidError;
  }
  throw new Error('expected DesiredStateInvalidError');
}

describe('SSM parameter name fields', () => {
  const cases = FIELDS.flatMap((field) => SECRETS.map((secret) => [field.path, secret, field] as const));

  it.each(cases)('%s: a pasted value (%s) is refused with path, line, column and fix, and never echoed', (path, secret, field) => {
    // Prepare
    const seed = seedText();
    expect(seed).toContain(`${field.line}`);
    const text = seed.replace(field.line, `${field.line.slice(0, field.line.indexOf(':') + 2)}"${secret}"`);
    const line = text.split('\n').findIndex((l) => l.includes(secret)) + 1;
    // Act
    const error = rejection(text);
    // Assess
    expect(error.problems).toEqual([
      expect.objectContaining({ path, line, column: field.line.indexOf(':') + 3, message: expect.stringMatching(/SSM parameter/), fix: expect.stringMatching(/starting with "\/", for example \/keygate\//) }),
    ]);
    expect(JSON.stringify(error.problems)).not.toContain(secret);
    expect(error.message).not.toContain(secret);
    expect(error.problems[0]!.fix).not.toMatch(/"\/q8Z/); // no "did you mean /<value>"
  });

  it('names the SecureString for secret fields and says never to write the value', () => {
    const error = rejection(seedText().replace(FIELDS[0]!.line, '    passwordParameter: admin-password'));
    expect(error.problems[0]!.message).toBe('must be the full name of an SSM parameter, starting with "/" (the stack\'s IAM policies grant access to arn:…:parameter/<path>)');
    expect(error.problems[0]!.fix).toBe('put the admin password in an SSM SecureString and write its full name here, starting with "/", for example /keygate/mcp-keycloak-agentcore/keycloak-admin-password; never the value itself');
  });

  it('does not echo a secret that YAML reads as a number', () => {
    const error = rejection(seedText().replace(FIELDS[1]!.line, '        passwordParameter: 83749201'));
    expect(error.problems).toEqual([expect.objectContaining({ path: 'keycloak.realm.users[0].passwordParameter', message: 'must be the name of an SSM parameter (a string such as /keygate/mcp-keycloak-agentcore/users/alice)' })]);
    expect(error.message).not.toContain('83749201');
  });
});

const levels = (n: number) => Array.from({ length: n }, (_, i) => `/l${i}`).join('');

const ACCEPTED = [
  '/keygate/mcp-keycloak-agentcore/keycloak-admin-password',
  '/a',
  '/Dev/DBServer/MySQL/db-string13',
  '/x_y.z-1/2',
  levels(SSM_PARAMETER_NAME.maxLevels),
  `/${'a'.repeat(SSM_PARAMETER_NAME.maxLength - 1)}`,
  '/awesome-app/secret', // "awe", not the reserved "aws"
];

const REFUSED: Array<[string, RegExp]> = [
  ['', /must not be empty/],
  ['admin password', /only letters, digits and _ \. - \//],
  ['/keygate/admin password', /only letters, digits/],
  ['/keygate/ü', /only letters, digits/],
  ['keygate/admin-password', /starting with "\/"/],
  ['adminpassword', /starting with "\/"/],
  [`/${'a'.repeat(SSM_PARAMETER_NAME.maxLength)}`, /longer than the 1011 characters/],
  [levels(SSM_PARAMETER_NAME.maxLevels + 1), /has 16 levels: SSM allows at most 15/],
  ['/keygate//admin', /empty level/],
  ['/keygate/admin/', /empty level/],
  ['/', /empty level/],
  ['/aws/reference/x', /reserves/],
  ['/AWS-keys/x', /reserves/],
  ['/Ssm/x', /reserves/],
];

describe('parameterNameProblem (SSM naming constraints)', () => {
  it.each(ACCEPTED)('accepts %s', (name) => {
    expect(parameterNameProblem(name)).toBeUndefined();
  });

  it.each(REFUSED)('refuses %j', (name, reason) => {
    const problem = parameterNameProblem(name);
    expect(problem).toMatch(reason);
    if (name.length > 1) expect(problem).not.toContain(name);
  });
});

describe('the JSON Schema of a parameter name field', () => {
  const schema = JSON.parse(schemaText()).properties.keycloak.properties.admin.properties.passwordParameter;

  it.each([...ACCEPTED.map((n) => [n, true] as const), ...REFUSED.map(([n]) => [n, false] as const)])('agrees with the loader on %j (editors flag what the loader refuses)', (name, ok) => {
    expect(new RegExp(schema.pattern).test(name) && name.length <= schema.maxLength).toBe(ok);
  });
});
