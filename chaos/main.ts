// `npm run chaos`: the seeded fault campaign over the local world (chaos/campaign.ts). Each run prints
// its seed, the fault and the verdict; a run that breaks an invariant prints its problems and the
// command that replays it. The figures come last, as one table (`npm run bench` style).
//
//   npm run chaos                                          120 runs, a fresh campaign seed (printed)
//   npm run chaos -- --seed=0x1f2e3d4c                     the same 120 runs again
//   npm run chaos -- --runs=20 --only=host-command-killed,keycloak-connection-lost
//   npm run chaos -- --replay=0x9a8b7c6d --only=host-disk-full   one run, as its repro line prints it
//
// The fault kinds take turns (run i gets kind i mod the number of kinds, in an order the campaign seed
// shuffles), so that 120 runs inject each of the 24 kinds five times; everything else about a run (start
// state, point, count, what runs beside it) comes from its own seed. A replay names its kind with --only.
//
// Exit 0 when every invariant held in every run, 1 otherwise, 2 on bad flags.
import { randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import { chaosRun, formatRecord, type RunRecord } from './campaign';
import { FAULTS } from './faults';
import { parseSeed, runSeed, showSeed, shuffle } from './random';

const FLAGS = ['seed', 'runs', 'replay', 'speed', 'only'];

function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!m || !FLAGS.includes(m[1]!)) throw new TypeError(`unknown or malformed flag ${arg}: use ${FLAGS.map((f) => `--${f}=…`).join(', ')}`);
    if (flags.has(m[1]!)) throw new TypeError(`--${m[1]} given twice`);
    flags.set(m[1]!, m[2]!);
  }
  return flags;
}

const out = (line: string) => void process.stdout.write(`${line}\n`);

/** A run that could not be carried out (the world did not start, the run before the fault failed): a problem too. */
function crashed(seed: number, kind: string, error: unknown): RunRecord {
  const message = (error as Error).message ?? String(error);
  return {
    seed: showSeed(seed), start: 'empty', fault: kind, area: '', what: 'the run could not be carried out', faultRun: { status: 'CRASHED' }, converged: false, clean: { status: 'CRASHED' },
    furtherWrites: [], driftExit: -1, secrets: [], foreignContent: [], foreignChanged: [], leftoversAfterFault: [], leftovers: [], dishonest: [], problems: [`the run crashed: ${message}`], durationMs: 0,
  };
}
/** `name count, …`, most frequent first. */
const tally = (names: string[]) =>
  [...names.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>())].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, c]) => `${k} ${c}`).join(', ');
