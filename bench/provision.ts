// `npm run bench`: provisioning speed and cost against the AgentCore emulator, as ratios measured in
// one run (never timed assertions). Emulated service delays are realistic (gateway 20 s, target 30 s
// at speed 1) and time-scaled: the emulator runs --speed times faster and the state machine's retry
// intervals are divided by the same factor, so every ratio is the one a real deployment would see,
// apart from the local per-call cost (which makes the overhead figures conservative).
import { cpus } from 'node:os';
import { start } from '../emulators/agentcore';
import { runStateMachine, type RunResult } from '../emulators/stepfunctions';
import { KEYGATE_HANDLERS, useLocalEnvironment } from '../emulators/stepfunctions/handlers';
import { parseDesiredStateText } from '../functions/core/desired/load';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const SPEED = Number(args.get('speed') ?? 10);
const REPEAT = Number(args.get('repeat') ?? 3);
const DELAYS = { gatewayCreate: 20_000, targetCreate: 30_000 };
const ROOT = join(__dirname, '..');

const seed = () => parseDesiredStateText(readFileSync(join(ROOT, 'examples', 'seed.yaml'), 'utf8'), 'seed').value as Record<string, any>;
function withTargets(count: number) {
  const raw = seed();
  const t = raw.targets[0];
  raw.targets = Array.from({ length: count }, (_, i) => ({ ...t, name: `tools-${i + 1}`, endpoint: `https://tools-${i + 1}.example.com/mcp` }));
  return raw;
}

interface Sample {
  wallMs: number;
  idealMs: number;
  apiCalls: number;
  mutatingCalls: number;
  transitions: number;
}

/** Ideal: the emulated service time alone. Targets run in waves of 5 (MaxConcurrency), each wave a target delay. */
const idealMs = (targets: number) => (DELAYS.gatewayCreate + Math.ceil(targets / 5) * DELAYS.targetCreate) / SPEED;

async function measure(targets: number, rerun: boolean): Promise<Sample> {
  const emulator = await start({ speed: SPEED, delays: DELAYS, seed: 1 });
  const restore = useLocalEnvironment({ agentcoreUrl: emulator.url, region: emulator.region, owner: 'keygate-bench', gatewayRoleArn: `arn:aws:iam::${emulator.accountId}:role/keygate-bench-GatewayRole` });
  const document = withTargets(targets);
  const run = (n: number): Promise<RunResult> =>
    runStateMachine({ file: join(ROOT, 'statemachine', 'provision.asl.json'), handlers: KEYGATE_HANDLERS, input: { desiredState: document }, executionName: `bench-${n}`, timeScale: SPEED });
  try {
    let result = await run(1);
    if (rerun) {
      emulator.resetCalls();
      result = await run(2);
    }
    if (result.status !== 'SUCCEEDED') throw new Error(`${result.error}: ${result.cause}`);
    return { wallMs: result.durationMs, idealMs: rerun ? 0 : idealMs(targets), apiCalls: emulator.calls.length, mutatingCalls: emulator.callLog({ mutating: true }).length, transitions: result.transitions };
  } finally {
    restore();
    await emulator.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function series(targets: number, rerun = false): Promise<Sample> {
  const samples: Sample[] = [];
  for (let i = 0; i < REPEAT; i++) samples.push(await measure(targets, rerun));
  const pick = (k: keyof Sample) => median(samples.map((s) => s[k]));
  return { wallMs: pick('wallMs'), idealMs: pick('idealMs'), apiCalls: pick('apiCalls'), mutatingCalls: pick('mutatingCalls'), transitions: pick('transitions') };
}

async function main() {
  const one = await series(1);
  const ten = await series(10);
  const again = await series(1, true);
  const rows: Array<[string, string, string]> = [
    ['provisioning overhead, 1 target (measured / ideal)', (one.wallMs / one.idealMs).toFixed(3), '≤ 1.10'],
    ['provisioning overhead, 10 targets (measured / ideal)', (ten.wallMs / ten.idealMs).toFixed(3), '≤ 1.10'],
    ['10 targets / 1 target (wall time)', (ten.wallMs / one.wallMs).toFixed(2), '≤ 2.2 (ideal 1.60)'],
    ['API calls per run, 1 target / 10 targets', `${one.apiCalls} / ${ten.apiCalls}`, ''],
    ['state transitions per run, 1 target / 10 targets', `${one.transitions} / ${ten.transitions}`, ''],
    ['re-run: mutating calls / API calls / transitions', `${again.mutatingCalls} / ${again.apiCalls} / ${again.transitions}`, '0 mutating'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}`;
  process.stdout.write(`keygate provisioning bench — speed ${SPEED} (gateway 20 s, target 30 s emulated), median of ${REPEAT}, ${new Date().toISOString().slice(0, 10)}, ${machine}\n\n`);
  process.stdout.write(`| figure | value | target |\n|---|---|---|\n${rows.map(([a, b, c]) => `| ${a.padEnd(width)} | ${b} | ${c} |`).join('\n')}\n`);
  process.stdout.write(`\nwall: 1 target ${one.wallMs} ms (ideal ${one.idealMs} ms), 10 targets ${ten.wallMs} ms (ideal ${ten.idealMs} ms)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
