import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnKeygate, type Exit } from '../../support/cli';
import { fromRoot } from '../../support/paths';

// `keygate rehearse` on a document written for another setup than the seed's (examples/two-targets.yaml:
// two targets, literal VPC endpoint ids, no CIMD document, other tools), as a separate process: what it
// prints must be true for that document.

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'kg-any-doc-')));
const base = readFileSync(fromRoot('examples', 'two-targets.yaml'), 'utf8');
const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), name);
const rehearse = (config: string, ...flags: string[]) => spawnKeygate(['rehearse', '--config', config, ...flags], { cwd: dir });
/** The wall time and the "(… against AWS)" figure of each phase line, in seconds. */
const phaseTimes = (out: string) =>
  Object.fromEntries([...out.matchAll(/^(\S.*)\n(?:(?!  → ).*\n)*  → \w+ in (.+?) \((.+?) against AWS\)/gm)].map((m) => [m[1]!.split(':')[0]!.split(' (')[0]!, { wall: toSeconds(m[2]!), aws: toSeconds(m[3]!) }]));
const toSeconds = (t: string) => [...t.matchAll(/([\d.]+) (min|s)/g)].reduce((n, m) => n + Number(m[1]) * (m[2] === 'min' ? 60 : 1), 0);

let green: Exit;
let quiet: Exit;
let faulted: Exit;
let limited: Exit;

