import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { version } from '../../../package.json';
import { emptyRealmSnapshot } from '../../../functions/core/keycloak/snapshot';
import { spawnKeygate } from '../../support/cli';
import { fromRoot } from '../../support/paths';

// The CLI as a user runs it: `node bin/keygate.cjs …`, a separate process, from a directory outside
// the package, with an environment of its own.

// Each process bundles the CLI with esbuild before it runs (seconds on a loaded 2-core machine): a
// guard against a hang, not a measure of speed.
jest.setTimeout(120_000);

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'kg-cli-')));
const home = join(dir, 'home');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An environment without any AWS credential or profile: only what the test gives. */
const bare = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: home,
  NO_COLOR: '1',
  AWS_CONFIG_FILE: join(home, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
  // No instance metadata service here; without this the SDK would try it before giving up.
  AWS_EC2_METADATA_DISABLED: 'true',
  ...extra,
});

const DOCUMENT = fromRoot('examples', 'seed.yaml');
const drift = ['drift', '--config', DOCUMENT, '--stack', 'keygate-dev', '--command-document', 'keygate-dev-KeycloakCommandDocument', '--gateway-role-arn', 'arn:aws:iam::111122223333:role/keygate-dev-GatewayRole'];
const keygate = (args: string[], env: NodeJS.ProcessEnv = bare()) => spawnKeygate(args, { cwd: dir, env });

beforeAll(() => mkdirSync(home, { recursive: true }));

describe('node bin/keygate.cjs: help, version, flags', () => {
  it('--version prints the version; plan --help prints plan\'s flags, an example and its exit codes', async () => {
    const [v, help] = await Promise.all([keygate(['--version']), keygate(['plan', '--help'])]);
    expect(v).toMatchObject({ code: 0, stdout: `keygate ${version}\n`, stderr: '' });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^keygate plan --config FILE \[--keycloak-observed SNAPSHOT\.json\] \[--cimd-publish-directory DIR\] \[--json\]\n/);
    expect(help.stdout).toMatch(/^ {2}--keycloak-observed SNAPSHOT\.json +plan the realm against/m);
    expect(help.stdout).toMatch(/^Examples:\n {2}keygate plan --config my-gateway\.yaml\n/m);
    expect(help.stdout).toMatch(/^Exit codes:\n {2}0 {3}plan printed \(warnings allowed\)\n {2}1 {3}plan printed, but the document has lint errors\n/m);
  });

  it('a mistyped flag gets "did you mean", a repeated --config is refused, a bad --speed is in keygate\'s words: exit 2, no stack trace', async () => {
    const [typo, twice, speed] = await Promise.all([
      keygate(['lint', '--confg', DOCUMENT]),
      keygate(['lint', '--config', DOCUMENT, '--config', 'other.yaml', '--json']),
      keygate(['rehearse', '--speed', '--json']),
    ]);
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo.stderr).toBe('keygate lint: unknown flag --confg for keygate lint (did you mean --config?); keygate lint --help lists its flags\n');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(`keygate lint: --config is given twice ("${DOCUMENT}" and "other.yaml"): give it once\n`);
    expect(JSON.parse(twice.stdout)).toEqual({ format: 'keygate.error/1', ok: false, error: `--config is given twice ("${DOCUMENT}" and "other.yaml"): give it once`, problems: [] });
    expect(speed.code).toBe(2);
    expect(speed.stderr).toMatch(/^keygate rehearse: --speed needs a value \(--speed N\): run the emulated service delays/);
  });

  it('a --speed out of range or not a number, for rehearse and world: exit 2 in keygate\'s words, nothing started', async () => {
    // Each bundles the rehearsal (emulators, handlers): one after the other, not five processes at once.
    const zero = await keygate(['rehearse', '--speed', '0']);
    const worldSpeed = await keygate(['world', '--speed', 'fast', '--json']);
    expect(zero).toMatchObject({ code: 2, stdout: '', stderr: 'keygate rehearse: --speed must be a number from 1 (as slow as AWS: gateway 20 s, target 30 s) to 2000, not "0" (default 20)\n' });
    expect(worldSpeed).toMatchObject({ code: 2, stderr: 'keygate world: --speed must be a number from 1 (as slow as AWS: gateway 20 s, target 30 s) to 2000, not "fast" (default 20)\n' });
    expect(JSON.parse(worldSpeed.stdout)).toMatchObject({ format: 'keygate.error/1', ok: false, error: expect.stringMatching(/^--speed must be a number/) });
  });
});

