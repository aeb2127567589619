import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunResult } from '../../../emulators/stepfunctions';
import type { LocalWorld } from '../../../emulators/world';
import type { DriftReport } from '../../../functions/core/drift/report';
import { runCli } from '../../support/cli';
import { seedRaw } from '../../support/seed';

// Foreign content never leaves the Keycloak host. Someone else's file stands where the CIMD document
// belongs (inside the publish directory, served by the web server): a marker planted in it must reach
// no SSM command output (inline or in S3), no execution history event, no log line, no SNS message, no
// drift report and no CLI output, through provisioning, drift detection in report and repair mode,
// live verification (which fetches the served file), `keygate drift` and `keygate verify`. Each scan
// also finds the file named by size and hash, so it looks where the content would have gone.

const MARKER = 'KG-FOREIGN-MARKER-5f0c2a';
let world_: typeof import('../../../emulators/world');
let capture: typeof import('../../../emulators/world/function-output').captureFunctionOutput;

beforeAll(async () => {
  // The handlers (and with them the one logger) load with the world, after this: every line is logged, raw SDK responses too.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  world_ = await import('../../../emulators/world');
  capture = (await import('../../../emulators/world/function-output')).captureFunctionOutput;
});
afterAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});
const PATH = '/opt/cimd/public/oauth/client-metadata.json';
const SPEED = 400;

/**
 * The drift report of a drift run: its output, or (when verification failed the run afterwards, as it
 * must while someone else's file is served) what Publish Drift Report published.
 */
const reportOf = (run: RunResult): DriftReport => {
  if (run.status === 'SUCCEEDED') return run.output as DriftReport;
  const exited = run.events.filter((e) => e.type === 'StateExited' && e.state?.name === 'Publish Drift Report').at(-1);
  return (exited!.state as unknown as { output: { published: DriftReport } }).output.published;
};

const FOREIGN: Array<[string, string]> = [
  ['a password file', `root:$6$${MARKER}$abcdefgh:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n`],
  ["another client's CIMD document", `${JSON.stringify({ client_id: `https://cimd.example.com/${MARKER}.json`, client_name: MARKER, redirect_uris: [`https://${MARKER.toLowerCase()}.example.com/cb`] })}\n`],
  ['JSON that is not an object', `["${MARKER}"]\n`],
];

describe.each(FOREIGN)('a foreign file at the CIMD path (%s)', (_, content) => {
  let world: LocalWorld;
  const bytes = Buffer.byteLength(content);
  const digest = createHash('sha256').update(content).digest('hex');
  const named = `not a keygate CIMD document (${bytes} bytes, sha256 ${digest})`;
  const lines: Array<Record<string, any>> = [];
  const runs: RunResult[] = [];
  const cli: string[] = [];
  const reports: DriftReport[] = [];
  const run = async (machine: string, input: Record<string, unknown> = {}) => {
    const result = await capture(lines, () => world.run(machine, { input: { desiredState: world.document, ...input } }));
    runs.push(result);
    return result;
  };

  beforeAll(async () => {
    world = await world_.startWorld({ document: seedRaw(), speed: SPEED, peers: true });
    mkdirSync(dirname(world.hostFile(PATH)), { recursive: true });
    writeFileSync(world.hostFile(PATH), content, { mode: 0o644 });
  }, 60_000);
  afterAll(() => world.close());

  it('provisioning stops at Publish CIMD Document, naming the file by size and hash, and leaves it as it was', async () => {
    const provision = await run('provision');
    expect(provision).toMatchObject({ status: 'FAILED' });
    expect(provision.cause).toContain(named);
    expect(provision.cause).toContain('CimdPublishFailedError');
    expect(readFileSync(world.hostFile(PATH), 'utf8')).toBe(content);
    expect(existsSync(world.hostFile(`${PATH}.previous`))).toBe(false);
  });

  it('drift detection reports it (report mode and repair mode) without repairing it', async () => {
    const report = reportOf(await run('drift', { mode: 'report' }));
    expect(report.items.filter((i) => i.area === 'cimd')).toMatchObject([{ field: '(document)', expected: 'a keygate CIMD document', actual: named, change: { reason: 'foreign' } }]);
    reports.push(report);
    const repair = await run('drift', { mode: 'repair' });
    expect(repair.status).toBe('FAILED');
    expect(repair.cause ?? '').toContain(named);
    expect(readFileSync(world.hostFile(PATH), 'utf8')).toBe(content);
    expect(existsSync(world.hostFile(`${PATH}.previous`))).toBe(false);
  });

  it('keygate drift and keygate verify print it by size and hash', async () => {
    const files = { 'live.json': JSON.stringify(world.document) };
    const env = { AWS_REGION: world_.STACK.region, KEYGATE_CANARY_SECRET: world.secrets.canary };
    const drift = await runCli(['drift', '--config', 'live.json', '--stack', world_.STACK.owner, '--command-document', world_.STACK.commandDocument, '--gateway-role-arn', world.env.GATEWAY_ROLE_ARN!], { files, env });
    const driftJson = await runCli(['drift', '--config', 'live.json', '--stack', world_.STACK.owner, '--command-document', world_.STACK.commandDocument, '--gateway-role-arn', world.env.GATEWAY_ROLE_ARN!, '--json'], { files, env });
    const resolve = Object.entries(world.chain!.routes).flatMap(([host, origin]) => ['--resolve', `${host}=${origin}`]);
    const verify = await runCli(['verify', '--config', 'live.json', '--gateway-url', world.chain!.gatewayUrl, ...resolve], { files, env });
    const verifyJson = await runCli(['verify', '--config', 'live.json', '--gateway-url', world.chain!.gatewayUrl, ...resolve, '--json'], { files, env });
    cli.push(...[drift, driftJson, verify, verifyJson].flatMap((o) => [o.stdout, o.stderr]));
    expect(drift).toMatchObject({ code: 1, stdout: expect.stringContaining(named) });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/FAIL {2}cimd\.(fetch|client-id)/);
  });

  it('the marker is nowhere: command output, S3 output objects, execution history, log lines, SNS, drift reports, CLI output', async () => {
    await world.ssm.settle();
    const invocations = [...world.ssm.invocations.values()];
    const objects = world.s3.listKeys(world_.STACK.outputBucket).map((k) => world.s3.getObject(world_.STACK.outputBucket, k)!.body.toString('utf8'));
    const places: Record<string, string[]> = {
      'SSM command output': invocations.flatMap((i) => [i.stdout, i.stderr]),
      'S3 command output objects': objects,
      'execution history events and outputs': runs.map((r) => JSON.stringify(r)),
      'log lines': lines.map((l) => JSON.stringify(l)),
      'SNS messages': world.sns.messages.map((m) => JSON.stringify(m)),
      'drift reports': reports.map((r) => JSON.stringify(r)),
      'CLI output': cli,
    };
    // Every place holds something, and the file's size and hash reach the places a report goes to.
    for (const [place, texts] of Object.entries(places)) expect([place, texts.join('').length > 0]).toEqual([place, true]);
    for (const place of ['SSM command output', 'execution history events and outputs', 'log lines', 'SNS messages', 'drift reports', 'CLI output']) {
      expect([place, places[place]!.join('\n').includes(digest)]).toEqual([place, true]);
    }
    for (const [place, texts] of Object.entries(places)) expect([place, texts.filter((t) => t.includes(MARKER) || t.includes(MARKER.toLowerCase())).length]).toEqual([place, 0]);
    expect(invocations.length).toBeGreaterThanOrEqual(6);
    expect(world.sns.messages.length).toBeGreaterThanOrEqual(2);
  });
});
