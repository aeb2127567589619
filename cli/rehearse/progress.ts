import type { EventLog } from '../../emulators/stepfunctions';
import type { AnyWorld } from '../../emulators/world';
import { causeText } from '../../functions/core/drift/metrics';
import { awsTimeModel, waitStateSeconds, type AwsTimeModel } from './aws-time';

/** A step's state as the progress view shows it. */
export type StepState = 'running' | 'waiting' | 'done' | 'failed' | 'stopped';

/** One line of the progress view: a Task or Wait state of an execution (Map items and nested executions included). */
export interface StepLine {
  key: string;
  /** The execution it belongs to, e.g. `provision`. */
  execution: string;
  /** The state's name. */
  name: string;
  /** The Map item it works on (a target's name), when it runs in a Map. */
  item?: string;
  /** The Tasks whose nested executions it runs in (`['Reconcile Keycloak Realm']`). */
  path: readonly string[];
  type: 'Task' | 'Wait';
  state: StepState;
  startedAt: number;
  endedAt?: number;
  /** How often the Task was retried: each retry is one more poll of something not ready yet. */
  polls: number;
  /** What it waits for, or what it did. */
  detail?: string;
  /** The error it failed with (the last one, while it is retried). */
  error?: { name: string; cause: string };
  /** The state's output when it ended (its ResultPath part is what the step produced). */
  output?: unknown;
  /** The SSM command an Await … Command step polls (from its input), so parallel commands are not mixed up. */
  commandId?: string;
}

/** What a step is waiting for right now (or what it ended with), from the emulators' state. */
export type Probe = (line: StepLine, now: number) => string | undefined;

/**
 * Turns the runner's live event log into one line per step: entered → running, retried → waiting
 * (one more poll), exited → done, caught or failed at the end → failed. A step entered again (the
 * drift machine observes twice in repair mode) gets a second line.
 *
 * @example
 * const tracker = new StepTracker('provision', (line) => render(line));
 * await world.run('provision', { overrides: { onEvent: (e, path) => tracker.onEvent(e, path) } });
 */
export class StepTracker {
  readonly lines: StepLine[] = [];
  private readonly active = new Map<string, StepLine>();
  /** Lines whose last event was a failure no retry followed (a retried poll is not a failure). */
  private readonly failing = new Set<string>();
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly execution: string,
    private readonly changed: (line: StepLine) => void,
    private readonly probe: Probe = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  onEvent(event: EventLog, path: readonly string[]): void {
    if (event.type === 'ExecutionFailed' || event.type === 'ExecutionAborted') return this.stopAll(path, event.type === 'ExecutionAborted', (event as { Error?: unknown }).Error);
    const state = event.state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
    if (!state || (state.type !== 'Task' && state.type !== 'Wait')) return;
    const base = [...path, state.name, event.index ?? ''].join('\u0000');
    if (event.type === 'StateEntered') {
      const n = (this.entries.get(base) ?? 0) + 1;
      this.entries.set(base, n);
      const item = itemOf(state.input, event.index);
      const commandId = commandIdOf(state.name, state.input);
      const line: StepLine = { key: `${base}\u0000${n}`, execution: this.execution, name: state.name, path, type: state.type, state: state.type === 'Wait' ? 'waiting' : 'running', startedAt: this.now(), polls: 0, ...(item ? { item } : {}), ...(commandId ? { commandId } : {}) };
      this.lines.push(line);
      this.active.set(base, line);
      return this.update(line);
    }
    const line = this.active.get(base);
    if (!line) return;
    if (event.type === 'StateRetried') {
      this.failing.delete(line.key);
      line.polls += 1;
      line.state = 'waiting';
      return this.update(line);
    }
    if (event.type === 'StateFailed') {
      const e = event as unknown as { Error?: string; Cause?: unknown };
      line.error = { name: String(e.Error ?? 'Error'), cause: typeof e.Cause === 'string' ? e.Cause : JSON.stringify(e.Cause ?? '') };
      this.failing.add(line.key);
      return;
    }
    if (event.type === 'StateCaught') {
      line.state = 'failed';
      return;
    }
    if (event.type === 'StateExited') {
      this.active.delete(base);
      if (line.state !== 'failed') {
        line.state = 'done';
        delete line.error;
      }
      line.endedAt = this.now();
      line.output = state.output;
      line.detail = this.probe(line, line.endedAt) ?? line.detail;
      this.changed(line);
    }
  }