describe('node bin/keygate.cjs plan: everything, told as it is', () => {
  it('lists the canary client, says there is no rotation with literal ids, and refuses a snapshot of another realm', async () => {
    // Prepare
    writeFileSync(join(dir, 'other-realm.json'), JSON.stringify(emptyRealmSnapshot('other-realm', true)));
    // Act
    const [plan, foreign] = await Promise.all([
      keygate(['plan', '--config', fromRoot('examples', 'two-targets.yaml')]),
      keygate(['plan', '--config', fromRoot('examples', 'two-targets.yaml'), '--keycloak-observed', 'other-realm.json']),
    ]);
    // Assess
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^ {2}\+ client keygate-canary: confidential, client credentials only \(verification's canary\), default scopes tools:read, secret from SSM SecureString \/tools\/keycloak\/canary-secret, set at creation$/m);
    expect(plan.stdout).toMatch(/^ {4}no rotation: the ids are literal/m);
    expect(foreign).toMatchObject({ code: 2, stdout: '' });
    expect(foreign.stderr).toMatch(/^keygate plan: other-realm\.json: a snapshot of another Keycloak than the document's:\n {2}realm: the snapshot is of realm "other-realm", the document's keycloak\.realm\.name is "tools"/);
  });
});

describe('node bin/keygate.cjs lint: small things in words', () => {
  const seed = () => readFileSync(fromRoot('examples', 'seed.yaml'), 'utf8');
  const cases: Array<[string, string | Buffer, RegExp]> = [
    // The parser notices an unclosed [ only at the next key; the error names the line where it opened.
    ['unclosed.yaml', seed().replace('allowedScopes: [mcp:tools]', 'allowedScopes: [mcp:tools'), /^keygate lint: unclosed\.yaml: 1 problem in the desired-state document:\n {2}unclosed\.yaml:(\d+):20: \(document\): invalid YAML: the list opened here with \[ is not closed \(the parser noticed at line (\d+)\) Fix: close it with \]/],
    ['trailing.json', '{\n  "version": 1,\n}\n', /^keygate lint: trailing\.json: 1 problem in the desired-state document:\n {2}trailing\.json:3:1: \(document\): invalid JSON: .* Fix: JSON takes no trailing comma/],
    ['unclosed.json', '{\n  "version": 1,\n  "gateway": {\n    "name": "x"\n', /^keygate lint: unclosed\.json: 1 problem in the desired-state document:\n {2}unclosed\.json:3:14: \(document\): invalid JSON: the object opened here with \{ is not closed \(the parser noticed at line 5\) Fix: close it with \} where it ends\n/],
    ['mode.yaml', seed().replace("mode: '0644'", 'mode: 644'), /cimd\.publish\.host\.mode: must be a quoted string such as '0644': unquoted, YAML reads the mode as the number 644 \(write mode: '0644'\)/],
    ['nul.yaml', Buffer.concat([Buffer.from('version: 1\n'), Buffer.from([0]), Buffer.from('gateway: {}\n')]), /^keygate lint: cannot read nul\.yaml: not a text file \(a NUL byte at byte 12\)/],
    ['latin1.yaml', Buffer.concat([Buffer.from('version: 1\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]), /^keygate lint: cannot read latin1\.yaml: not a text file \(invalid UTF-8 at byte 17\)/],
  ];

  it.each(cases.map(([name]) => [name]))('%s: exit 2, one line that says what and where', async (name) => {
    const [, content, expected] = cases.find(([n]) => n === name)!;
    writeFileSync(join(dir, name), content);
    const out = await keygate(['lint', '--config', name]);
    expect([out.code, out.stdout]).toEqual([2, '']);
    expect(out.stderr).toMatch(expected);
    if (name === 'unclosed.yaml') {
      const [, opened, noticed] = expected.exec(out.stderr)!;
      expect(seed().split('\n')[Number(opened) - 1]).toMatch(/allowedScopes: \[mcp:tools/);
      expect(Number(noticed)).toBeGreaterThan(Number(opened));
    }
  });

  it('a jwks_uri outside the trusted domains has its own rule id', async () => {
    writeFileSync(join(dir, 'jwks.yaml'), seed().replace('    client_name: MCP Inspector AWS CIMD Client', '    client_name: MCP Inspector AWS CIMD Client\n    jwks_uri: https://keys.example.org/jwks.json'));
    const out = await keygate(['lint', '--config', 'jwks.yaml', '--json']);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout).findings.filter((f: { path: string }) => f.path === 'cimd.document.jwks_uri').map((f: { ruleId: string }) => f.ruleId)).toEqual(['cimd-trusted-domain-jwks-uri']);
  });
});

describe('node bin/keygate.cjs drift: AWS errors in words (one line: service, operation, where, why, fix; exit 70)', () => {
  let denying: Server;
  let expired: Server;
  let elsewhere: Server;
  /** An AWS endpoint that answers each request as `answer` says: an error (status, type, message; both wire protocols) or a JSON body. */
  const awsAnswering = (answer: (req: IncomingMessage) => [number, string, string] | [number, unknown]) =>
    createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const [status, type, message] = answer(req);
        if (status === 200) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(type));
          return;
        }
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': String(type), 'x-amzn-requestid': 'req-1' });
        res.end(JSON.stringify({ __type: type, message }));
      });
    });
  let closedPort: number;
  beforeAll(async () => {
    // Answers every AWS call as IAM does when the caller lacks the permission (both wire protocols:
    // the error type in the header for restJson1, in the body for awsJson1_1).
    denying = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(403, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': 'req-1' });
        res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'User: arn:aws:iam::111122223333:user/dev is not authorized to perform this action' }));
      });
    });
    await new Promise<void>((resolve) => denying.listen(0, '127.0.0.1', resolve));
    expired = awsAnswering(() => [400, 'ExpiredTokenException', 'The security token included in the request is expired']);
    // A region without the stack: AgentCore lists no gateway; SSM knows no such Command document.
    elsewhere = awsAnswering((req) =>
      req.headers['x-amz-target'] === 'AmazonSSM.SendCommand'
        ? [400, 'InvalidDocument', 'Document with name keygate-dev-KeycloakCommandDocument-AbC does not exist.']
        : req.method === 'GET' && req.url?.startsWith('/gateways')
          ? [200, { items: [] }]
          : [400, 'UnknownOperationException', `not expected here: ${req.method} ${req.url}`],
    );
    await Promise.all([expired, elsewhere].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });
  afterAll(() => Promise.all([denying, expired, elsewhere].map((server) => new Promise<void>((resolve) => server.close(() => resolve())))));

  const credentials = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret' };
  const oneLine = (stderr: string) => {
    expect(stderr.split('\n')).toHaveLength(2); // one line and its newline
    expect(stderr).not.toMatch(/internal error|\n\s+at |node_modules/);
  };

  it('without credentials: names the region and says to set AWS_PROFILE', async () => {
    const out = await keygate(drift, bare({ AWS_REGION: 'eu-west-1' }));
    expect(out).toMatchObject({ code: 70, stdout: '' });
    oneLine(out.stderr);
    expect(out.stderr).toMatch(/^keygate drift: AWS (SSM SendCommand|AgentCore control plane ListGateways) in eu-west-1: no AWS credentials found\. Fix: set AWS_PROFILE to a profile in ~\/\.aws\/config/);
  });

  it('with an endpoint that cannot be reached: names it; --json carries the same as data', async () => {
    const endpoint = `http://127.0.0.1:${closedPort}`;
    const out = await keygate([...drift, '--json'], bare({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: endpoint, ...credentials }));
    expect(out.code).toBe(70);
    oneLine(out.stderr);
    expect(out.stderr).toMatch(new RegExp(`^keygate drift: AWS (SSM SendCommand|AgentCore control plane ListGateways) in eu-west-1 \\(${endpoint}\\): the endpoint cannot be reached \\(ECONNREFUSED\\)\\. Fix: check the network`));
    const json = JSON.parse(out.stdout);
    expect(json).toMatchObject({ format: 'keygate.error/1', ok: false, aws: { kind: 'unreachable', region: 'eu-west-1', endpoint, operation: expect.stringMatching(/^(SendCommand|ListGateways)$/) } });
    expect(json.error).toBe(out.stderr.replace(/^keygate drift: /, '').trimEnd());
  });

  it('with credentials AWS refuses (expired): says to refresh them, naming AWS\'s reason', async () => {
    const endpoint = `http://127.0.0.1:${(expired.address() as AddressInfo).port}`;
    const out = await keygate(drift, bare({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: endpoint, ...credentials, AWS_SESSION_TOKEN: 'expired-session' }));
    expect(out).toMatchObject({ code: 70, stdout: '' });
    oneLine(out.stderr);
    expect(out.stderr).toMatch(
      /^keygate drift: AWS (SSM SendCommand|AgentCore control plane ListGateways) in eu-west-1 \(http:\/\/127\.0\.0\.1:\d+\): the credentials were refused \(ExpiredTokenException: The security token included in the request is expired\)\. Fix: refresh them \("aws sso login"/,
    );
  });

  it('in another region than the stack\'s: says the Command document is not there and to check the region', async () => {
    // What AWS answers in a region without the stack: no gateway of that name, and SendCommand
    // refuses the stack's Command document. Literal endpoint ids: no SSM parameter is read first.
    const endpoint = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    const args = ['drift', '--config', fromRoot('examples', 'two-targets.yaml'), '--stack', 'keygate-dev', '--command-document', 'keygate-dev-KeycloakCommandDocument-AbC', '--gateway-role-arn', 'arn:aws:iam::111122223333:role/keygate-dev-GatewayRole', '--json'];
    const out = await keygate(args, bare({ AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL: endpoint, ...credentials }));
    expect(out.code).toBe(70);
    oneLine(out.stderr);
    expect(out.stderr).toBe(
      `keygate drift: AWS SSM SendCommand in us-west-2 (${endpoint}): the Command document does not exist there (document keygate-dev-KeycloakCommandDocument-AbC, instance i-0abcdef1234567890): ` +
        'InvalidDocument: Document with name keygate-dev-KeycloakCommandDocument-AbC does not exist. ' +
        "Fix: check that us-west-2 is the stack's region (AWS_REGION, or the region of the profile AWS_PROFILE names); check --command-document (stack output KeycloakCommandDocumentName)\n",
    );
    expect(JSON.parse(out.stdout).aws).toMatchObject({ kind: 'not-found', service: 'SSM', operation: 'SendCommand', region: 'us-west-2' });
  });

  it('takes the region from the profile AWS_PROFILE names; refuses AWS_DEFAULT_REGION alone, which the SDK does not read', async () => {
    // Prepare
    const config = join(home, 'aws-config');
    writeFileSync(config, `[profile ops]\nregion = ap-south-1\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = not-a-real-secret\n`);
    const endpoint = `http://127.0.0.1:${closedPort}`;
    // Act
    const [profile, cliVariable, missing] = await Promise.all([
      keygate(drift, bare({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'ops', AWS_ENDPOINT_URL: endpoint })),
      keygate(drift, bare({ AWS_DEFAULT_REGION: 'eu-west-1' })),
      keygate(drift, bare({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'nope', AWS_REGION: 'eu-west-1' })),
    ]);
    // Assess
    expect(profile.code).toBe(70);
    expect(profile.stderr).toMatch(new RegExp(`^keygate drift: AWS (SSM SendCommand|AgentCore control plane ListGateways) in ap-south-1 \\(${endpoint}\\): the endpoint cannot be reached`));
    expect(cliVariable).toMatchObject({ code: 2, stdout: '' });
    expect(cliVariable.stderr).toBe(
      "keygate drift: no AWS region: set AWS_REGION to the stack's region, or region in the default profile in ~/.aws/config; AWS_DEFAULT_REGION is the AWS CLI's variable, which the AWS SDK keygate uses does not read\n",
    );
    expect(missing.code).toBe(70);
    oneLine(missing.stderr);
    expect(missing.stderr).toMatch(/: no AWS credentials found for the profile "nope" that AWS_PROFILE names\. Fix: check that \[profile nope\] is in ~\/\.aws\/config/);
  });

  it('with access denied: names the IAM action to allow', async () => {
    const endpoint = `http://127.0.0.1:${(denying.address() as AddressInfo).port}`;
    const out = await keygate(drift, bare({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: endpoint, ...credentials }));
    expect(out).toMatchObject({ code: 70, stdout: '' });
    oneLine(out.stderr);
    expect(out.stderr).toMatch(/^keygate drift: AWS (SSM SendCommand|AgentCore control plane ListGateways) in eu-west-1 \(http:\/\/127\.0\.0\.1:\d+\): access denied \(User: arn:aws:iam::111122223333:user\/dev is not authorized to perform this action\)\. Fix: allow (ssm:SendCommand|bedrock-agentcore:ListGateways) to the caller/);
  });
});

describe('bin/run-ts.cjs: stack traces name the real source files', () => {
  it('from another directory, every frame of bundled code points at a file that exists, at the line that threw', async () => {
    // Prepare: an entry importing a module in another directory, run from a third one.
    const src = join(dir, 'src');
    mkdirSync(join(src, 'lib'), { recursive: true });
    writeFileSync(join(src, 'lib', 'thrower.ts'), 'export function boom(): never {\n  // line 2\n  throw new Error("boom");\n}\n');
    writeFileSync(join(src, 'entry.ts'), 'import { boom } from "./lib/thrower";\nboom();\n');
    // Act
    const out = await promisify(execFile)(process.execPath, [fromRoot('bin', 'run-ts.cjs'), join(src, 'entry.ts')], { cwd: home }).catch((e: { stderr: string }) => e);
    // Assess
    const frames = [...out.stderr.matchAll(/\((\/[^():]+):(\d+):\d+\)|at (\/[^():]+):(\d+):\d+/g)].map((m) => [(m[1] ?? m[3])!, Number(m[2] ?? m[4])] as const);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.filter(([file]) => !existsSync(file))).toEqual([]);
    expect(frames).toContainEqual([join(src, 'lib', 'thrower.ts'), 3]);
  });
});
