import { readFileSync } from 'node:fs';
import type { Landing } from '../../emulators/agentcore';
import { fromPackageRoot } from '../../scripts/package-root';
import type { StepLine } from './progress';

/**
 * How long the rehearsal's executions would take against AWS, the same at any `--speed`. The local
 * world runs the service's delays `speed` times faster, but its own work (the handlers, the SSM
 * commands' scripts, the polls' round trips) in real time; multiplying waits back by the speed would
 * multiply that work too (at ×200 the figure grew by a tenth). Instead each wait on AgentCore is
 * modeled: the service's own duration of the operation (the emulator's delay at speed 1, from its
 * landing log), rounded up to the poll of the state's Retry that sees it; a Wait state is its
 * seconds. Everything else counts as the wall time it took here.
 */
export interface AwsTimeModel {
  /** A finished step's wait in service milliseconds; undefined when it did not wait on the service. */
  waitMs(line: StepLine): number | undefined;
}

/** Steps that wait on AgentCore: the readiness and deletion polls, and deletes that retry until a resource settles. */
export const SERVICE_WAIT = /^(Await .*Gateway|Delete (Replaced )?Gateway)/;

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  MaxAttempts?: number;
  JitterStrategy?: string;
}

interface AslState {
  Type: string;
  Seconds?: number;
  SecondsPath?: string;
  Retry?: Retrier[];
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState> };
  Branches?: Array<{ States: Record<string, AslState> }>;
}

const machines = new Map<string, Map<string, AslState>>();

/** The states of statemachine/<machine>.asl.json by name, Map and Parallel states' inner ones included. */
function statesOf(machine: string): Map<string, AslState> {
  let states = machines.get(machine);
  if (!states) {
    states = new Map();
    const walk = (all: Record<string, AslState>) => {
      for (const [name, state] of Object.entries(all)) {
        states!.set(name, state);
        const inner = state.Iterator ?? state.ItemProcessor;
        if (inner) walk(inner.States);
        for (const b of state.Branches ?? []) walk(b.States);
      }
    };
    walk((JSON.parse(readFileSync(fromPackageRoot('statemachine', `${machine}.asl.json`), 'utf8')) as { States: Record<string, AslState> }).States);
    machines.set(machine, states);
  }
  return states;
}

/**
 * When a state's polls happen, from its first one (ms): the Retry of its not-ready error (the first
 * that retries a `…NotReadyError`, `…PendingError` or `…DeletionPendingError`). With FULL jitter a
 * retry waits a random part of its interval: half of it, on average.
 *
 * @example
 * pollTimesMs({ ErrorEquals: ['GatewayNotReadyError'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }) // [0, 1000, 3000, 7000]
 */
export function pollTimesMs(retrier: Retrier): number[] {
  const times = [0];
  const attempts = retrier.MaxAttempts ?? 3;
  const cap = (retrier.MaxDelaySeconds ?? Infinity) * 1000;
  const jitter = retrier.JitterStrategy === 'FULL' ? 0.5 : 1;
  for (let k = 0; k < attempts; k++) times.push(times[k]! + Math.min(cap, (retrier.IntervalSeconds ?? 1) * 1000 * (retrier.BackoffRate ?? 2) ** k) * jitter);
  return times;
}

/** A Wait state's seconds: its `Seconds`, or for a `SecondsPath` the value the rehearsal gave it. */
export function waitStateSeconds(line: Pick<StepLine, 'execution' | 'name' | 'path'>, fromExecution: Record<string, number>): number | undefined {
  if (line.path.length) return fromExecution[line.name];
  return statesOf(line.execution).get(line.name)?.Seconds ?? fromExecution[line.name];
}

function retrierOf(state: AslState | undefined): Retrier | undefined {
  return state?.Retry?.find((r) => r.ErrorEquals.some((e) => /(NotReady|Pending)Error$/.test(e)));
}

/**
 * The model for one execution that started at `since`: the emulator's landings and the durations of
 * the Wait states whose seconds come from the execution (`SecondsPath`: the rotation's grace period,
 * from the document).
 */
export function awsTimeModel(landings: () => readonly Landing[], gatewayName: string, waitSeconds: Record<string, number>, since = 0): AwsTimeModel {
  return {
    waitMs(line) {
      if (line.endedAt === undefined || line.path.length) return undefined;
      const state = statesOf(line.execution).get(line.name);
      if (line.type === 'Wait') {
        const seconds = waitStateSeconds(line, waitSeconds);
        return seconds === undefined ? undefined : seconds * 1000;
      }
      if (!SERVICE_WAIT.test(line.name)) return undefined;
      const target = /Target/.test(line.name) ? line.item : undefined;
      const landed = landings()
        .filter((l) => l.gatewayName === gatewayName && (target ? l.kind === 'target' && l.targetName === target : l.kind === 'gateway'))
        // Requested in this execution before the step began, and landed by the time it ended: at high
        // speed a create may land before its Await step even starts (the step's own local work outlasts
        // it). What the step requested itself it did not wait for: a Delete step whose own delete landed
        // before it returned (a slow step at ×400) would count the deletion twice, here and in its Await.
        .filter((l) => l.requestedAt >= since && l.requestedAt < line.startedAt && l.at <= line.endedAt!)
        .at(-1);
      const retrier = retrierOf(state);
      if (!landed || !retrier) return undefined;
      return pollTimesMs(retrier).find((t) => t >= landed.serviceMs) ?? landed.serviceMs;
    },
  };
}

/**
 * How long an execution that ran from `span.startedAt` to `span.endedAt` here would take against
 * AWS: a clock that runs as the wall clock does, except that a modeled wait ends its length after
 * the moment it began, and what follows a wait starts after it ended (later steps, and the steps of a
 * Map branch started when a sibling's finished). Parallel waits overlap as they did here.
 *
 * @example
 * awsTimeMs({ startedAt: 0, endedAt: 100 }, [awaitLine /* 10–90, modeled 21_500 *\/], model) // 21_520
 */
export function awsTimeMs(span: { startedAt: number; endedAt: number }, lines: readonly StepLine[], model: AwsTimeModel): number {
  const waits = lines
    .map((line) => ({ line, ms: model.waitMs(line) }))
    .filter((w): w is { line: StepLine & { endedAt: number }; ms: number } => w.ms !== undefined && w.line.endedAt !== undefined)
    .sort((a, b) => a.line.startedAt - b.line.startedAt);
  const ends: Array<{ wall: number; aws: number }> = [];
  /** The AWS time of a wall-clock moment: after every wait that ended by then, plus the local work since. */
  const awsAt = (wall: number) => ends.reduce((aws, e) => (e.wall <= wall ? Math.max(aws, e.aws + (wall - e.wall)) : aws), wall - span.startedAt);
  for (const { line, ms } of waits) ends.push({ wall: line.endedAt, aws: awsAt(line.startedAt) + ms });
  return Math.round(awsAt(span.endedAt));
}
