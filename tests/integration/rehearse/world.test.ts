import { execFile, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { WorldReady } from '../../../cli/commands/world';
import { spawnKeygate, type Exit } from '../../support/cli';
import { fromRoot } from '../../support/paths';
import { accepts } from '../../support/ports';

// `keygate world`: the local world provisioned and kept running, and the exact `keygate verify` and
// `keygate drift` commands it prints, run as a user pastes them into another shell.

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'kg-world-test-')));
let ready: WorldReady & { format: string; ok: boolean };
let verify: { code: number; stdout: string };
let drift: { code: number; stdout: string };
let exit: Exit;
let sentAt = 0;

/** Runs a printed command line in a shell, as a user would, with an environment free of this test's AWS settings. */
const sh = (line: string) =>
  new Promise<{ code: number; stdout: string }>((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    execFile('sh', ['-c', line], { cwd: dir, env: { ...env, NO_COLOR: '1' } }, (error, stdout) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }));
  });

beforeAll(async () => {
  copyFileSync(fromRoot('examples', 'two-targets.yaml'), join(dir, 'team.yaml'));
  let child: ChildProcess | undefined;
  let up: () => void;
  const isUp = new Promise<void>((resolve) => (up = resolve));
  const running = spawnKeygate(['world', '--config', 'team.yaml', '--speed', '100', '--json'], {
    cwd: dir,
    onOutput: (out, c) => {
      child = c;
      if (!ready && out.stdout.trimEnd().endsWith('}')) {
        try {
          ready = JSON.parse(out.stdout);
          up();
        } catch {
          // not all of it yet
        }
      }
    },
  });
  await Promise.race([isUp, running.then((e) => Promise.reject(new Error(`keygate world ended before the world was up: ${e.stderr}`)))]);
  [verify, drift] = await Promise.all([sh(ready.commands.verify.shell), sh(ready.commands.drift.shell)]);
  sentAt = Date.now();
  child!.kill('SIGINT');
  exit = await running;
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keygate world', () => {
  it('provisions the document and prints, once up, one JSON object with the commands to try', () => {
    expect(ready).toMatchObject({ format: 'keygate.world/1', ok: true, config: 'team.yaml', gateway: { id: expect.stringMatching(/^tools-gateway-[0-9a-z]{10}$/) } });
    expect(ready.commands.verify.shell).toMatch(/^KEYGATE_CANARY_SECRET="\$\(cat \S+\/canary-secret\)" node \S+\/bin\/keygate\.cjs verify --config \S+\/team\.yaml --gateway-url https:\/\/tools-gateway-/);
    expect(ready.commands.drift.shell).toMatch(/^AWS_REGION=\S+ AWS_ACCESS_KEY_ID=\S+ AWS_SECRET_ACCESS_KEY=\S+ AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL=http:\/\/127\.0\.0\.1:\d+ AWS_ENDPOINT_URL_SSM=http:\/\/127\.0\.0\.1:\d+ AWS_ENDPOINT_URL_S3=http:\/\/127\.0\.0\.1:\d+ node \S+ drift --config \S+\/team\.world\.json --stack keygate-local /);
    // The canary secret is in a file, not in the output.
    expect(JSON.stringify(ready)).not.toContain('local-Can4ry-client-s3cret');
    expect(exit.stderr).not.toContain('local-Can4ry-client-s3cret');
  });

  it('the printed keygate verify passes against it', () => {
    expect(verify.stdout).toMatch(/^Result: PASS \(0 failed, 0 warnings, \d+ passed, \d+ skipped\)$/m);
    expect(verify.stdout).toMatch(/^ {2}PASS {2}mcp\.call\.tickets___create_ticket /m);
    expect(verify.code).toBe(0);
  });

  it('the printed keygate drift reports no drift, reading the emulators with their made-up credentials', () => {
    expect(drift.stdout).toMatch(/^keygate drift report: gateway tools-gateway, realm tools, mode report$/m);
    expect(drift.stdout).toMatch(/^Result: no drift \(0 drift items, 0 repaired, 0 unmanaged\)$/m);
    expect(drift.code).toBe(0);
  });

  it('Ctrl-C stops it: exit 0, every server closed, every file it made removed', async () => {
    expect(sentAt).toBeGreaterThan(0);
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/keygate world: SIGINT: stopping the local world and cleaning up/);
    expect(exit.stderr).toMatch(/^keygate world: stopped; \d+ servers closed, 3 temporary directories removed$/m);
    for (const url of Object.values(ready.servers)) expect([url, await accepts(url)]).toEqual([url, false]);
    expect(existsSync(dirname(ready.worldConfig))).toBe(false);
  });
});