  /** Lines still running (in the order they started). */
  running(): StepLine[] {
    return this.lines.filter((l) => l.endedAt === undefined);
  }

  /** The step a failed execution failed in: the innermost line that ended failed with an error. */
  failedStep(): StepLine | undefined {
    const failed = this.lines.filter((l) => l.state === 'failed' && l.error);
    return failed.sort((a, b) => b.path.length - a.path.length)[0];
  }

  private update(line: StepLine): void {
    line.detail = this.probe(line, this.now()) ?? line.detail;
    this.changed(line);
  }

  /**
   * The execution (or the nested one at `path`) ended without finishing these steps: the one whose
   * failure ended it failed; the others (a Map branch still polling a healthy target when a sibling
   * failed, every step of an aborted run) were stopped.
   */
  private stopAll(path: readonly string[], aborted: boolean, error?: unknown): void {
    for (const line of this.lines) {
      if (line.endedAt !== undefined || !startsWith(line.path, path)) continue;
      // A branch whose not-ready poll failed just before the end is no failure: its error is not the execution's.
      const failedIt = this.failing.has(line.key) && (error === undefined || line.error?.name === error);
      line.state = failedIt && !aborted ? 'failed' : 'stopped';
      line.endedAt = this.now();
      line.detail = this.probe(line, line.endedAt) ?? line.detail;
      this.changed(line);
    }
  }
}

const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.every((p, i) => path[i] === p);

/** The Map item a state works on: the target's name for the target steps, else its position. */
function itemOf(input: unknown, index: number | undefined): string | undefined {
  const target = (input as { target?: { name?: unknown } } | null)?.target;
  if (typeof target?.name === 'string') return target.name;
  return index === undefined ? undefined : `#${index + 1}`;
}

/**
 * The SSM command id an `Await X Command` step polls: the one its `Send X Command` step stored at
 * `$.xCommand` (`observeCommand`, `applyCommand`). Steps named otherwise fall back to the newest command.
 */
function commandIdOf(name: string, input: unknown): string | undefined {
  const key = /^Await (\w+) Command$/.exec(name)?.[1];
  if (!key || !input || typeof input !== 'object') return undefined;
  const id = ((input as Record<string, unknown>)[`${key.toLowerCase()}Command`] as { commandId?: unknown } | undefined)?.commandId;
  return typeof id === 'string' ? id : undefined;
}

/** A step's name as one line shows it: nested executions before it, the Map item after it. */
export const stepLabel = (line: StepLine) => `${[...line.path, line.name].join(' › ')}${line.item ? ` [${line.item}]` : ''}`;

/** Seconds, as a person reads them: 0.4 s, 12 s, 5 min 3 s. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${m} min ${rest} s` : `${m} min`;
}

/**
 * What a step is waiting for, read from the emulators: the gateway's or target's status and how long
 * it has had it (service time: the emulators run `speed` times faster than AWS), the SSM command's
 * status, the grace period's progress. When the step has ended, what it ended with.
 *
 * @example
 * worldProbe(world, 'mcp-gateway-keycloak-demo', { 'Wait Grace Period': 300 })(line, Date.now()) // 'gateway mcp-gateway-keycloak-demo: CREATING (4 s)'
 */
