import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostCommandParameters } from '../../../functions/adapters/host/host-runner';
import { adminConnection, renderObserveOps } from '../../../functions/core/keycloak/observe-realm';
import { planRealm } from '../../../functions/core/keycloak/plan-realm';
import { renderApplyOps } from '../../../functions/core/keycloak/render-apply';
import { emptyRealmSnapshot } from '../../../functions/core/keycloak/snapshot';
import { loadTemplate } from '../../../scripts/template';
import { commandDocumentFromTemplate } from '../../../emulators/ssm/template-document';
import { CIMD_PUBLISH_DIRECTORY_PATTERN, DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../../../functions/core/desired/cimd';
import { fromRoot } from '../../support/paths';
import { seedDesired } from '../../support/seed';

const template = loadTemplate(fromRoot());
const document = commandDocumentFromTemplate('KeycloakCommandDocument', template);
const script = document.mainSteps[0]!.inputs.runCommand;

describe('KeycloakCommandDocument', () => {
  it('pins the SHA-256 of functions/host/executor.py (run `npm run pin-executor` after changing the executor)', () => {
    const digest = createHash('sha256').update(readFileSync(fromRoot('functions', 'host', 'executor.py'))).digest('hex');
    expect(script).toContain(`expected=${digest}`);
  });

  it('names its work directory so that the executor recognises it, and the executor calls a leftover stale only after timeoutSeconds and a minute more', () => {
    // A command killed with SIGKILL (timeoutSeconds, the OOM killer) runs no EXIT trap: a later executor removes
    // keygate-host.* directories older than STALE_AFTER_SECONDS, which must outlast any command still running.
    const executor = readFileSync(fromRoot('functions', 'host', 'executor.py'), 'utf8');
    expect(script).toContain('work="$(mktemp -d -t keygate-host.XXXXXXXXXX)"');
    expect(executor).toContain("WORK_DIR = re.compile(r'keygate-host\\.[A-Za-z0-9]{10}')");
    const stale = Number(/^STALE_AFTER_SECONDS = (\d+)$/m.exec(executor)?.[1]);
    expect(stale).toBeGreaterThanOrEqual(Number(document.mainSteps[0]!.inputs.timeoutSeconds) + 60);
  });

  it('takes every parameter through ENV_VAR interpolation with an allowedPattern, and never pastes {{ }} into the script', () => {
    for (const [name, spec] of Object.entries(document.parameters ?? {})) {
      expect([name, spec.interpolationType]).toEqual([name, 'ENV_VAR']);
      expect(spec.allowedPattern).toMatch(/^\^.*\$$/);
    }
    expect(script.join('\n')).not.toContain('{{');
  });

  it('is a Linux runShellScript step with a plugin name of at least 4 characters (GetCommandInvocation PluginName)', () => {
    expect(document.schemaVersion).toBe('2.2');
    expect(document.mainSteps).toHaveLength(1);
    expect(document.mainSteps[0]).toMatchObject({ action: 'aws:runShellScript', precondition: { StringEquals: ['platformType', 'Linux'] } });
    expect(document.mainSteps[0]!.name.length).toBeGreaterThanOrEqual(4);
  });

  it('the seed\'s largest program fits the parameter patterns and the 64 KB limit', () => {
    const desired = seedDesired();
    const changes = planRealm(desired, emptyRealmSnapshot('mcp-demo', true)).changes;
    const params = hostCommandParameters({ ...adminConnection(desired, 'eu-central-1'), ops: [...renderApplyOps('mcp-demo', changes), ...renderObserveOps(desired)] });
    for (const [name, [value]] of Object.entries(params)) expect(new RegExp(document.parameters![name]!.allowedPattern!).test(value!)).toBe(true);
    const size = Buffer.byteLength(JSON.stringify(document)) + Object.values(params).flat().reduce((n, v) => n + v.length, 0);
    expect(size).toBeLessThan(32 * 1024); // half the limit: room for larger realms
  });
});

describe('the CIMD publish directory (CimdPublishDirectory)', () => {
  const parameter = template.Parameters!.CimdPublishDirectory!;

  it('defaults to the seed\'s web root, with the pattern the CLI and the loader check, in one source each', () => {
    expect(parameter.Default).toBe(DEFAULT_CIMD_PUBLISH_DIRECTORY);
    expect(new RegExp(parameter.AllowedPattern!).source).toBe(CIMD_PUBLISH_DIRECTORY_PATTERN.source);
  });

  it('is written into the script as a fixed, single-quoted value and handed to the executor: no command parameter can move it', () => {
    const raw = template.Resources.KeycloakCommandDocument!.Properties!.Content as { mainSteps: Array<{ inputs: { runCommand: unknown[] } }> };
    expect(raw.mainSteps[0]!.inputs.runCommand).toContainEqual({ 'Fn::Sub': "publish_dir='${CimdPublishDirectory}'" });
    expect(script).toContain("publish_dir='/opt/cimd/public'");
    expect(script[script.length - 1]).toBe('python3 -I "$work/executor.py" "$work/program.json.gz" "$publish_dir"');
    expect(commandDocumentFromTemplate('KeycloakCommandDocument', template, { CimdPublishDirectory: '/srv/www' }).mainSteps[0]!.inputs.runCommand).toContain("publish_dir='/srv/www'");
    expect(Object.keys(document.parameters ?? {}).sort()).toEqual(['executor', 'program']);
  });

  it.each(['/', '/srv/www/', 'srv/www', '/srv/../etc', '/srv/.hidden', "/srv/www'; rm -rf /", '/srv/$(id)', '/srv/w w'])('the pattern refuses %j (it would break out of the quotes or the directory)', (value) => {
    expect(new RegExp(parameter.AllowedPattern!).test(value)).toBe(false);
    expect(() => commandDocumentFromTemplate('KeycloakCommandDocument', template, { CimdPublishDirectory: value })).toThrow(/does not match its AllowedPattern/);
  });

  it('Load Desired State lints and binds against the same parameter', () => {
    expect((template.Resources.LoadDesiredStateFunction!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.CIMD_PUBLISH_DIRECTORY).toEqual({ Ref: 'CimdPublishDirectory' });
  });
});

describe('IAM of the realm reconciler', () => {
  it('may send commands with the keygate document to the Keycloak instance only, output to the stack\'s bucket', () => {
    const policies = template.Resources.SendRealmCommandFunction!.Properties!.Policies as Array<{ Statement?: Array<{ Action: string; Resource: unknown }> }>;
    const statements = policies.flatMap((p) => p.Statement ?? []);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'ssm:SendCommand',
        Resource: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:document/${KeycloakCommandDocument}' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/${KeycloakInstanceId}' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${CommandOutputBucket}' },
        ],
      },
    ]);
  });

  it('the output bucket is private, expires its objects, and stays when the stack is deleted (sam delete cannot delete a bucket that holds objects)', () => {
    expect(template.Resources.CommandOutputBucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(template.Resources.CommandOutputBucket!.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 7 }] },
    });
  });
});
