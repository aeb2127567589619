// `npm run bench`: the figures the issues ask for, measured side by side in one run and printed as one
// table (never timed assertions in tests). Options: --speed=N (default 10), --repeat=N (provisioning
// samples, default 3), --requires=N (fresh processes per bundle, default 5), --logins=N (login flows, default 5),
// --only=provision|drift|verify|login|bundles|keycloak.
//
// - Provisioning against the local world (emulators/world: AgentCore, SSM with the host executor, the
//   Keycloak stand-in, the verification peers), the real provision.asl.json and handlers. Emulated delays
//   are realistic (gateway 20 s, target 30 s at speed 1) and time-scaled: the emulators run SPEED times
//   faster and the state machines' waits are divided alike, so the ratios are a deployment's, apart from
//   the local per-call cost (which makes the overhead conservative). The overhead is the gateway and
//   targets part (start → Summarize Provisioning) against the service time alone.
// - Drift runs: counts, not timings (they are what AWS bills).
// - Verification: one run against the loopback chain, against one discovery GET through the same fetch.
// - The seed's login (issue #15): a real Keycloak 26.7.3 with the login trust, the seed provisioned on it through
//   the local world, then --logins flows of the MCP SDK client with alice on Keycloak's login page in headless
//   Chromium (one browser, a fresh context each), against the canary's verification run on the same realm. The
//   first login is apart: Keycloak fetches the CIMD document and registers the client then.
// - Every function bundle of template.yaml as `sam build` makes it (scripts/bundles.ts, proven identical
//   by tests/integration/sam/sam-cli.test.ts): its size, and its cold load (median of fresh `node`
//   processes) against the same entry compiled alone with node_modules left external, which Node then
//   loads from node_modules (ESM, because @middy/core and jose are import-only).
// - The realm reconciler against a real Keycloak 26.7.3, and at scale (bench/keycloak.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { driftInjections } from '../cli/rehearse/drift-injections';
import { openLoginRig, type LoginSample } from '../cli/rehearse/login-phase';
import type { FetchLike } from '../functions/adapters/http/fetch';
import { startKeycloakServer } from '../scripts/keycloak/server';
import { prepareKeycloakTrust } from '../scripts/tls/keycloak-trust';
import type { RunResult } from '../emulators/stepfunctions';
import { DEFAULT_DELAYS } from '../emulators/agentcore';
import { loadChain, startWorld, type LocalWorld } from '../emulators/world';
import { verifyChain } from '../functions/adapters/verify/verify-chain';
import { checkDesiredState } from '../functions/core/desired/check';
import { loadDesiredState, parseDesiredStateText } from '../functions/core/desired/load';
import type { DriftReport } from '../functions/core/drift/report';
import { packageRoot } from '../scripts/package-root';
import { keycloakFigures } from './keycloak';
import { bundleOf, buildBundles, esbuildArgs } from '../scripts/bundles';
import { functionsOf, loadTemplate } from '../scripts/template';

const ROOT = packageRoot();
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const SPEED = Number(args.get('speed') ?? 10);
const REPEAT = Number(args.get('repeat') ?? 3);
const REQUIRES = Number(args.get('requires') ?? 5);
const LOGINS = Math.max(2, Number(args.get('logins') ?? 5));
const ONLY = args.get('only');
const runs = (part: string) => !ONLY || ONLY === part;

type Row = [figure: string, value: string, against: string];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
/** Progress on stderr, so stdout stays the table alone (`npm run bench > table.md`). */
const progress = (what: string) => void process.stderr.write(`bench: ${what}\n`);

const seedText = () => readFileSync(join(ROOT, 'examples', 'seed.yaml'), 'utf8');
const seed = () => parseDesiredStateText(seedText(), 'seed').value as Record<string, any>;

/** The seed with `count` targets (tools-1 … tools-N); verification expects their tools. */
function withTargets(count: number): Record<string, any> {
  const raw = seed();
  const t = raw.targets[0];
  raw.targets = Array.from({ length: count }, (_, i) => ({ ...t, name: `tools-${i + 1}`, endpoint: `https://tools-${i + 1}.agentcore-keycloak-example.com/mcp` }));
  raw.verify = { ...raw.verify, expectedTools: raw.targets.map((x: { name: string }) => `${x.name}___add_numbers`), toolCalls: [] };
  return raw;
}

