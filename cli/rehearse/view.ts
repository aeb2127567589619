import type { AnyWorld } from '../../emulators/world';
import type { Style } from '../format';
import { seconds, stepLabel, worldProbe, type Probe, type StepLine } from './progress';
import type { PhaseName, PhaseResult, RehearsalView } from './scenario';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const LABEL_WIDTH = 52;

export interface LiveViewOptions {
  write(text: string): void;
  /** Redraw the running steps in place (a terminal), or append plain lines (a log, a pipe). */
  tty: boolean;
  columns?: number;
  style: Style;
  gatewayName: string;
  /** Durations of the Wait states, in seconds, for "120 s of 300 s". */
  waits: Record<string, number>;
}

/**
 * The live progress view: one line per step with its state, elapsed wall time and what it is waiting
 * for. On a terminal the running steps are redrawn in place every 100 ms under the finished ones; on
 * anything else each step is one appended line when it ends (and one when it starts waiting).
 */
export class LiveView implements RehearsalView {
  private readonly running = new Map<string, StepLine>();
  private readonly announced = new Set<string>();
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private probe: Probe = () => undefined;
  /** The world the rehearsal runs in, once started. */
  world: AnyWorld | undefined;

  constructor(private readonly o: LiveViewOptions) {}

  started(world: AnyWorld): void {
    this.world = world;
    this.probe = worldProbe(world, this.o.gatewayName, this.o.waits);
    const s = this.o.style;
    const chain = world.chain;
    const port = (url: string) => new URL(url).port;
    this.print(
      s.dim(
        `  local world on 127.0.0.1: AgentCore :${port(world.agentcore.url)}, SSM :${port(world.ssm.endpoint)} (host executor), Keycloak admin :${port(world.keycloak.url)}, S3 :${port(world.s3.endpoint)}, ` +
          `Step Functions :${port(world.stepfunctions.endpoint)}, DynamoDB :${port(world.dynamodb.endpoint)}, SNS :${port(world.sns.endpoint)}` +
          (chain ? `; peers: realm (${chain.op ? 'oidc-provider' : 'Keycloak'}) :${port(chain.realmUrl)}, gateway (MCP SDK) :${port(chain.gateway.url)}${chain.cimd ? `, CIMD host :${port(chain.cimd.url)}` : ''}` : ''),
      ),
    );
    if (chain) {
      // The MCP servers behind the targets are emulated: say which tools they serve, and which are stand-ins.
      const servers = chain.tools.map((t) => `${t.target} (${t.tools.map((x) => `${x.name}${x.origin === 'stand-in' ? '*' : ''}`).join(', ')})`);
      const standIns = chain.tools.some((t) => t.tools.some((x) => x.origin === 'stand-in'));
      this.print(s.dim(`  emulated MCP servers: ${servers.join('; ')}${standIns ? '; * a stand-in for a tool the document names, answering its toolCalls\' expectText' : ''}`));
    }
    if (this.o.tty) {
      this.timer = setInterval(() => this.redraw(), 100);
      this.timer.unref();
    }
  }

  phaseStarted(_name: PhaseName, title: string): void {
    this.print(`\n${this.o.style.bold(title)}`);
  }

  stepChanged(line: StepLine): void {
    if (line.endedAt !== undefined) {
      this.running.delete(line.key);
      this.print(this.format(line));
      return;
    }
    this.running.set(line.key, line);
    if (!this.o.tty && line.state === 'waiting' && !this.announced.has(line.key)) {
      this.announced.add(line.key);
      this.print(this.format(line));
    }
  }

  phaseEnded(result: PhaseResult): void {
    this.running.clear();
    const s = this.o.style;
    const time = `${seconds(result.wallMs)}${result.emulatedMs ? ` (${seconds(result.emulatedMs)} against AWS)` : ''}`;
    const counts = result.executions.length ? ` · ${plural(result.counts.stateTransitions, 'state transition')} · ${plural(result.counts.apiCalls, 'API call')} · ${plural(result.counts.ssmCommands, 'SSM command')}` : '';
    const verdict = result.status === 'succeeded' ? s.green('succeeded') : result.status === 'failed' ? s.red('FAILED') : s.yellow(result.status);
    this.print(`  → ${verdict} in ${time}${counts}`);
    for (const c of result.checks) {
      if (c.status === 'not run') this.print(`    ${s.dim(`– ${c.what}: not run (${c.detail})`)}`);
      else this.print(`    ${c.status === 'passed' ? s.green('✓') : s.red('✗')} ${c.what}${c.status === 'passed' ? '' : `: ${c.detail}`}`);
    }
    if (result.note) this.print(`    ${s.dim(result.note)}`);
  }

  phaseSkipped(result: PhaseResult): void {
    this.print(`\n${this.o.style.bold(result.title)}`);
    this.print(`  → ${this.o.style.yellow('skipped')}: ${result.note ?? ''}`);
  }

  /** Stops redrawing and leaves the screen as it is. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private format(line: StepLine, now = Date.now()): string {
    const s = this.o.style;
    const mark =
      line.state === 'done' ? s.green(this.o.tty ? '✓' : 'done   ') :
      line.state === 'failed' ? s.red(this.o.tty ? '✗' : 'FAILED ') :
      line.state === 'stopped' ? s.yellow(this.o.tty ? '■' : 'stopped') :
      this.o.tty ? s.yellow(SPINNER[this.frame % SPINNER.length]!) : line.state.padEnd(7);
    const indent = '  '.repeat(line.path.length);
    const label = `${indent}${stepLabel(line)}`;
    const detail = line.endedAt === undefined ? (this.probe(line, now) ?? line.detail) : line.detail;
    const elapsed = seconds((line.endedAt ?? now) - line.startedAt).padStart(6);
    const text = `  ${mark} ${label.padEnd(LABEL_WIDTH)} ${elapsed}${detail ? `  ${line.state === 'failed' ? s.red(detail) : detail}` : ''}`;
    return this.o.tty ? fit(text, this.o.columns ?? 120) : text;
  }

  /** Prints finished output above the live region, then draws the region again. */
  private print(text: string): void {
    this.clear();
    this.o.write(`${text}\n`);
    this.draw();
  }

  private redraw(): void {
    this.frame += 1;
    this.clear();
    this.draw();
  }

  private draw(): void {
    if (!this.o.tty) return;
    const lines = [...this.running.values()].map((l) => this.format(l));
    if (lines.length) this.o.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  private clear(): void {
    if (!this.o.tty || !this.drawn) return;
    // Up to the first live line, then erase to the end of the screen.
    this.o.write(`\u001b[${this.drawn}F\u001b[J`);
    this.drawn = 0;
  }
}

/** Cuts a line to the terminal's width (escape sequences take no columns), so redrawing stays aligned. */
export function fit(text: string, columns: number): string {
  let visible = 0;
  let out = '';
  let styled = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\u001b') {
      const end = text.indexOf('m', i);
      out += text.slice(i, end + 1);
      i = end;
      styled = true;
      continue;
    }
    if (visible >= columns - 1) return styled ? `${out}\u001b[0m` : out;
    out += text[i];
    visible += 1;
  }
  return out;
}
