import { connect as netConnect, Socket } from 'node:net';
import { INITIAL_VPC_ENDPOINT, defaultSecrets } from '../../../emulators/world';
import { styleFor } from '../../../cli/format';
import { renderResult } from '../../../cli/rehearse/render';
import { NEW_VPC_ENDPOINT, type RehearsalResult } from '../../../cli/rehearse/scenario';
import { runCli } from '../../support/cli';
import { closedOrigin } from '../../support/ports';
import { seedRaw } from '../../support/seed';

// `keygate rehearse --json` in this process, at high speed: the whole control plane (the real state
// machines, handlers and SDK clients against the local world and the verification peers), asserted
// on its JSON output. Every TCP connection the process opens is recorded: all of them must go to
// loopback. (The host executor runs in a subprocess; it talks only to the Keycloak stand-in and the
// SSM emulator, whose loopback URLs are among `cleanup.servers`.)

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const SECRETS = ((s) => [s.admin, s.canary, ...Object.values(s.users)])(defaultSecrets(seedRaw()));
let out: { code: number; stdout: string; stderr: string };
let result: RehearsalResult;
const connections: string[] = [];
/** Not loopback by the set above, yet local: proves the recorder reads the host each API really connects to. */
const CONTROL_HOST = '127.0.0.2';

/**
 * The host a `Socket#connect` call goes to. net.connect, http.request and undici's fetch all call it
 * with Node's normalized form `[options, callback]`; the others pass (options) or (port, host). A
 * shape this does not know is recorded as such, so the loopback assertion fails rather than guesses.
 */
function hostOf(args: unknown[]): string {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const { host, path } = first as { host?: unknown; path?: unknown };
    return typeof host === 'string' ? host : typeof path === 'string' ? `unix:${path}` : 'localhost'; // Node's default host
  }
  if (typeof first === 'number' || typeof first === 'string') return typeof args[1] === 'string' ? args[1] : 'localhost';
  return `unrecognised connect arguments: ${JSON.stringify(args)}`;
}

/** A connection to CONTROL_HOST on a port nothing listens on (fetch refuses "bad ports" such as 1 before connecting). */
async function refusedConnection(how: 'net' | 'fetch'): Promise<void> {
  const port = Number(new URL(await closedOrigin()).port);
  if (how === 'fetch') return void (await fetch(`http://${CONTROL_HOST}:${port}/`).catch(() => undefined));
  await new Promise<void>((resolve) => netConnect({ host: CONTROL_HOST, port }).on('error', () => resolve()).on('connect', function (this: Socket) { this.destroy(); resolve(); }));
}

beforeAll(async () => {
  const connect = Socket.prototype.connect;
  const spy = jest.spyOn(Socket.prototype, 'connect').mockImplementation(function (this: Socket, ...args: unknown[]) {
    connections.push(hostOf(args));
    return (connect as (...a: unknown[]) => Socket).apply(this, args);
  });
  try {
    await refusedConnection('net');
    await refusedConnection('fetch');
    out = await runCli(['rehearse', '--speed', '200', '--json']);
  } finally {
    spy.mockRestore();
  }
  result = JSON.parse(out.stdout) as RehearsalResult;
}, 90_000);