/** AWS API calls (the host's Keycloak admin calls, inside the SSM commands, apart), SSM commands and writes so far. */
function tally(w: LocalWorld) {
  const calls = w.apiCalls();
  return {
    aws: calls.filter((c) => !c.startsWith('keycloak-admin:')).length,
    keycloak: calls.length - calls.filter((c) => !c.startsWith('keycloak-admin:')).length,
    ssmCommands: calls.filter((c) => c === 'ssm:SendCommand').length,
    mutating: w.agentcore.callLog({ mutating: true }).length + w.keycloak.writes().length,
  };
}
const minus = (a: ReturnType<typeof tally>, b: ReturnType<typeof tally>) => ({ aws: a.aws - b.aws, keycloak: a.keycloak - b.keycloak, ssmCommands: a.ssmCommands - b.ssmCommands, mutating: a.mutating - b.mutating });

function succeeded(run: RunResult, what: string): RunResult {
  if (run.status !== 'SUCCEEDED') throw new Error(`${what}: ${run.error}: ${run.cause}`);
  // Provisioning's guard ends a run that yields to another one successfully, having done nothing.
  const output = run.output as { outcome?: string; reason?: string } | null;
  if (output?.outcome === 'skipped') throw new Error(`${what}: skipped: ${output.reason}`);
  return run;
}

/** Wall time from the execution's start to the first entry of `state`. */
function until(run: RunResult, state: string): number {
  const started = run.events.find((e) => e.type === 'ExecutionStarted')!.timestamp;
  return run.events.find((e) => e.type === 'StateEntered' && e.state?.name === state)!.timestamp - started;
}

interface ProvisionSample {
  agentcoreMs: number;
  idealMs: number;
  wallMs: number;
  transitions: number;
  aws: number;
  keycloak: number;
  ssmCommands: number;
  rerun?: { transitions: number; aws: number; ssmCommands: number; mutating: number };
}

async function provisionSample(targets: number, rerun: boolean): Promise<ProvisionSample> {
  const w = await startWorld({ document: withTargets(targets), speed: SPEED, peers: true });
  try {
    const run = succeeded(await w.run('provision', { input: {} }), 'provisioning');
    const first = tally(w);
    const sample: ProvisionSample = {
      agentcoreMs: until(run, 'Summarize Provisioning'),
      // Targets run in waves of 5 (MaxConcurrency), each wave one target delay.
      idealMs: (DEFAULT_DELAYS.gatewayCreate + Math.ceil(targets / 5) * DEFAULT_DELAYS.targetCreate) / SPEED,
      wallMs: run.durationMs,
      transitions: run.transitions,
      aws: first.aws,
      keycloak: first.keycloak,
      ssmCommands: first.ssmCommands,
    };
    if (rerun) {
      const again = succeeded(await w.run('provision', { input: {} }), 'converged re-run');
      const d = minus(tally(w), first);
      sample.rerun = { transitions: again.transitions, aws: d.aws, ssmCommands: d.ssmCommands, mutating: d.mutating };
    }
    return sample;
  } finally {
    await w.close();
  }
}

