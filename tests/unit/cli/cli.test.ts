import { readFileSync } from 'node:fs';
import { schemaText } from '../../../cli/commands/schema';
import { rulesMarkdown } from '../../../cli/commands/rules';
import { decodeDocument } from '../../../functions/core/desired/encoding';
import { parse as parseToml } from 'smol-toml';
import { runCli } from '../../support/cli';
import { fromRoot } from '../../support/paths';
import { seedDesired, seedRaw, seedText } from '../../support/seed';
import { emptyRealmSnapshot } from '../../../functions/core/keycloak/snapshot';
import { actionable, planRealm } from '../../../functions/core/keycloak/plan-realm';
import { loadDesiredState } from '../../../functions/core/desired/load';
import { convergedSnapshot } from '../../support/keycloak-snapshots';

const cli = (argv: string[], files: Record<string, string> = {}) => runCli(argv, { files });

const broken = (from: string, to: string) => ({ 'broken.yaml': seedText().replace(from, to) });

describe('keygate plan', () => {
  it('--json prints one object with exactly the documented top-level keys', async () => {
    const { code, stdout, stderr } = await cli(['plan', '--config', 'examples/seed.yaml', '--json']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const plan = JSON.parse(stdout);
    expect(Object.keys(plan)).toEqual(['format', 'ok', 'gateway', 'targets', 'resourcePolicy', 'keycloak', 'cimd', 'findings']);
    expect(plan).toMatchObject({ format: 'keygate.plan/1', ok: true });
  });

  it('--json shows the AgentCore wire fields and the Keycloak keys', async () => {
    const plan = JSON.parse((await cli(['plan', '--config', 'examples/seed.yaml', '--json'])).stdout);
    const jwt = plan.gateway.request.authorizerConfiguration.customJWTAuthorizer;
    expect(plan.gateway.request.authorizerType).toBe('CUSTOM_JWT');
    expect(jwt.allowedAudience).toEqual(['mcp-gateway-demo']);
    expect(jwt.privateEndpoint.managedVpcResource.vpcIdentifier).toBe('vpc-0a1b2c3d4e5f60718');
    expect(plan.targets[0].request.targetConfiguration.mcp.mcpServer.endpoint).toBe('https://mcp-server.agentcore-keycloak-example.com/mcp');
    expect(plan.keycloak.clientScopes[0].scope.attributes['include.in.token.scope']).toBe('true');
    expect(plan.keycloak.clientScopes[0].audienceMapper.config['included.custom.audience']).toBe('mcp-gateway-demo');
    expect(plan.keycloak.clientProfiles.profiles[0].executors[0].executor).toBe('client-id-metadata-document');
    expect(plan.keycloak.clientPolicies.policies[0].conditions[0].condition).toBe('client-id-uri');
    expect(plan.resourcePolicy.policy.Statement.map((s: { Effect: string }) => s.Effect)).toEqual(['Allow', 'Deny', 'Deny']);
    expect(plan.cimd.document.client_id).toBe('https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json');
    expect(plan.findings).toEqual([]);
  });

  it('prints a readable grouped plan that names every resource', async () => {
    const { code, stdout } = await cli(['plan', '--config', 'examples/seed.yaml']);
    expect(code).toBe(0);
    for (const heading of ['AgentCore Gateway', 'Gateway resource policy', 'Keycloak realm mcp-demo', 'CIMD client metadata document', 'Drift detection', 'Findings']) {
      expect(stdout).toContain(heading);
    }
    expect(stdout).toContain('+ target my-mcp-server (only after the gateway is READY)');
    expect(stdout).toContain('+ audience mapper aud-agentcore-gateway: aud "mcp-gateway-demo" in access token, introspection');
    expect(stdout).toContain('keycloak/keycloak#49456 workaround on (auto: Keycloak 26.6.1 is older than 26.7.0)');
    expect(stdout).not.toMatch(/\u001b\[/); // no colour when not on a terminal
  });

  it('exits 1 with the plan still printed when the document has lint errors', async () => {
    const { code, stdout } = await cli(['plan', '--config', 'broken.yaml', '--json'], broken('audience: mcp-gateway-demo', 'audience: other'));
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toContain('audience-mapper-not-allowed');
  });
});

describe('keygate plan --keycloak-observed', () => {
  const files = (snapshot: unknown) => ({ 'observed.json': JSON.stringify(snapshot) });

  it('against an empty realm, prints the seed\'s manual steps as changes', async () => {
    const { code, stdout } = await cli(['plan', '--config', 'examples/seed.yaml', '--keycloak-observed', 'observed.json'], files(emptyRealmSnapshot('mcp-demo', true)));
    expect(code).toBe(0);
    const realm = stdout.slice(stdout.indexOf('Keycloak realm mcp-demo'), stdout.indexOf('CIMD client metadata document'));
    expect(realm).toContain('changes against the snapshot observed.json');
    expect(realm.split('\n').filter((l) => /^  [+~-] /.test(l)).map((l) => l.slice(2, 38))).toEqual([
      '+ realm mcp-demo (enabled)',
      '+ user alice <alice@agentcore-keyclo',
      '+ client scope mcp:tools: openid-con',
      '~ realm type of client scope mcp:too',
      '+ audience mapper aud-agentcore-gate',
      '+ client profile cimd-profile: clien',
      '+ client profile oauth-2-1-for-publi',
      '+ client policy cimd-policy (enabled',
      '+ client policy oauth-2-1-public-cli',
      '+ client keygate-canary: confidentia',
      '~ ownership record keygate.owned: ow',
    ]);
  });

  it('--json puts the changes under keycloak.changes; a converged realm has none and lists unmanaged entries', async () => {
    const snapshot = convergedSnapshot(seedDesired(), (s) => void (s.otherClientPolicies = ['team-policy']));
    const { code, stdout } = await cli(['plan', '--config', 'examples/seed.yaml', '--keycloak-observed', 'observed.json', '--json'], files(snapshot));
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(plan.keycloak.changes).toEqual([]);
    expect(plan.keycloak.unmanaged).toEqual({ clientProfiles: [], clientPolicies: ['team-policy'] });
    const drifted = convergedSnapshot(seedDesired(), (s) => void (s.clientPolicies[0]!.enabled = false));
    const changes = JSON.parse((await cli(['plan', '--config', 'examples/seed.yaml', '--keycloak-observed', 'observed.json', '--json'], files(drifted))).stdout).keycloak.changes;
    expect(changes).toMatchObject([{ action: 'update', kind: 'client-policy', name: 'cimd-policy', reason: 'differs', diff: [{ field: 'enabled', expected: true, actual: false }] }]);
  });

  it.each([
    ['a missing file', {}, /cannot read --keycloak-observed observed\.json: no such file/],
    ['text that is not JSON', { 'observed.json': '{' }, /observed\.json: not JSON/],
    ['JSON that is not a snapshot', { 'observed.json': '{"realm":"x"}' }, /observed\.json: not a keygate Keycloak snapshot \(docs\/keycloak-snapshot\.md\), \d+ problems:\n {2}format: must be "keygate\.keycloak-snapshot\/1" Fix: see "format" in the Fields table of docs\/keycloak-snapshot\.md\n/],
    ['a snapshot with a wrong field', { 'observed.json': JSON.stringify({ ...emptyRealmSnapshot('mcp-demo', true), exists: undefined }) }, /^keygate plan: observed\.json: not a keygate Keycloak snapshot \(docs\/keycloak-snapshot\.md\), 1 problem:\n {2}exists: is required Fix: see "exists" in the Fields table/],
    ['a server without CIMD', { 'observed.json': JSON.stringify(emptyRealmSnapshot('mcp-demo', false)) }, /start Keycloak with --features=cimd/],
  ])('exits 2 on %s, without a stack trace', async (_what, given, message) => {
    const { code, stderr, stdout } = await cli(['plan', '--config', 'examples/seed.yaml', '--keycloak-observed', 'observed.json'], given as Record<string, string>);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('keygate lint', () => {
  it('exits 0 on the seed, which has no findings', async () => {
    const { code, stdout } = await cli(['lint', '--config', 'examples/seed.yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('examples/seed.yaml: 0 errors, 0 warnings');
  });

  it('exits 0 on a warning and prints it with file:line', async () => {
    const { code, stdout } = await cli(['lint', '--config', 'broken.yaml'], broken('allowedAudiences: [mcp-gateway-demo]', 'allowedAudiences: [mcp-gateway-demo, account]'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^broken\.yaml:\d+:\d+: warning gateway-audience-account gateway\.authorizer\.allowedAudiences\[1\]/m);
    expect(stdout).toContain('broken.yaml: 0 errors, 1 warning');
  });

  it.each([
    ['audience-mapper-not-allowed', 'audience: mcp-gateway-demo', 'audience: mcp-gateway'],
    ['redirect-uri-localhost', 'redirect_uris: [http://127.0.0.1/oauth/callback]', 'redirect_uris: [http://localhost:6274/oauth/callback]'],
    ['redirect-uri-loopback-port', 'redirect_uris: [http://127.0.0.1/oauth/callback]', 'redirect_uris: [http://127.0.0.1:6274/oauth/callback]'],
    ['discovery-url-suffix', '/realms/mcp-demo/.well-known/openid-configuration', '/realms/mcp-demo'],
    ['vpce-source-missing', '    parameterName: /keygate/mcp-keycloak-agentcore/gateway-vpce-id\n', '    {}\n'],
  ])('names rule %s and exits 1', async (rule, from, to) => {
    const { code, stdout } = await cli(['lint', '--config', 'broken.yaml', '--json'], broken(from, to));
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toContain(rule);
  });

  it('exits 2 without a stack trace on an invalid document', async () => {
    const { code, stderr, stdout } = await cli(['lint', '--config', 'broken.yaml'], broken('  name: mcp-gateway-keycloak-demo', '  name: mcp-gateway-keycloak-demo\n  nmae: x'));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/broken\.yaml:\d+:3: gateway\.nmae: unknown key \(did you mean "name"\?\)/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['lint'], /missing --config FILE/],
    [['lint', '--config', 'nope.yaml'], /cannot read nope\.yaml: no such file/],
    [['lint', '--confg', 'x'], /unknown flag --confg for keygate lint \(did you mean --config\?\)/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('keygate parameters', () => {
  it('encodes the document and repeats what CloudFormation must know', async () => {
    const { code, stdout } = await cli(['parameters', '--config', 'examples/seed.yaml', '--format', 'json']);
    expect(code).toBe(0);
    const params = JSON.parse(stdout);
    expect(JSON.parse(decodeDocument(params.DesiredState))).toEqual(seedRaw());
    expect(params).toMatchObject({ KeycloakInstanceId: 'i-0123456789abcdef0', VpcEndpointParameterName: '/keygate/mcp-keycloak-agentcore/gateway-vpce-id', GatewayRoleArn: '', DriftSchedule: 'rate(15 minutes)' });
    expect(params).not.toHaveProperty('DriftMode'); // every run reads drift.mode from the document itself
  });

  it('refuses a document with lint errors', async () => {
    const { code, stderr } = await cli(['parameters', '--config', 'broken.yaml'], broken('audience: mcp-gateway-demo', 'audience: other'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/audience-mapper-not-allowed/);
  });

  it('keeps samconfig.toml [default] in sync with examples/seed.yaml', async () => {
    const { stdout } = await cli(['parameters', '--config', 'examples/seed.yaml', '--format', 'toml']);
    const expected = parseToml(stdout).parameter_overrides;
    const samconfig = parseToml(readFileSync(fromRoot('samconfig.toml'), 'utf8')) as any;
    expect(samconfig.default.deploy.parameters.parameter_overrides).toEqual(expected);
  });
});

describe('a secret pasted where an SSM parameter name belongs', () => {
  const pasted = [
    ['keycloak.admin.passwordParameter', 'passwordParameter: /keygate/mcp-keycloak-agentcore/keycloak-admin-password', 'passwordParameter: "S3cr3t!Passw0rd-2024"', 'S3cr3t!Passw0rd-2024'],
    ['keycloak.realm.users[0].passwordParameter', 'passwordParameter: /keygate/mcp-keycloak-agentcore/users/alice', 'passwordParameter: "Al1ce-P@ssw0rd!"', 'Al1ce-P@ssw0rd!'],
    ['keycloak.realm.canaryClient.secretParameter', 'secretParameter: /keygate/mcp-keycloak-agentcore/canary-client-secret', 'secretParameter: "q8Zr2mVb0c7Kx1LpT9wE4nYs"', 'q8Zr2mVb0c7Kx1LpT9wE4nYs'],
  ] as const;
  const commands = [['lint'], ['plan'], ['plan', '--json'], ['parameters', '--format', 'json']] as const;

  it.each(pasted.flatMap(([path, from, to, secret]) => commands.map((command) => [command.join(' '), path, from, to, secret] as const)))('keygate %s refuses %s with exit 2, naming the field, and never prints the value', async (_command, path, from, to, secret) => {
    const command = commands.find((c) => c.join(' ') === _command)!;
    const { code, stdout, stderr } = await cli([command[0], '--config', 'broken.yaml', ...command.slice(1)], broken(from, to));
    expect(code).toBe(2);
    expect(`${stdout}\n${stderr}`).toContain(`${path}: `);
    expect(`${stdout}\n${stderr}`).toMatch(/for example \/keygate\//);
    expect(stdout).not.toContain(secret);
    expect(stderr).not.toContain(secret);
  });
});

describe('keygate rehearse', () => {
  const kcadm = () => broken('    url: http://127.0.0.1:8080', '    kcadm:\n      container: keycloak');

  it('refuses a document with keycloak.admin.kcadm up front, with exit 2, before starting anything', async () => {
    const { code, stdout, stderr } = await cli(['rehearse', '--config', 'broken.yaml'], kcadm());
    expect(code).toBe(2);
    expect(stdout).toBe(''); // not even the banner: no emulator was started
    expect(stderr).toMatch(/broken\.yaml:\d+:\d+: keycloak\.admin\.kcadm: is not supported yet.*\[kcadm-unsupported\] Fix: remove keycloak\.admin\.kcadm and set keycloak\.admin\.url/);
  });

  it('--json: the refusal is one JSON object on stdout', async () => {
    const { code, stdout } = await cli(['rehearse', '--config', 'broken.yaml', '--json'], kcadm());
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      format: 'keygate.error/1',
      source: 'broken.yaml',
      ok: false,
      error: 'broken.yaml: 1 problem in the desired-state document',
      problems: [{ ruleId: 'kcadm-unsupported', path: 'keycloak.admin.kcadm', message: expect.stringMatching(/^is not supported yet/), fix: expect.stringMatching(/^remove keycloak\.admin\.kcadm/), line: expect.any(Number), column: expect.any(Number) }],
    });
  });
});

describe('the login flags: bad input refused before anything starts', () => {
  it('rehearse --screenshots without --keycloak real (the stand-in has no login page)', async () => {
    const { code, stdout, stderr } = await cli(['rehearse', '--screenshots', 'shots']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--screenshots goes with --keycloak real/);
  });

  it.each([
    [['--login-user', 'alice'], /--login-user goes with --login/],
    [['--screenshots', 'shots'], /--screenshots goes with --login/],
    [['--login', '--login-user', 'bob'], /--login-user "bob" is not in keycloak\.realm\.users \(alice\)/],
    [['--login'], /--login needs the gateway's MCP URL: --gateway-url URL, or verify\.gatewayUrl/],
  ])('verify %j', async (flags, message) => {
    const { code, stdout, stderr } = await cli(['verify', '--config', 'examples/seed.yaml', ...flags]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('verify --login on a document without a test user names keycloak.realm.users', async () => {
    const raw = seedRaw();
    raw.keycloak.realm.users = [];
    const { stringify } = await import('yaml');
    const { code, stderr } = await cli(['verify', '--config', 'nouser.yaml', '--login', '--gateway-url', 'https://gw.example.com/mcp'], { 'nouser.yaml': stringify(raw) });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--login needs a test user: declare one in keycloak\.realm\.users/);
  });
});

describe('--json on unusable input: one JSON object on stdout, exit 2', () => {
  const typo = () => broken('  name: mcp-gateway-keycloak-demo', '  name: mcp-gateway-keycloak-demo\n  nmae: x');
  const line = () => typo()['broken.yaml'].split('\n').indexOf('  nmae: x') + 1;

  it.each([['lint'], ['plan'], ['verify'], ['drift']])('keygate %s --json names each problem with path, line, column and message', async (command) => {
    const { code, stdout, stderr } = await cli([command, '--config', 'broken.yaml', '--json'], typo());
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      format: 'keygate.error/1',
      source: 'broken.yaml',
      ok: false,
      error: 'broken.yaml: 1 problem in the desired-state document',
      problems: [{ path: 'gateway.nmae', message: 'unknown key (did you mean "name"?)', line: line(), column: 3 }],
    });
    expect(stderr).toContain(`broken.yaml:${line()}:3: gateway.nmae: unknown key`); // the text stays on stderr for people
  });

  it('carries the fix of each problem', async () => {
    const { code, stdout } = await cli(['lint', '--config', 'broken.yaml', '--json'], broken('version: 1\n', 'version: 1\nversion: 1\n'));
    expect(code).toBe(2);
    expect(JSON.parse(stdout).problems).toEqual([{ path: 'version', message: expect.stringMatching(/declared twice/), fix: 'keep one "version" key: YAML keeps no duplicate keys', line: expect.any(Number), column: 1 }]);
  });

  it('plan --keycloak-observed --json: the snapshot\'s problems, with their path in the snapshot', async () => {
    const snapshot = { ...emptyRealmSnapshot('mcp-demo', true), server: { cimdSupported: 'yes', discoveryRealm: null } };
    const { code, stdout } = await cli(['plan', '--config', 'examples/seed.yaml', '--keycloak-observed', 'observed.json', '--json'], { 'observed.json': JSON.stringify(snapshot) });
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ source: 'observed.json', ok: false, problems: [{ path: 'server.cimdSupported', message: 'must be a boolean, not string "yes"', fix: expect.stringContaining('docs/keycloak-snapshot.md') }] });
  });

  it.each([
    [['lint', '--json'], /^missing --config FILE/],
    [['lint', '--json', '--config', 'nope.yaml'], /^cannot read nope\.yaml: no such file/],
    [['lint', '--json', '--confg', 'x'], /^unknown flag --confg/],
    [['plan', '--json', '--config', 'examples/seed.yaml', '--keycloak-observed', 'nope.json'], /^cannot read --keycloak-observed nope\.json/],
  ])('%j: the error without problems', async (argv, error) => {
    const { code, stdout } = await cli(argv);
    expect(code).toBe(2);
    const out = JSON.parse(stdout);
    expect(out).toEqual({ format: 'keygate.error/1', ok: false, error: expect.stringMatching(error), problems: [] });
  });

  it('an alias bomb is unusable input too, not an internal error', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    const { code, stdout, stderr } = await cli(['lint', '--config', 'bomb.yaml', '--json'], { 'bomb.yaml': `${levels.join('\n')}\n` });
    expect(code).toBe(2);
    expect(stderr).not.toMatch(/internal error|ReferenceError/);
    expect(JSON.parse(stdout).problems[0].message).toMatch(/aliases \(\*name\) expand to too much data/);
  });
});

describe('generated artefacts stay in sync', () => {
  it('schema/desired-state.schema.json is the schema generated from the loader (npm run schema)', () => {
    expect(readFileSync(fromRoot('schema', 'desired-state.schema.json'), 'utf8')).toBe(schemaText());
  });

  it('the README lint rules table is `keygate rules` (one line per rule)', () => {
    expect(readFileSync(fromRoot('README.md'), 'utf8')).toContain(rulesMarkdown());
  });
});

describe('docs/desired-state.md', () => {
  it('mentions every key of the desired-state schema', () => {
    const doc = readFileSync(fromRoot('docs', 'desired-state.md'), 'utf8');
    const keys = new Set<string>();
    const visit = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        const n = node as Record<string, unknown>;
        if (n.properties && typeof n.properties === 'object') Object.keys(n.properties).forEach((k) => keys.add(k));
        Object.values(n).forEach(visit);
      }
    };
    visit(JSON.parse(schemaText()));
    const codeSpans = [...doc.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const mentioned = (k: string) => codeSpans.some((span) => span.split(/[^\w:-]+/).includes(k));
    expect([...keys].filter((k) => !mentioned(k))).toEqual([]);
  });

  it('has a row for every top-level key in its "Top level" table', () => {
    const doc = readFileSync(fromRoot('docs', 'desired-state.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Top level'), doc.indexOf('\n## ', doc.indexOf('## Top level') + 1));
    const rows = [...table.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual(Object.keys(JSON.parse(schemaText()).properties));
  });
});

describe('keygate plan shows everything keygate will create', () => {
  const TWO_TARGETS = 'examples/two-targets.yaml';
  const files = () => ({ [TWO_TARGETS]: readFileSync(fromRoot(TWO_TARGETS), 'utf8') });
  const desiredOf = (source: string) => loadDesiredState(source === TWO_TARGETS ? files()[TWO_TARGETS] : seedText(), source);

  it.each([['examples/seed.yaml'], [TWO_TARGETS]])('%s: every object the realm reconciler creates in an empty realm is a "+" line, the canary client included', async (source) => {
    // Prepare: what the reconciler itself would do against an empty realm (the same planner as provisioning).
    const desired = desiredOf(source);
    const creates = actionable(planRealm(desired, emptyRealmSnapshot(desired.keycloak.realm.name, true)).changes).filter((c) => c.kind !== 'client-scope-type');
    // Act
    const { code, stdout } = await cli(['plan', '--config', source], files());
    // Assess
    expect(code).toBe(0);
    const added = stdout.split('\n').filter((l) => /^ {2,4}\+ /.test(l));
    for (const c of creates) expect([c.kind, c.name, added.some((l) => l.includes(` ${c.name.split('/').at(-1)!}`))]).toEqual([c.kind, c.name, true]);
    expect(added.some((l) => l.startsWith('  + client keygate-canary: confidential, client credentials only'))).toBe(true);
  });

  it('--json carries the canary client and the ownership record', async () => {
    const plan = JSON.parse((await cli(['plan', '--config', TWO_TARGETS, '--json'], files())).stdout);
    expect(plan.keycloak.canaryClient).toEqual({ client: expect.objectContaining({ clientId: 'keygate-canary', publicClient: false, serviceAccountsEnabled: true, defaultClientScopes: ['tools:read'] }), secret: { parameterName: '/tools/keycloak/canary-secret', set: 'at-creation' } });
    expect(plan.keycloak.ownershipRecord).toEqual({ attribute: 'keygate.owned' });
    expect(plan.keycloak.canaryClient.client).not.toHaveProperty('secret');
  });

  it('with literal VPC endpoint ids says there is no rotation; with a parameter, how the rotation goes', async () => {
    const literal = await cli(['plan', '--config', TWO_TARGETS], files());
    expect(literal.stdout).toContain('    no rotation: the ids are literal (a change of them is a deploy; rotationGracePeriodSeconds applies only with vpcEndpoint.parameterName)\n');
    expect(literal.stdout).not.toMatch(/allow the old and the new endpoint/);
    expect(JSON.parse((await cli(['plan', '--config', TWO_TARGETS, '--json'], files())).stdout).resourcePolicy.rotation).toBeNull();
    const seed = await cli(['plan', '--config', 'examples/seed.yaml']);
    expect(seed.stdout).toContain('    when the parameter changes, allow the old and the new endpoint for 300 s, then only the new one\n');
    expect(JSON.parse((await cli(['plan', '--config', 'examples/seed.yaml', '--json'])).stdout).resourcePolicy.rotation).toEqual({ parameterName: '/keygate/mcp-keycloak-agentcore/gateway-vpce-id', gracePeriodSeconds: 300 });
  });

  it.each([
    ['another realm', { ...emptyRealmSnapshot('other-realm', true) }, 'realm: the snapshot is of realm "other-realm", the document\'s keycloak.realm.name is "mcp-demo" Fix: take the snapshot of realm mcp-demo'],
    ['another instance', { ...emptyRealmSnapshot('mcp-demo', true), instanceId: 'i-0fedcba9876543210' }, 'instanceId: the snapshot was taken on i-0fedcba9876543210, the document\'s keycloak.instanceId is i-0123456789abcdef0'],
  ])('--keycloak-observed refuses a snapshot of %s (exit 2, the problem as data with --json)', async (_what, snapshot, message) => {
    const given = { 'observed.json': JSON.stringify(snapshot) };
    const text = await cli(['plan', '--config', 'examples/seed.yaml', '--keycloak-observed', 'observed.json'], given);
    expect([text.code, text.stdout]).toEqual([2, '']);
    expect(text.stderr).toContain('keygate plan: observed.json: a snapshot of another Keycloak than the document\'s:\n');
    expect(text.stderr).toContain(message);
    const json = JSON.parse((await cli(['plan', '--config', 'examples/seed.yaml', '--keycloak-observed', 'observed.json', '--json'], given)).stdout);
    expect(json).toMatchObject({ format: 'keygate.error/1', ok: false, source: 'observed.json', problems: [{ path: expect.stringMatching(/^(realm|instanceId)$/), message: expect.any(String), fix: expect.any(String) }] });
  });

  it('--keycloak-observed accepts the document\'s own realm and instance', async () => {
    const given = { 'observed.json': JSON.stringify({ ...emptyRealmSnapshot('mcp-demo', true), instanceId: 'i-0123456789abcdef0' }) };
    expect((await cli(['plan', '--config', 'examples/seed.yaml', '--keycloak-observed', 'observed.json'], given)).code).toBe(0);
  });
});