export function worldProbe(world: AnyWorld, gatewayName: string, waits: Record<string, number> = {}, model: AwsTimeModel = awsTimeModel(() => world.agentcore.landings(), gatewayName, waits)): Probe {
  const speed = world.speed;
  const service = (ms: number) => seconds(Math.max(0, ms) * speed);
  return (line, now) => {
    const ended = line.endedAt !== undefined;
    // A finished wait on the service takes what it would against AWS (aws-time.ts), whatever the speed.
    const modeled = ended ? model.waitMs(line) : undefined;
    // One that did not wait on the service (it was settled already) took what it took here.
    const took = modeled !== undefined ? seconds(modeled) : ended && line.type !== 'Wait' ? seconds(line.endedAt! - line.startedAt) : service((line.endedAt ?? now) - line.startedAt);
    const polls = line.polls ? `, ${line.polls} poll${line.polls === 1 ? '' : 's'}` : '';
    if (line.type === 'Wait') {
      const total = waitStateSeconds(line, waits);
      return ended ? `waited ${took}` : `${took}${total ? ` of ${seconds(total * 1000)}` : ''}`;
    }
    if (/^(Await|Delete) .*Gateway Target/.test(line.name) && line.item && !line.item.startsWith('#')) {
      const gateway = world.agentcore.state().gateways.find((g) => g.name === gatewayName);
      const target = gateway?.targets.find((t) => t.name === line.item);
      const status = target ? target.status : 'deleted';
      if (line.state === 'stopped') return `target ${line.item}: ${status} when the run stopped`;
      if (ended) return `target ${line.item}: ${status} after ${took}${polls}`;
      return `target ${line.item}: ${status}${target ? ` (${service(now - Date.parse(String(target.updatedAt)))})` : ''}`;
    }
    if (/^Await .*Gateway/.test(line.name)) {
      const gateway = world.agentcore.state().gateways.find((g) => g.name === gatewayName);
      const status = gateway ? gateway.status : 'deleted';
      if (line.state === 'stopped') return `gateway ${gatewayName}: ${status} when the run stopped`;
      if (ended) return `gateway ${gatewayName}: ${status} after ${took}${polls}`;
      return `gateway ${gatewayName}: ${status}${gateway ? ` (${service(now - Date.parse(String(gateway.updatedAt)))})` : ''}`;
    }
    if (/^Await .*Command$/.test(line.name)) {
      const invocation = (line.commandId && world.ssm.invocations.get(line.commandId)) || [...world.ssm.invocations.values()].at(-1);
      if (!invocation) return undefined;
      // The command's script runs in real time at any speed: its time is the wall clock's.
      const since = invocation.startedAt?.getTime() ?? invocation.requestedAt.getTime();
      if (ended) return `SSM command on ${invocation.instanceId}: ${invocation.status} after ${seconds((line.endedAt ?? now) - line.startedAt)}${polls}`;
      return `SSM command on ${invocation.instanceId}: ${invocation.status} (${seconds(now - since)})`;
    }
    if (line.state === 'failed' && line.error) return errorLine(line.error);
    return resultOf(line);
  };
}

/** What a finished step produced, in a few words (its part of the state's output). */
function resultOf(line: StepLine): string | undefined {
  const out = (line.output ?? {}) as Record<string, any>;
  switch (line.name) {
    case 'Ensure Gateway':
    case 'Repair Gateway':
      return out.gateway?.action ? `gateway ${out.gateway.action}` : undefined;
    case 'Ensure Gateway Target':
    case 'Repair Gateway Target':
      return out.ensured?.action ? `target ${out.ensured.action}` : undefined;
    case 'Apply Resource Policy':
    case 'Repair Resource Policy': {
      const action = out.resourcePolicy?.action ?? out.resourcePolicyRepair?.action;
      return action ? `policy ${action}` : undefined;
    }
    case 'Reconcile Keycloak Realm':
    case 'Repair Keycloak Realm': {
      const realm = out.keycloak?.realm ?? out;
      return typeof realm?.outcome === 'string' ? `realm ${realm.outcome}${realm.changeCount ? `, ${realm.changeCount} change${realm.changeCount === 1 ? '' : 's'}` : ''}` : undefined;
    }
    case 'Publish CIMD Document':
    case 'Publish CIMD To S3':
    case 'Repair CIMD Document':
    case 'Repair CIMD In S3': {
      const outcome = out.cimd?.outcome ?? out.outcome;
      const reason = out.cimd?.reason ?? out.reason;
      return typeof outcome === 'string' ? `CIMD document ${outcome}${outcome === 'skipped' && reason ? `: ${reason}` : ''}` : undefined;
    }
    case 'Verify Chain': {
      const v = out.verification;
      if (!v?.outcome) return undefined;
      if (v.outcome === 'skipped') return `skipped: ${v.reason}`;
      return `chain ${String(v.outcome).toUpperCase()}: ${v.summary.pass} passed, ${v.summary.fail} failed, ${v.summary.warn} warnings, ${v.summary.skip} skipped`;
    }
    case 'Merge Drift Report': {
      const r = out.merged?.report;
      return r ? `${r.outcome}: ${r.counts.drift} drift item${r.counts.drift === 1 ? '' : 's'}` : undefined;
    }
    default:
      return undefined;
  }
}

/** A failed step's error in one line: its name and the first line of its cause, cut. */
export function errorLine(error: { name: string; cause: string }): string {
  const lines = causeText(error.cause).split('\n').map((l) => l.trim()).filter(Boolean);
  // "… failed verification (1 check):" says more with the check it announces.
  const first = lines[0]?.endsWith(':') && lines[1] ? `${lines[0]} ${lines[1]}` : (lines[0] ?? '');
  const text = `${error.name}: ${first}`;
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}
