import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startChain, type Chain } from '../../../emulators/chain';
import { fromRoot, ROOT } from '../../support/paths';
import { runCli } from '../../support/cli';
import { seedDesired } from '../../support/seed';

const GATEWAY_URL = 'https://mcp-gateway-keycloak-demo-0p9o8i7u6y.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
const SECRET = 'canary-secret-1a2b3c4d5e6f';
let chain: Chain;
let resolve: string[];

const cli = (argv: string[], env: Record<string, string> = { KEYGATE_CANARY_SECRET: SECRET }) => runCli(argv, { env });

const verifyArgs = () => ['verify', '--config', 'examples/seed.yaml', '--gateway-url', GATEWAY_URL, ...resolve];

beforeAll(async () => {
  chain = await startChain(seedDesired(), { gatewayUrl: GATEWAY_URL, canarySecret: SECRET });
  resolve = Object.entries(chain.routes).flatMap(([host, origin]) => ['--resolve', `${host}=${origin}`]);
});
afterEach(() => chain.heal());
afterAll(() => chain.close());

describe('keygate verify', () => {
  it('prints a readable report, grouped, and exits 0 on a healthy chain', async () => {
    const { code, stdout, stderr } = await cli(verifyArgs());
    expect([code, stderr]).toEqual([0, '']);
    for (const heading of ['Authorization server', 'Protected resource (the gateway)', 'Canary token', 'Allowed MCP calls', 'Denied calls', 'CIMD document']) expect(stdout).toContain(`\n${heading}\n`);
    expect(stdout).toMatch(/^ {2}PASS {2}token\.audience +aud "mcp-gateway-demo" contains mcp-gateway-demo$/m);
    expect(stdout).toMatch(/^ {2}skip {2}token\.client +the gateway allows any client/m);
    expect(stdout).toMatch(/^Result: PASS \(0 failed, 0 warnings, 30 passed, 1 skipped\)$/m);
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toMatch(/\u001b\[/);
  });

  it('names the cause and the fix and exits 1 when a check fails', async () => {
    chain.op.setFaults({ omitS256: true });
    chain.cimd!.setFaults({ clientSecret: true });
    const { code, stdout } = await cli(verifyArgs());
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}FAIL {2}as\.pkce +the discovery document has no code_challenge_methods_supported.*\[pkce-s256-missing\]$/m);
    expect(stdout).toMatch(/^ +fix: use an authorization server that supports PKCE with S256/m);
    expect(stdout).toMatch(/^ {2}FAIL {2}cimd\.secret .*\[cimd-client-secret\]$/m);
    expect(stdout).not.toContain('cimd-host-emulator-leaked-secret');
    // The served copy also differs from the declared document: cimd.current fails too.
    expect(stdout).toMatch(/^ {2}FAIL {2}cimd\.current +the served document differs from the declared one in client_secret, token_endpoint_auth_method .*\[cimd-stale\]$/m);
    expect(stdout).toMatch(/^Result: FAIL \(3 failed, 0 warnings, /m);
  });

  it('--json prints the report object', async () => {
    chain.op.setFaults({ audience: 'account' });
    const { code, stdout } = await cli([...verifyArgs(), '--json']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['format', 'ok', 'version', 'gatewayUrl', 'issuer', 'startedAt', 'finishedAt', 'outcome', 'failed', 'summary', 'checks']);
    expect(report.checks.find((c: { id: string }) => c.id === 'token.audience')).toMatchObject({ status: 'fail', diagnosis: 'audience-mapper-missing', observed: { aud: 'account' } });
    expect(report.checks.every((c: object) => ['id', 'group', 'status', 'evidence', 'fix'].every((k) => k in c))).toBe(true);
  });

  it('reads the secret from the variable named by --secret-env, and skips the token checks without it', async () => {
    const named = await cli([...verifyArgs(), '--secret-env', 'MY_CANARY'], { MY_CANARY: SECRET });
    expect(named.code).toBe(0);
    const missing = await cli([...verifyArgs(), '--secret-env', 'MY_CANARY'], {});
    expect(missing.code).toBe(0);
    expect(missing.stdout).toMatch(/^ {2}skip {2}token\.obtain +not checked: the environment variable MY_CANARY is not set$/m);
    expect(missing.stdout).toContain('fix: export MY_CANARY="$(aws ssm get-parameter --with-decryption --name /keygate/mcp-keycloak-agentcore/canary-client-secret');
  });

  it.each([
    [['--secret-env', 'not a name: s3cr3t-value'], /--secret-env takes the NAME of an environment variable/, 's3cr3t-value'],
    [['--gateway-url', 'http://gw.example.com/mcp'], /--gateway-url "http:\/\/gw\.example\.com\/mcp" is not an https URL/, undefined],
    [['--resolve', 'auth.example.com'], /--resolve "auth\.example\.com" is not HOST=ORIGIN/, undefined],
  ])('exits 2 on %j without echoing a secret', async (extra, message, notEchoed) => {
    // The given flag replaces the one verifyArgs() has (a flag given twice is refused on its own).
    const args = verifyArgs();
    const at = args.indexOf(extra[0]!);
    const { code, stdout, stderr } = await cli(at < 0 ? [...args, ...extra] : [...args.slice(0, at), ...extra, ...args.slice(at + 2)]);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(message);
    if (notEchoed) expect(stderr).not.toContain(notEchoed);
  });

  it('runs as the bundled CLI (node bin/keygate.cjs), the way operators start it', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [fromRoot('bin', 'keygate.cjs'), ...verifyArgs().map((a) => (a === 'examples/seed.yaml' ? fromRoot('examples', 'seed.yaml') : a))], {
      cwd: ROOT,
      env: { ...process.env, KEYGATE_CANARY_SECRET: SECRET, NO_COLOR: '1' },
    });
    expect(stdout).toMatch(/^ {2}PASS {2}mcp\.call\.my-mcp-server___add_numbers +my-mcp-server___add_numbers\({"a":2,"b":3}\) returned "5"$/m);
    expect(stdout).toMatch(/^Result: PASS/m);
  });
});