const pct = (n: number, of: number) => `${n} / ${of} (${of ? ((100 * n) / of).toFixed(1) : '0.0'} %)`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function figures(records: RunRecord[], campaign: string, wallMs: number): string {
  const n = records.length;
  const count = (f: (r: RunRecord) => boolean) => records.filter(f).length;
  const sum = (f: (r: RunRecord) => number) => records.reduce((a, r) => a + f(r), 0);
  const byKind = FAULTS.map((k) => [k.name, count((r) => r.fault === k.name)] as const).filter(([, c]) => c > 0);
  const failedFaultRuns = count((r) => r.faultRun.status !== 'SUCCEEDED');
  const rows: Array<[string, string, string]> = [
    ['runs', String(n), '≥ 100 for a full campaign'],
    ['converged on the first clean run', pct(count((r) => r.converged), n), '100 %'],
    ['further run made zero writes', pct(count((r) => r.furtherWrites.length === 0), n), '100 %'],
    ['keygate drift (CLI) afterwards: no drift', pct(count((r) => r.driftExit === 0), n), '100 %'],
    ['leftovers on the host after the fault run / after the clean runs', `${sum((r) => r.leftoversAfterFault.length)} / ${sum((r) => r.leftovers.length)}`, '… / 0'],
    ['secrets found (history, logs, command output, S3, SNS, DynamoDB, campaign output)', String(sum((r) => r.secrets.length)), '0'],
    ["other teams' content found there (their passwords, client secret, e-mail, files)", String(sum((r) => r.foreignContent.length)), '0'],
    ["other teams' objects changed (Keycloak, AgentCore gateway, host files)", String(sum((r) => r.foreignChanged.length)), '0'],
    ['failure messages that hide what happened', String(sum((r) => r.dishonest.length)), '0'],
    ['runs with any problem', String(count((r) => r.problems.length > 0)), '0'],
    ['faults that met the fault run', `${count((r) => r.fired === true)} of ${count((r) => r.fired !== undefined)}`, 'the rest: the point lay beyond what the run did; + the concurrency kinds, which always run'],
    ['fault runs that failed / succeeded anyway', `${failedFaultRuns} / ${n - failedFaultRuns}`, '(either is fine: the next run must converge)'],
    ['how the failed fault runs ended', tally(records.filter((r) => r.faultRun.status !== 'SUCCEEDED').map((r) => r.faultRun.error ?? r.faultRun.status)), 'the error the operator reads (a nested run\'s own)'],
    ['start states (empty / adopted realm / drifted)', `${count((r) => r.start === 'empty')} / ${count((r) => r.start === 'adopted')} / ${count((r) => r.start === 'drifted')}`, ''],
    ['fault kinds injected', `${byKind.length} of ${FAULTS.length}`, byKind.map(([k, c]) => `${k} ${c}`).join(', ')],
    ['time per run (median) / all runs', `${(median(records.map((r) => r.durationMs)) / 1000).toFixed(1)} s / ${(wallMs / 1000).toFixed(0)} s`, 'fresh world per run; emulated time ×400, the host executor in real time'],
  ];
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}`;
  const width = Math.max(...rows.map((r) => r[0].length));
  return (
    `keygate chaos — ${new Date().toISOString().slice(0, 10)}, ${machine}; campaign seed ${campaign}\n\n` +
    `| figure | value | goal |\n|---|---|---|\n${rows.map(([a, b, c]) => `| ${a.padEnd(width)} | ${b} | ${c} |`).join('\n')}\n`
  );
}

async function main(): Promise<number> {
  let flags: Map<string, string>;
  let seeds: number[];
  let campaign: string;
  let only: string[] | undefined;
  try {
    flags = parseFlags(process.argv.slice(2));
    only = flags.get('only')?.split(',');
    const unknown = only?.filter((o) => !FAULTS.some((f) => f.name === o)) ?? [];
    if (unknown.length) throw new TypeError(`--only: no fault kind ${unknown.join(', ')} (kinds: ${FAULTS.map((f) => f.name).join(', ')})`);
    if (flags.has('replay')) {
      if (flags.has('seed') || flags.has('runs')) throw new TypeError('--replay runs one run by its own seed: leave out --seed and --runs');
      if (only?.length !== 1) throw new TypeError('--replay needs the fault kind of that run, as its repro line prints it: --only=KIND');
      seeds = [parseSeed(flags.get('replay')!)];
      campaign = `(replay of run ${showSeed(seeds[0]!)})`;
    } else {
      const base = flags.has('seed') ? parseSeed(flags.get('seed')!) : randomInt(0, 0xffffffff);
      const runs = Number(flags.get('runs') ?? 120);
      if (!Number.isInteger(runs) || runs < 1 || runs > 10_000) throw new TypeError(`--runs must be a whole number from 1 to 10000, not ${flags.get('runs')}`);
      seeds = Array.from({ length: runs }, (_, i) => runSeed(base, i));
      campaign = showSeed(base);
    }
    const speed = Number(flags.get('speed') ?? 400);
    if (!(speed >= 1 && speed <= 2000)) throw new TypeError(`--speed must be from 1 to 2000, not ${flags.get('speed')}`);
    flags.set('speed', String(speed));
  } catch (error) {
    process.stderr.write(`keygate chaos: ${(error as Error).message}\n`);
    return 2;
  }
  out(`keygate chaos: campaign seed ${campaign}, ${seeds.length} run${seeds.length === 1 ? '' : 's'}${only ? `, faults ${only.join(', ')}` : ''}`);
  const order = shuffle(only ?? FAULTS.map((f) => f.name), flags.has('replay') ? 0 : parseSeed(campaign));
  const records: RunRecord[] = [];
  const wall = Date.now();
  for (const [i, seed] of seeds.entries()) {
    const kind = order[i % order.length]!;
    const record = await chaosRun(seed, { speed: Number(flags.get('speed')), faults: [kind] }).catch((error: unknown) => crashed(seed, kind, error));
    records.push(record);
    out(`run ${String(i + 1).padStart(String(seeds.length).length)}/${seeds.length} ${formatRecord(record)}`);
    for (const p of record.problems) out(`    ✗ ${p}`);
    if (record.problems.length) out(`    repro: npm run chaos -- --replay=${record.seed} --only=${kind}`);
  }
  out('');
  out(figures(records, campaign, Date.now() - wall));
  return records.some((r) => r.problems.length) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