beforeAll(async () => {
  // Where the README's transcript has it, so that the first line reads the same.
  mkdirSync(join(dir, 'examples'));
  const document = write('examples/two-targets.yaml', base);
  // The same setup without live verification: its checks did not run, and say so.
  const unverified = write('unverified.yaml', base.replace('verify:\n', 'verify:\n  enabled: false\n'));
  // A call the emulated server cannot answer as the document expects: a tool named like a seed
  // article's, with other arguments than the seed's.
  const limit = write('limit.yaml', base.replace('    - tool: tickets___create_ticket', '    - tool: tickets___add_numbers\n      arguments: {x: 1}\n    - tool: tickets___create_ticket'));
  // Two at a time: the machine is shared.
  [green, quiet] = await Promise.all([rehearse(document, '--speed', '100'), rehearse(unverified, '--speed', '400')]);
  [faulted, limited] = await Promise.all([rehearse(document, '--speed', '100', '--fault', 'target-failed'), rehearse(limit, '--speed', '100')]);
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keygate rehearse on a document with two targets, literal endpoint ids and no CIMD', () => {
  it('is green: the emulated MCP servers serve the tools the document names', () => {
    expect(green.code).toBe(0);
    expect(green.stdout).toMatch(/^ {2}emulated MCP servers: warehouse \(add_numbers, multiply_numbers, greet_user, run_query\*\); tickets \(add_numbers, multiply_numbers, greet_user, create_ticket\*\); \* a stand-in/m);
    expect(green.stdout).toMatch(/^ {4}PASS {2}mcp\.expected-tools +all 2 expected tools are listed$/m);
    expect(green.stdout).toMatch(/^ {4}PASS {2}mcp\.call\.tickets___create_ticket +tickets___create_ticket\(\{"title":"smoke test"\}\) returned "created"$/m);
    expect(green.stdout.trimEnd().split('\n').at(-1)).toBe('Result: rehearsal succeeded');
  });

  it('prints every line of the README\'s transcript of this rehearsal, times, ports and counts aside', () => {
    const readme = readFileSync(fromRoot('README.md'), 'utf8');
    const [, command, transcript] = /<!-- transcript: rehearse -->\n```text\n\$ npx keygate (.+)\n([\s\S]*?)```/.exec(readme)!;
    expect(command).toBe('rehearse --config examples/two-targets.yaml');
    // Figures vary from run to run (and with --speed and the machine's load: a wait polled once, or
    // not at all when the resource was READY at the first look); the parallel branches' lines may come
    // in another order, and a wait line shows only when the view caught the wait: every other line is
    // looked for, wherever it is.
    const shape = (line: string) =>
      line
        .replace(/, \d+ polls?\b/g, '')
        .replace(/\d+(\.\d+)?/g, '#')
        .replace(/# (\w+?)s\b/g, '# $1')
        .replace(/\s+/g, ' ')
        .trimEnd();
    const printed = new Set(green.stdout.split('\n').map(shape));
    const shown = transcript!.split('\n').filter((l) => l.trim() && !['…'].includes(l.trim()) && !/^ {2}waiting /.test(l));
    expect(shown.length).toBeGreaterThan(30);
    // A line not printed, with what was printed for the same step (or header), to see what differs.
    const missing = shown.filter((line) => !printed.has(shape(line)));
    expect(missing.map((line) => [line, green.stdout.split('\n').filter((p) => p.slice(0, 40).trim() === line.slice(0, 40).trim())])).toEqual([]);
  });

  it('names in its phase headers only what the document has, and says why it skips the rotation', () => {
    expect(green.stdout).toContain('\nProvision: gateway, 2 targets, resource policy, Keycloak realm, verification\n');
    expect(green.stdout).toContain('\nDrift detection in report mode (drift injected in AWS and Keycloak)\n');
    // (The verification report still lists its CIMD checks, each skipped: "no cimd section".)
    expect(green.stdout.split('\n').filter((l) => /^\S/.test(l) && /CIMD/.test(l))).toEqual([]);
    expect(green.stdout).toContain('\nRotate the resource policy to a new VPC endpoint\n  → skipped: the document lists literal VPC endpoint ids (resourcePolicy.vpcEndpoint.ids): keygate follows no parameter, so there is nothing to rotate\n');
    expect(green.stdout).toMatch(/^ {2}skipped {8}rotate: the document lists literal VPC endpoint ids/m);
    // Report mode's expected verification failure is explained by this document's injected drift alone: no CIMD file.
    expect(green.stdout).toContain(
      'as it must while the injected drift is live (audience mapper aud-tools-gateway on client scope tools:read: audience changed to "someone-else": mcp.tools-list, token.audience); the drift report',
    );
  });

  it('ticks no check that did not run', () => {
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain('\nProvision: gateway, 2 targets, resource policy, Keycloak realm\n');
    expect(quiet.stdout).toContain('    – chain verified: not run (verify.enabled is false)\n');
    expect(quiet.stdout).toContain('    – verification while the drift is live: not run (verify.enabled is false)\n');
    expect(quiet.stdout).not.toMatch(/✓ .*verif/);
  });

  it('estimates the time against AWS the same at speed 100 and 400', () => {
    const [at100, at400] = [phaseTimes(green.stdout), phaseTimes(quiet.stdout)];
    expect(Object.keys(at100)).toEqual(['Provision', 'Drift detection in report mode', 'Drift detection in repair mode', 'Teardown']);
    for (const phase of ['Provision', 'Drift detection in repair mode', 'Teardown']) {
      // The modeled service waits are equal at any speed; what differs is local work (the handlers, the
      // SSM scripts, this run's verification), counted as the wall time it took, which a loaded machine
      // stretches: never more than the longer run's wall time (+2 s: each figure is rounded to the second).
      // A model that scaled time by the speed would be off by far more (the waits alone exceed 50 s).
      const [slow, fast] = [at100[phase]!, at400[phase]!];
      const difference = Math.abs(fast.aws - slow.aws);
      expect({ phase, difference, within: difference <= Math.max(slow.wall, fast.wall) + 2 }).toEqual({ phase, difference, within: true });
    }
    expect(at100.Provision!.aws).toBeGreaterThan(50); // the gateway's 20 s and a target's 30 s, polled
    expect(at400.Provision!.aws).toBeGreaterThan(50);
  });

  it('with a failed target, shows the healthy sibling its failure stopped as stopped, and says the fix once', () => {
    expect(faulted.code).toBe(1);
    expect(faulted.stdout).toMatch(/^ {2}FAILED {2}Await Gateway Target Ready \[warehouse\] +[\d.]+ s {2}target warehouse: FAILED after/m);
    expect(faulted.stdout).toMatch(/^ {2}stopped Await Gateway Target Ready \[tickets\] +[\d.]+ s {2}target tickets: CREATING when the run stopped$/m);
    expect(faulted.stdout).not.toMatch(/FAILED .*\[tickets\]/);
    const failure = faulted.stdout.slice(faulted.stdout.indexOf('FAILED in provision'));
    expect(failure).toMatch(/^ {2}why {12}target warehouse \(\w+\) is FAILED: Failed to connect to the MCP server .*; Unable to list tools from the target\.$/m);
    expect(failure).toMatch(/^ {2}fix {12}An MCP server target usually fails because the gateway cannot reach it/m);
    expect(failure.match(/run provisioning again/g)).toHaveLength(1);
  });

  it('says when a failure is the emulated MCP server\'s limit, not a reason to check the user\'s servers', () => {
    expect(limited.code).toBe(1);
    const failure = limited.stdout.slice(limited.stdout.indexOf('FAILED in provision'));
    expect(failure).toMatch(/FAIL mcp\.call\.tickets___add_numbers [^\n]*Invalid arguments[\s\S]*?\[the rehearsal's emulated MCP server answered: a limit of the emulator, not of your server\]\n {2}fix /);
    expect(failure).not.toMatch(/check the MCP server/);
    expect(failure).toMatch(/^ {2}fix {12}the MCP checks ran against keygate's emulated MCP servers, not yours/m);
  });
});