async function provisioning(): Promise<Row[]> {
  const series = async (targets: number) => {
    const samples: ProvisionSample[] = [];
    for (let i = 0; i < REPEAT; i++) {
      progress(`provisioning, ${targets} target${targets === 1 ? '' : 's'}, run ${i + 1} of ${REPEAT}`);
      samples.push(await provisionSample(targets, i === 0 && targets === 1));
    }
    const pick = (k: 'agentcoreMs' | 'idealMs' | 'wallMs' | 'transitions' | 'aws' | 'keycloak' | 'ssmCommands') => median(samples.map((s) => s[k]));
    return { agentcoreMs: pick('agentcoreMs'), idealMs: pick('idealMs'), wallMs: pick('wallMs'), transitions: pick('transitions'), aws: pick('aws'), keycloak: pick('keycloak'), ssmCommands: pick('ssmCommands'), rerun: samples[0]!.rerun };
  };
  const one = await series(1);
  const ten = await series(10);
  const r = one.rerun!;
  return [
    ['provisioning overhead, 1 target (gateway + targets: measured / ideal)', (one.agentcoreMs / one.idealMs).toFixed(3), `≤ 1.10 (ideal ${one.idealMs} ms)`],
    ['provisioning overhead, 10 targets (measured / ideal)', (ten.agentcoreMs / ten.idealMs).toFixed(3), `≤ 1.10 (ideal ${ten.idealMs} ms)`],
    ['10 targets / 1 target (gateway + targets, wall time)', (ten.agentcoreMs / one.agentcoreMs).toFixed(2), '≤ 2.2 (two waves of 5: 1.60)'],
    ['provisioning run, 1 / 10 targets: state transitions', `${one.transitions} / ${ten.transitions}`, 'the nested realm run included'],
    ['provisioning run, 1 / 10 targets: AWS API calls', `${one.aws} / ${ten.aws}`, `+ ${one.keycloak} / ${ten.keycloak} Keycloak admin calls by the host executor`],
    ['provisioning run, 1 / 10 targets: SSM commands', `${one.ssmCommands} / ${ten.ssmCommands}`, 'realm observe + apply, CIMD observe + write'],
    ['converged re-run: mutating calls / AWS API calls / transitions / SSM commands', `${r.mutating} / ${r.aws} / ${r.transitions} / ${r.ssmCommands}`, '0 mutating'],
  ];
}

async function drift(): Promise<Row[]> {
  progress('drift runs: provisioning, then no drift, then drift injected and repaired');
  const raw = seed();
  const w = await startWorld({ document: raw, speed: SPEED, peers: true });
  try {
    succeeded(await w.run('provision', { input: {} }), 'provisioning');
    const measure = async (mode: 'report' | 'repair') => {
      const before = tally(w);
      // No fixed poll intervals: the reconciler's SSM polls follow its Retry (2 s, ×1.5), time-scaled.
      const run = succeeded(await w.run('drift', { input: { mode }, overrides: { retryIntervalOverrides: {} } }), `drift (${mode})`);
      return { report: run.output as DriftReport, transitions: run.transitions, ...minus(tally(w), before) };
    };
    const clean = await measure('report');
    const injections = driftInjections(checkDesiredState(w.document, 'seed').desired);
    for (const i of injections) await i.inject(w);
    const repaired = await measure('repair');
    if (clean.report.outcome !== 'clean' || repaired.report.outcome !== 'repaired') throw new Error(`drift: ${clean.report.outcome} / ${repaired.report.outcome}`);
    const row = (c: typeof clean) => `${c.transitions} / ${c.aws} / ${c.ssmCommands} / ${c.mutating}`;
    return [
      ['drift run, no drift: transitions / AWS API calls / SSM commands / mutating calls', row(clean), `+ ${clean.keycloak} Keycloak reads by the host executor; verification included`],
      [`drift run, drift in ${injections.length} places, repair mode: same`, row(repaired), `${repaired.report.counts.repaired} items repaired; + ${repaired.keycloak} Keycloak admin calls`],
    ];
  } finally {
    await w.close();
  }
}

async function verification(): Promise<Row[]> {
  const N = 20;
  progress(`verification, ${N} runs for one MCP version, ${N} for two`);
  const one = loadDesiredState(seedText(), 'examples/seed.yaml');
  const raw = seed();
  raw.gateway.protocol = { supportedVersions: ['2026-07-28', '2025-11-25'] };
  const two = checkDesiredState(raw, 'seed with two MCP versions').desired;
  const single = await verificationRuns(one, N);
  const both = await verificationRuns(two, N);
  return [
    ['verification run: HTTP requests / median time', `${single.requests} / ${single.median.toFixed(1)} ms`, `${(single.median / single.baseline).toFixed(1)} × one discovery GET (${single.baseline.toFixed(2)} ms)`],
    [
      'verification, gateway declaring MCP 2026-07-28 + 2025-11-25: HTTP requests / median time',
      `${both.requests} / ${both.median.toFixed(1)} ms`,
      `${(both.median / single.median).toFixed(2)} × one declared version (2025-03-26), ${(both.requests / single.requests).toFixed(2)} × its requests`,
    ],
  ];
}

