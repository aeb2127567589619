import { mkdirSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';
import { DEFAULT_DELAYS } from '../../emulators/agentcore';
import { captureFunctionOutput } from '../../emulators/world/function-output';
import type { AnyWorld } from '../../emulators/world';
import { DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../../functions/core/desired/cimd-publish';
import { parseDesiredStateText } from '../../functions/core/desired/load';
import { buildBundles } from '../../scripts/bundles';
import { fromPackageRoot } from '../../scripts/package-root';
import { styleFor } from '../format';
import { EXIT, UsageError, type CliIo } from '../io';
import { loadConfig } from '../load-config';
import { seconds } from '../rehearse/progress';
import { renderResult } from '../rehearse/render';
import { FAULTS, rehearse, type Fault, type RehearsalResult } from '../rehearse/scenario';
import { LiveView } from '../rehearse/view';

/**
 * The built-in example, keygate's own examples/seed.yaml wherever keygate runs from: relative to the
 * cwd below the package root (`npm start` prints "examples/seed.yaml"), absolute elsewhere. A
 * `--config` path the user gives stays relative to the cwd.
 */
export function defaultConfig(cwd: string = process.cwd()): string {
  const file = fromPackageRoot('examples', 'seed.yaml');
  const below = relative(cwd, file);
  return below && !below.startsWith('..') && !isAbsolute(below) ? below : file;
}

/**
 * The default time scale: every emulated service delay and state-machine wait runs this many times
 * faster. The run's service time is about 7 minutes (gateway 20 s, target 30 s, the rotation's 300 s
 * grace period, updates and deletes), so ×20 takes about 20 s of waits plus the local work (see README).
 */
export const DEFAULT_SPEED = 20;
const MAX_SPEED = 2000;

export interface RehearseOptions {
  config?: string;
  speed?: string;
  fault?: string;
  keycloak?: string;
  /** With --keycloak real: where the login phase saves the login and consent pages (default: a new temporary directory, kept and named). */
  screenshots?: string;
  json?: boolean;
}

/** Exit status after a signal, as a shell reports it (128 + the signal's number). */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * `keygate rehearse [--config FILE] [--speed N] [--fault KIND] [--json]`: the whole control plane on
 * this machine (cli/rehearse/scenario.ts), with a live view of every step, then the results. Exit 0
 * when every phase succeeded and everything started was cleaned up, 1 otherwise, 130/143 after
 * Ctrl-C / SIGTERM (cleaned up as well).
 */
export async function rehearseCommand(io: CliIo, opts: RehearseOptions): Promise<number> {
  const config = opts.config ?? defaultConfig();
  const speed = speedOf(opts.speed);
  const fault = faultOf(opts.fault);
  const keycloak = keycloakOf(opts.keycloak);
  if (opts.screenshots !== undefined && keycloak !== 'real') throw new UsageError('--screenshots goes with --keycloak real: only a real Keycloak has a login page (the login phase)');
  if (opts.screenshots !== undefined) mkdirSync(opts.screenshots, { recursive: true });
  // The local world's Keycloak host has the template's default publish directory.
  const { desired } = loadConfig(io, config, { requireClean: true, cimdPublishDirectory: DEFAULT_CIMD_PUBLISH_DIRECTORY });
  const document = parseDesiredStateText(io.readFile(config), config).value as Record<string, any>;
  const style = styleFor(io.isTTY && !opts.json, io.env);
  // The functions run as deployed: their bundles as `sam build` makes them, rebuilt here if out of date.
  const bundles = await buildBundles();
  if (bundles.built.length) io.stderr(`keygate rehearse: bundled ${bundles.built.length} function(s) as sam build does (${seconds(bundles.ms)})\n`);
  // With --json, stdout carries the one JSON object; the progress goes to stderr as plain lines.
  const view = new LiveView({
    write: opts.json ? io.stderr : io.stdout,
    tty: io.isTTY && !opts.json,
    ...(io.columns ? { columns: io.columns } : {}),
    style,
    gatewayName: desired.gateway.name,
    waits: { 'Wait Grace Period': desired.resourcePolicy?.rotationGracePeriodSeconds ?? 300 },
  });
  (opts.json ? io.stderr : io.stdout)(
    `${style.bold('keygate rehearse')} ${config} at speed ×${speed}: gateway READY after ${seconds(DEFAULT_DELAYS.gatewayCreate / speed)}, a target after ${seconds(DEFAULT_DELAYS.targetCreate / speed)} ` +
      `(${seconds(DEFAULT_DELAYS.gatewayCreate)} and ${seconds(DEFAULT_DELAYS.targetCreate)} in AWS)${fault ? `; fault: ${FAULTS[fault]}` : ''}` +
      `${keycloak === 'real' ? '; Keycloak: a real 26.7.3 on loopback (the first run installs it with Maven: a few minutes)' : ''}\n`,
  );

  const trap = trapSignals(io, 'rehearse', view);
  const logLines: Array<Record<string, any>> = [];
  let result: RehearsalResult;
  try {
    const progress = (message: string) => (opts.json ? io.stderr : io.stdout)(`${style.dim(message)}\n`);
    result = await captureFunctionOutput(logLines, () => rehearse({ document, desired, config, speed, ...(fault ? { fault } : {}), keycloak, ...(opts.screenshots !== undefined ? { screenshotDirectory: opts.screenshots } : {}), progress, signal: trap.signal, view }));
  } finally {
    view.stop();
    trap.release();
  }
  const signal = trap.received();
  // Secrets live in the emulated Parameter Store only: not in the functions' logs, not in the output.
  const secrets = view.world ? secretsOf(view.world) : [];
  const logs = logLines.map((l) => JSON.stringify(l)).join('\n');
  result.secrets = { values: secrets.length, functionLogLines: logLines.length, leaked: secrets.filter((s) => logs.includes(s)).length };
  const code = signal ? SIGNAL_EXIT[signal]! : result.outcome === 'succeeded' ? EXIT.ok : EXIT.findings;
  // `ok` as in every --json output (README, "JSON output"): true exactly when the exit is 0.
  const ok = code === EXIT.ok && result.secrets.leaked === 0;
  let text = opts.json ? `${JSON.stringify(withOk(result, ok), null, 2)}\n` : renderResult(result, style);
  const leaked = secrets.filter((s) => text.includes(s) || logs.includes(s));
  for (const s of secrets) text = text.split(s).join('[redacted]');
  if (leaked.length && opts.json) text = text.replace('"ok": true', '"ok": false');
  io.stdout(text);
  if (leaked.length) {
    io.stderr(`keygate rehearse: internal error: ${leaked.length} secret value(s) reached the output or the functions' logs (redacted above); please report it\n`);
    return EXIT.internal;
  }
  return code;
}

/**
 * Ctrl-C and SIGTERM for a command that runs the local world (rehearse, world): the first stops the
 * running execution and lets the cleanup run; a second quits at once. If the process ends before the
 * cleanup ran (that second Ctrl-C, a crash), the servers end with it, the temporary directories would
 * not: they are removed on exit (the world's, and `extraDirs()`).
 */
export function trapSignals(io: CliIo, command: string, view: LiveView, extraDirs: () => string[] = () => []): { signal: AbortSignal; received(): string | undefined; release(): void } {
  const controller = new AbortController();
  let received: string | undefined;
  const onSignal = (name: string) => () => {
    if (received) process.exit(SIGNAL_EXIT[name]); // a second Ctrl-C: stop waiting for the cleanup
    received = name;
    io.stderr(`\nkeygate ${command}: ${name}: stopping ${command === 'world' ? 'the local world' : 'the running execution'} and cleaning up (Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  const onExit = () => {
    for (const dir of [...(view.world ? [view.world.hostRoot, dirname(view.world.ssm.fakeBin)] : []), ...extraDirs()]) rmSync(dir, { recursive: true, force: true });
  };
  const handlers = [...Object.keys(SIGNAL_EXIT).map((name) => [name, onSignal(name)] as const), ['exit', onExit] as const];
  for (const [name, handler] of handlers) process.on(name, handler);
  return { signal: controller.signal, received: () => received, release: () => void handlers.forEach(([name, handler]) => process.off(name, handler)) };
}

/** `format` and `ok` first, then the rest of the result. */
const withOk = ({ format, ...rest }: RehearsalResult, ok: boolean) => ({ format, ok, ...rest });

const secretsOf = (world: AnyWorld) => [world.secrets.admin, world.secrets.canary, ...Object.values(world.secrets.users)].filter((s) => s.length >= 8);

export function speedOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SPEED;
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed < 1 || speed > MAX_SPEED) {
    throw new UsageError(`--speed must be a number from 1 (as slow as AWS: gateway 20 s, target 30 s) to ${MAX_SPEED}, not "${value}" (default ${DEFAULT_SPEED})`);
  }
  return speed;
}

function keycloakOf(value: string | undefined): 'stand-in' | 'real' {
  if (value === undefined || value === 'stand-in' || value === 'real') return value ?? 'stand-in';
  throw new UsageError(`--keycloak must be stand-in (the default: the fast admin stand-in) or real (a real Keycloak 26.7.3 on loopback), not "${value}"`);
}

function faultOf(value: string | undefined): Fault | undefined {
  if (value === undefined) return undefined;
  // Own keys only: `in` would accept what every object inherits (constructor, toString, …).
  if (Object.hasOwn(FAULTS, value)) return value as Fault;
  throw new UsageError(`--fault must be one of ${Object.keys(FAULTS).join(', ')}, not "${value}"`);
}
