import { mkdirSync } from 'node:fs';
import type { RunRecord } from '../../../chaos/campaign';
import { Random, parseSeed, runSeed, showSeed, shuffle } from '../../../chaos/random';

// A fixed-seed slice of the fault campaign (`npm run chaos` runs 120 and prints the figures): each run
// is a fresh local world, one fault at a point its seed picks, then the invariants. The seeds below
// were picked so that each fault really fires (the fault run fails, or rides it out), and each covers
// one finding of issue 19: leftovers of a killed command, an apply whose connection drops mid-way, a
// command SSM times out mid-apply, S3 throttling on output over 24,000 characters. No fault here runs
// anything beside the fault run: each outcome follows from the seed alone, never from timing. (A
// target failing after its READY check has its own test: provisioning/final-observation.test.ts.)

// Each seed's run, pinned: a change that alters what a seed does (and so what a printed repro replays) shows here.
const SLICE: Array<[fault: string, seed: number, run: { start: RunRecord['start']; what: string }, faultRun: RunRecord['faultRun']['status']]> = [
  ['host-command-killed', 20, { start: 'adopted', what: 'the host command is killed: kill-group at the 1st rename of publish command' }, 'FAILED'],
  ['keycloak-connection-lost', 57, { start: 'empty', what: 'the connection of the 2nd admin write from now drops after Keycloak applied it (its answer is lost)' }, 'FAILED'],
  [
    'ssm-command-timed-out-or-cancelled',
    27,
    { start: 'empty', what: 'the command stands at a point until SSM ends it: hold at the 3rd keycloak-write (after) of apply command, SSM ends it TimedOut' },
    'FAILED',
  ],
  ['s3-transient-on-long-output', 2, { start: 'adopted', what: 'S3 answers SlowDown to the next 5 reads of command output over 24,000 characters' }, 'SUCCEEDED'],
];

let chaosRun: typeof import('../../../chaos/campaign').chaosRun;

beforeAll(async () => {
  // The functions log at INFO, as deployed (LogLevel's default): the campaign scans their lines for secrets.
  // Set before the handlers (and their one logger) load.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  ({ chaosRun } = await import('../../../chaos/campaign'));
});
afterAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

describe('the fault campaign, a fixed-seed slice', () => {
  it.each(SLICE)('%s (seed %i): every invariant holds', async (fault, seed, run, status) => {
    // Act
    const record = await chaosRun(seed, { faults: [fault] });
    // Assess: the seed's run, its fault fired (the run failed, or rode it out), then the first clean run converged,
    // a further run wrote nothing, keygate drift found nothing, no secret or foreign content anywhere, other
    // teams' objects untouched, nothing left on the host, honest messages.
    expect({ fault: record.fault, start: record.start, what: record.what, faultRun: record.faultRun.status }).toEqual({ fault, ...run, faultRun: status });
    expect(record.problems).toEqual([]);
    expect(record).toMatchObject({ converged: true, furtherWrites: [], driftExit: 0, secrets: [], foreignContent: [], foreignChanged: [], leftovers: [], dishonest: [] });
    // The fault met the run (S3's errors too, which the run rode out: retried, not a run that never read from S3).
    expect(record.fired).toBe(true);
    // The killed commands left something behind for the clean run to remove.
    if (fault === 'host-command-killed') expect(record.leftoversAfterFault).toEqual([expect.stringMatching(/^\/opt\/cimd\/public\/oauth\/\.keygate-staging$/), expect.stringMatching(/\.keygate-tmp$/), expect.stringMatching(/^\/tmp\/keygate-host\.\w{10}$/)]);
  }, 120_000);

  it('the invariants catch what they are about: a write of the further run, a secret or foreign content in a log line, changed foreign objects, a leftover', async () => {
    // Act: a run whose fault has no effect on the outcome (AgentCore slow), then each violation planted.
    const record = await chaosRun(3, {
      faults: ['agentcore-latency'],
      tamper: (world, log, stage) => {
        // Drift before the further run: it repairs it, so it writes.
        if (stage === 'before-further') return void (world.keycloak.realm('mcp-demo')!.enabled = false);
        log({ level: 'INFO', message: `leaked ${world.secrets.users.alice}` });
        log({ level: 'INFO', message: `read out ${world.keycloak.realm('team-payments')!.users[0]!.credentials[0]!.value}` });
        world.keycloak.realm('team-payments')!.users[0]!.email = 'changed@payments.example';
        world.agentcore.setPolicy('team-payments-gateway', undefined);
        mkdirSync(world.hostFile('/tmp/keygate-host.Planted123'), { mode: 0o700 });
      },
    });
    // Assess
    expect(record.problems).toEqual([
      expect.stringMatching(/^the further run wrote: Keycloak PUT \/admin\/realms\/mcp-demo$/),
      'a secret value in: function log lines',
      "another team's content in: function log lines",
      "another team's object changed: keycloak realm team-payments",
      "another team's object changed: AgentCore gateway team-payments-gateway",
      'left on the host: /tmp/keygate-host.Planted123',
    ]);
  }, 120_000);
});

describe('seeds', () => {
  it('a campaign seed gives the same run seeds on every machine, printed so that --replay reads them back', () => {
    expect([0, 1, 2].map((i) => showSeed(runSeed(0x2, i)))).toEqual(['0x7e32275d', '0x85a7d419', '0x8c16fc4a']);
    expect(parseSeed(showSeed(runSeed(0x2, 7)))).toBe(runSeed(0x2, 7));
    expect(() => parseSeed('0xZZ')).toThrow(/is not a seed/);
    expect(shuffle(['a', 'b', 'c', 'd'], 0x2)).toEqual(shuffle(['a', 'b', 'c', 'd'], 0x2));
    expect([...shuffle(['a', 'b', 'c', 'd'], 0x2)].sort()).toEqual(['a', 'b', 'c', 'd']);
    const a = new Random(42);
    const b = new Random(42);
    expect(Array.from({ length: 5 }, () => a.int(1, 1000))).toEqual(Array.from({ length: 5 }, () => b.int(1, 1000)));
  });
});