/** N verification runs against the loopback chain for a document: requests of one run, median time, median discovery GET. */
async function verificationRuns(desired: ReturnType<typeof loadDesiredState>, N: number): Promise<{ requests: number; median: number; baseline: number }> {
  const gatewayUrl = 'https://mcp-gateway-keycloak-demo-bench00000.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
  const secret = 'bench-canary-secret-000000';
  const chain = await (await loadChain()).startChain(desired, { gatewayUrl, canarySecret: secret });
  try {
    const opts = { gatewayUrl, canarySecret: { value: secret }, fetch: chain.fetch, now: () => new Date() };
    await verifyChain(desired, opts); // warm-up: keys, JIT, the gateway's discovery cache
    const baseline: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      let t = performance.now();
      await (await chain.fetch(desired.gateway.authorizer.discoveryUrl)).text();
      baseline.push(performance.now() - t);
      for (const peer of [chain.op, chain.gateway, chain.cimd!]) peer.calls.length = 0;
      t = performance.now();
      const report = await verifyChain(desired, opts);
      times.push(performance.now() - t);
      if (report.outcome !== 'pass') throw new Error(`verification: ${report.outcome}`);
    }
    return { requests: chain.op.calls.length + chain.gateway.calls.length + chain.cimd!.calls.length, median: median(times), baseline: median(baseline) };
  } finally {
    await chain.close();
  }
}