describe('keygate rehearse --json', () => {
  it('succeeds in every phase and exits 0', () => {
    expect(out.code).toBe(0);
    expect(result.outcome).toBe('succeeded');
    expect(result.phases.map((p) => [p.name, p.status])).toEqual([
      ['start', 'succeeded'],
      ['provision', 'succeeded'],
      ['rotate', 'succeeded'],
      ['drift-report', 'succeeded'],
      ['drift-repair', 'succeeded'],
      ['teardown', 'succeeded'],
    ]);
    for (const phase of result.phases) expect(phase.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.failure).toBeUndefined();
  });

  it('provisions the gateway, its target, the policy, the realm and the CIMD document, and verifies the chain', () => {
    expect(result.provisioned).toMatchObject({ gatewayId: expect.stringMatching(/^mcp-gateway-keycloak-demo-[0-9a-z]{10}$/), targets: [{ name: 'my-mcp-server' }], resourcePolicyAllows: [INITIAL_VPC_ENDPOINT], realm: { outcome: 'applied' }, cimd: 'created' });
    expect(result.counts.resourcesCreated).toMatchObject({ gateway: 1, 'gateway target': 1, 'resource policy': 1, 'keycloak client': 1, 'CIMD document': 1 });
    expect(result.verification).toMatchObject({ outcome: 'pass', failed: false, gatewayUrl: result.provisioned!.gatewayUrl });
  });

  it('rotates the policy through old + new to only the new endpoint', () => {
    expect(result.rotation).toEqual({ from: INITIAL_VPC_ENDPOINT, to: NEW_VPC_ENDPOINT, gracePeriodSeconds: 300, policies: [[INITIAL_VPC_ENDPOINT, NEW_VPC_ENDPOINT], [NEW_VPC_ENDPOINT]] });
  });

  it('finds exactly the drift it injected in AWS, Keycloak and the CIMD file, writes nothing in report mode, and converges in repair mode', () => {
    const drift = result.drift!;
    const key = (i: { resource: string; field: string }) => `${i.resource} ${i.field}`;
    expect(new Set(drift.injected.map((i) => i.area))).toEqual(new Set(['aws', 'keycloak', 'cimd']));
    expect(drift.found.map(key).sort()).toEqual(drift.injected.map(key).sort());
    expect(drift.foundEqualsInjected).toBe(true);
    expect(drift.reportModeWrites).toBe(0);
    // While the drift is live, verification fails on what it breaks, and only on that: the realm's tokens
    // carry the edited audience (the gateway refuses them), and the hand-edited CIMD document is served.
    const broken = ['cimd.current', 'mcp.tools-list', 'token.audience'];
    expect(drift.reportModeVerification).toEqual({ outcome: 'fail', failedChecks: broken, expectedFailedChecks: broken });
    expect(drift.repairConverged).toBe(true);
    expect(drift.repairReport).toMatchObject({ outcome: 'repaired', counts: { drift: drift.injected.length, repaired: drift.injected.length } });
  });

  it('leaves nothing behind: no AWS resource after teardown, no server, no temporary directory', () => {
    expect(result.teardown!.leftovers).toEqual([]);
    expect(result.cleanup.leftovers).toEqual([]);
    expect(result.cleanup.servers).toHaveLength(10);
    expect(result.cleanup.temporaryDirectories).toHaveLength(2);
  });

  it('counts what it cost: API calls by kind, state transitions, SSM commands, time', () => {
    const c = result.counts;
    expect(c.apiCallsTotal).toBe(Object.values(c.apiCalls).reduce((a, b) => a + b, 0));
    expect(c.apiCalls).toMatchObject({ 'bedrock-agentcore:CreateGateway': 1, 'bedrock-agentcore:DeleteGateway': 1, 'ssm:SendCommand': c.ssmCommands });
    expect(c.ssmCommands).toBeGreaterThanOrEqual(6);
    expect(c.stateTransitions).toBe(result.phases.reduce((n, p) => n + p.counts.stateTransitions, 0));
    expect(c.executions).toBe(5);
    expect(c.verificationRequests).toBeGreaterThan(0);
    expect(result.time.wallMs).toBeGreaterThan(0);
    expect(result.time.emulatedMs).toBeGreaterThan(0);
  });

  it('reaches nothing beyond loopback', () => {
    // The two control connections (net.connect and fetch) were recorded with their real host.
    expect(connections.slice(0, 2)).toEqual([CONTROL_HOST, CONTROL_HOST]);
    const rehearsal = connections.slice(2);
    expect(rehearsal.length).toBeGreaterThan(50);
    expect(rehearsal.filter((host) => !LOOPBACK.has(host))).toEqual([]);
    for (const url of result.cleanup.servers) expect(LOOPBACK.has(new URL(url).hostname)).toBe(true);
  });

  it('never prints a secret: not in the output, not in the functions\' logs', () => {
    expect(result.secrets).toEqual({ values: 3, functionLogLines: expect.any(Number), leaked: 0 });
    expect(result.secrets!.functionLogLines).toBeGreaterThan(0);
    for (const secret of SECRETS) {
      expect(out.stdout).not.toContain(secret);
      expect(out.stderr).not.toContain(secret);
    }
  });

  it('shows progress on stderr, one line per step with what a wait waited for', () => {
    // How long and how many polls depend on the machine's speed (service time: wall time × the speed).
    const took = String.raw`(\d+ min( \d+ s)?|[\d.]+ s)(, \d+ polls?)?`;
    expect(out.stderr).toMatch(new RegExp(String.raw`done\s+Await Gateway Ready\s+[\d.]+ s\s+gateway mcp-gateway-keycloak-demo: READY after ${took}\n`));
    expect(out.stderr).toMatch(new RegExp(String.raw`done\s+Await Gateway Target Ready \[my-mcp-server\]\s+[\d.]+ s\s+target my-mcp-server: READY after ${took}\n`));
    expect(out.stderr).toMatch(/done\s+Wait Grace Period\s+[\d.]+ s\s+waited 5 min/);
    expect(out.stderr).toMatch(/done\s+Reconcile Keycloak Realm › Await Apply Command .* SSM command on i-0123456789abcdef0: Success/);
  });

  it('renders the result for a person: what was provisioned, the drift table, the verification report, the summary', () => {
    const text = renderResult(result, styleFor(false, {}));
    expect(text).toMatch(/^Drift: injected out of band, found in report mode, repaired in repair mode\n {2}resource +field +expected +found +repaired$/m);
    expect(text).toMatch(/^ {2}gateway\/mcp-gateway-keycloak-demo +gateway\.authorizer\.allowedAudiences +\["mcp-gateway-demo"\] +\["account","mcp-gateway-demo"\] +yes: UpdateGateway$/m);
    expect(text).toContain('found 6 of 6 injected · report mode wrote 0 changes');
    expect(text).toMatch(/^ {4}PASS {2}cimd\.current /m);
    expect(text).toMatch(/^ {2}cleanup {8}10 servers closed, 2 temporary directories removed$/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('Result: rehearsal succeeded');
  });
});
