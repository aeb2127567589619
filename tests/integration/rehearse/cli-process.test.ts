import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSecrets } from '../../../emulators/world';
import type { RehearsalResult } from '../../../cli/rehearse/scenario';
import { fromRoot, ROOT } from '../../support/paths';
import { accepts } from '../../support/ports';
import { seedRaw } from '../../support/seed';
import { spawnKeygate, type Exit } from '../../support/cli';

// `node bin/keygate.cjs rehearse` as `npm start` runs it: a separate process, the bundled CLI, run
// from directories outside the package (keygate finds its template and state machines by itself).

const SECRETS = ((s) => [s.admin, s.canary, ...Object.values(s.users)])(defaultSecrets(seedRaw()));

/** Runs the bundled CLI in `cwd`; `onStderr` may act on the progress as it arrives (send a signal). */
const keygate = (cwd: string, args: string[], onStderr?: (text: string, child: ChildProcess) => void): Promise<Exit> =>
  spawnKeygate(args, { cwd, ...(onStderr ? { onOutput: (out, child) => onStderr(out.stderr, child) } : {}) });

// Two runs at once, as two people (or two CI jobs) on one machine: a fault run and an interrupted one.
let faulted: Exit;
let interrupted: Exit;
let sent = false;
// Working directories outside the package: one with nothing in it (the default config is keygate's
// examples/seed.yaml), one with a copy of the seed given as a relative --config.
const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'kg-cwd-')));
const withCopy = realpathSync(mkdtempSync(join(tmpdir(), 'kg-cwd-')));

beforeAll(async () => {
  for (const dir of [elsewhere, withCopy]) expect(dir.startsWith(`${ROOT}/`)).toBe(false);
  copyFileSync(fromRoot('examples', 'seed.yaml'), join(withCopy, 'my-setup.yaml'));
  [faulted, interrupted] = await Promise.all([
    keygate(elsewhere, ['rehearse', '--fault', 'target-failed', '--speed', '200']),
    // Interrupted while provisioning waits for the gateway.
    keygate(withCopy, ['rehearse', '--config', 'my-setup.yaml', '--json', '--speed', '10'], (stderr, child) => {
      if (!sent && /waiting\s+Await Gateway Ready/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    }),
  ]);
}, 90_000);
afterAll(() => {
  for (const dir of [elsewhere, withCopy]) rmSync(dir, { recursive: true, force: true });
});

describe('node bin/keygate.cjs rehearse', () => {
  it('runs from any directory: the default config is keygate\'s own examples/seed.yaml, a relative --config is read from the cwd', () => {
    const header = (text: string) => /^keygate rehearse (\S+) at speed ×(\d+): /.exec(text)?.slice(1);
    expect(header(faulted.stdout)).toEqual([fromRoot('examples', 'seed.yaml'), '200']);
    expect(faulted.stdout).toMatch(/phases {9}start succeeded, provision failed/);
    expect(header(interrupted.stderr)).toEqual(['my-setup.yaml', '10']);
  });

  it('with a target that goes FAILED: exits 1 naming the step, the status reasons and the fix', () => {
    const out = faulted;
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/FAILED\s+Await Gateway Target Ready \[my-mcp-server\]\s+[\d.]+ s\s+target my-mcp-server: FAILED after/);
    expect(out.stdout).toMatch(/^FAILED in provision\n {2}step {11}provision › Await Gateway Target Ready \[my-mcp-server\]\n {2}error {10}GatewayTargetFailedError$/m);
    expect(out.stdout).toMatch(/^ {2}why {12}target my-mcp-server \([A-Z0-9]{10}\) is FAILED: Failed to connect to the MCP server at https:\/\/mcp-server\.agentcore-keycloak-example\.com\/mcp: connection timed out .*; Unable to list tools from the target/m);
    expect(out.stdout).toMatch(/^ {2}fix {12}An MCP server target usually fails because the gateway cannot reach it .* run "keygate rehearse" without --fault/m);
    expect(out.stdout).toMatch(/phases {9}start succeeded, provision failed, rotate skipped, drift-report skipped, drift-repair skipped, teardown skipped/);
    expect(out.stdout).toMatch(/cleanup {8}10 servers closed, 2 temporary directories removed/);
    expect(out.stdout.trimEnd().split('\n').at(-1)).toBe('Result: rehearsal FAILED');
    for (const secret of SECRETS) expect(out.stdout + out.stderr).not.toContain(secret);
  });

  it('on Ctrl-C stops the running execution, closes every server, removes its directories and exits 130', async () => {
    const out = interrupted;
    expect(sent).toBe(true);
    expect(out.code).toBe(130);
    expect(out.stderr).toContain('SIGINT: stopping the running execution and cleaning up');
    // stdout is the one JSON object: no log line of a step still running after the stop follows it.
    const result = JSON.parse(out.stdout) as RehearsalResult;
    expect(result.outcome).toBe('interrupted');
    expect(result.phases.map((p) => [p.name, p.status])).toEqual([
      ['start', 'succeeded'],
      ['provision', 'interrupted'],
      ['rotate', 'skipped'],
      ['drift-report', 'skipped'],
      ['drift-repair', 'skipped'],
      ['teardown', 'skipped'],
    ]);
    expect(result.phases[1]!.executions).toEqual([expect.objectContaining({ machine: 'provision', status: 'ABORTED' })]);
    expect(result.cleanup.leftovers).toEqual([]);
    expect(result.cleanup.servers).toHaveLength(10);
    for (const url of result.cleanup.servers) expect(await accepts(url)).toBe(false);
    for (const dir of result.cleanup.temporaryDirectories) expect(existsSync(dir)).toBe(false);
  });

  it('runs twice at once without a port in common (every server listens on port 0)', () => {
    const ports = (line: string) => [...line.matchAll(/:(\d+)/g)].map((m) => m[1]!);
    const faultedPorts = ports(faulted.stdout.split('\n').find((l) => l.includes('local world on 127.0.0.1'))!);
    const interruptedPorts = (JSON.parse(interrupted.stdout) as RehearsalResult).cleanup.servers.map((u) => new URL(u).port);
    expect(faultedPorts).toHaveLength(10);
    expect(faultedPorts.filter((p) => interruptedPorts.includes(p))).toEqual([]);
  });
});