async function login(): Promise<Row[]> {
  progress('login: a real Keycloak 26.7.3 with the login trust (the first run installs it with Maven: a few minutes)');
  const dir = mkdtempSync(join(tmpdir(), 'keygate-bench-login-'));
  const trust = prepareKeycloakTrust(dir);
  const server = await startKeycloakServer({ progress, ...trust.serverOptions });
  try {
    const raw = seed();
    const w = await startWorld({ document: raw, speed: SPEED, peers: true, keycloakServer: server });
    try {
      progress('login: the seed provisioned on it');
      succeeded(await w.run('provision', { input: {} }), 'provisioning on the real Keycloak');
      const desired = checkDesiredState(raw, 'seed').desired;
      // The canary's verification run on the same realm (client credentials, no browser): what the login is set against.
      let requests = 0;
      const counting: FetchLike = (input, init) => (requests++, w.chain!.fetch(input, init));
      const opts = { gatewayUrl: w.chain!.gatewayUrl, canarySecret: { value: w.secrets.canary }, fetch: counting, now: () => new Date() };
      await verifyChain(desired, opts);
      const verifyTimes: number[] = [];
      for (let i = 0; i < LOGINS; i++) {
        requests = 0;
        const t = performance.now();
        const report = await verifyChain(desired, opts);
        verifyTimes.push(performance.now() - t);
        if (report.failed) throw new Error(`verification on the real realm: ${report.outcome}`);
      }
      const verifyRequests = requests; // the last run's
      const rig = await openLoginRig({ document: raw, desired, keycloakUrl: server.url, tls: trust, password: w.secrets.users[desired.keycloak.realm.users[0]!.username]! });
      try {
        const samples: LoginSample[] = [];
        for (let i = 0; i < LOGINS; i++) {
          progress(`login ${i + 1} of ${LOGINS} (${rig.browser})`);
          const sample = await rig.login();
          const failed = sample.checks.filter((c) => c.status === 'fail');
          if (failed.length) throw new Error(`login ${i + 1}: ${failed.map((c) => `${c.id}: ${c.evidence}`).join('; ')}`);
          samples.push(sample);
        }
        const [first, ...later] = samples as [LoginSample, ...LoginSample[]];
        const wall = median(later.map((s) => s.wallMs));
        const verifyMs = median(verifyTimes);
        const req = (s: LoginSample) => `${s.requests.total} (${s.requests.client} / ${s.requests.browser} / ${s.requests.keycloakToCimd})`;
        const laterSample = later.find((s) => s.wallMs === wall) ?? later[0]!;
        return [
          [`login flow, first / later (median of ${later.length}): wall time`, `${(first.wallMs / 1000).toFixed(2)} s / ${(wall / 1000).toFixed(2)} s`, `${(wall / verifyMs).toFixed(1)} × the canary's verification run on the same realm (${verifyMs.toFixed(0)} ms); the first includes Keycloak's CIMD fetch and client registration`],
          ['login flow, first / later: HTTP requests (MCP client / browser / Keycloak → CIMD host)', `${req(first)} / ${req(laterSample)}`, `the canary's verification run on the same realm: ${verifyRequests} requests (no browser)`],
        ];
      } finally {
        await rig.close();
      }
    } finally {
      await w.close();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median load time of `file` in fresh processes, in ms (module load only, not Node's own start). */
function coldLoad(file: string, esm: boolean): number {
  const code = esm
    ? 'const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t))'
    : 'const t=performance.now();require(process.argv[1]);process.stdout.write(String(performance.now()-t))';
  const times: number[] = [];
  for (let i = 0; i < REQUIRES; i++) {
    const out = spawnSync(process.execPath, [...(esm ? ['--input-type=module'] : []), '-e', code, esm ? pathToFileURL(file).href : file], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    if (out.status !== 0) throw new Error(`loading ${file}: ${out.stderr}`);
    times.push(Number(out.stdout));
  }
  return median(times);
}

async function bundles(): Promise<Row[]> {
  // Inside node_modules, so that the unbundled variant finds its packages the way Node looks them up.
  const dir = join(ROOT, 'node_modules', '.cache', 'keygate-bench');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const rows: Row[] = [];
    let total = 0;
    for (const fn of functionsOf(loadTemplate(ROOT))) {
      progress(`bundle ${fn.logicalId}: ${REQUIRES} + ${REQUIRES} cold loads`);
      const bundled = bundleOf(fn).file;
      const unbundled = join(dir, fn.logicalId, basename(bundled).replace(/\.js$/, '.mjs'));
      unbundledBuild(fn, join(dir, fn.logicalId));
      const size = statSync(bundled).size;
      total += size;
      const b = coldLoad(bundled, false);
      const u = coldLoad(unbundled, true);
      rows.push([`bundle ${fn.logicalId}: size / cold load`, `${kib(size)} / ${b.toFixed(1)} ms`, `unbundled ${u.toFixed(1)} ms (own code ${kib(statSync(unbundled).size)}): ×${(b / u).toFixed(2)}`]);
    }
    rows.push(['bundles, all functions: total size', kib(total), `${rows.length} functions`]);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: the function's esbuild command line, but ESM with every package left external and no source map. */
function unbundledBuild(fn: ReturnType<typeof functionsOf>[number], outdir: string): void {
  const args = esbuildArgs(fn, outdir, ROOT).filter((a) => !a.startsWith('--format') && !a.startsWith('--sourcemap'));
  const out = spawnSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), [...args, '--format=esm', '--packages=external', '--out-extension:.js=.mjs', '--log-level=warning'], { cwd: ROOT, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`unbundled build of ${fn.logicalId}: ${out.stderr}`);
}

async function main() {
  // Timings on a shared machine are only read with the load beside them (1-minute load average).
  const loadAtStart = loadavg()[0]!;
  // Every function runs from its bundle as `sam build` makes it (the local world loads them).
  const built = await buildBundles();
  if (built.built.length) progress(`bundled ${built.built.length} function(s) as sam build does`);
  const rows: Row[] = [];
  if (runs('provision')) rows.push(...(await provisioning()));
  if (runs('drift')) rows.push(...(await drift()));
  if (runs('verify')) rows.push(...(await verification()));
  if (runs('login')) rows.push(...(await login()));
  if (runs('bundles')) rows.push(...(await bundles()));
  if (runs('keycloak')) rows.push(...(await keycloakFigures(seed, SPEED, progress)));
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, load average ${loadAtStart.toFixed(2)} at the start and ${loadavg()[0]!.toFixed(2)} at the end`;
  process.stdout.write(
    `keygate bench — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine}; speed ${SPEED} (gateway 20 s, target 30 s emulated), provisioning median of ${REPEAT}, cold loads median of ${REQUIRES} processes${runs('login') ? `, ${LOGINS} logins` : ''}\n\n`,
  );
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`| figure | value | against |\n|---|---|---|\n${rows.map(([a, b, c]) => `| ${a.padEnd(width)} | ${b} | ${c} |`).join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
