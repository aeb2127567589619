import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunResult } from '../../emulators/stepfunctions';
import type { KeycloakStandIn } from '../../emulators/keycloak';
import { loadAllDeployed } from '../../emulators/lambda';
import { parameterStoreEvent, startWorld, type AnyWorld, type KeycloakServerRef } from '../../emulators/world';
import { adminClient } from '../../scripts/keycloak/admin-client';
import { startKeycloakServer, type KeycloakServer } from '../../scripts/keycloak/server';
import { renderCimdDocument } from '../../functions/core/cimd/render-cimd';
import type { DesiredState } from '../../functions/core/desired/document';
import { causeText } from '../../functions/core/drift/metrics';
import type { DriftReport } from '../../functions/core/drift/report';
import { allowedVpcEndpointIds } from '../../functions/core/policy/compare-policy';
import type { Check as VerifyCheck, VerificationReport } from '../../functions/core/verify/report';
import { prepareKeycloakTrust } from '../../scripts/tls/keycloak-trust';
import { runLoginPhase, type LoginPhaseResult } from './login-phase';
import { driftInjections, itemKey, type DriftInjection } from './drift-injections';
import { GATEWAY_FAILED_ADVICE, GATEWAY_TARGET_FAILED_ADVICE } from '../../functions/core/errors/gateway';
import { awsTimeModel, awsTimeMs } from './aws-time';
import { StepTracker, stepLabel, worldProbe, type StepLine } from './progress';

/** Faults `--fault` injects, for tests and demonstrations of a failure. */
export const FAULTS = {
  'target-failed': 'the first target ends FAILED with status reasons (AgentCore cannot reach its MCP server)',
  'gateway-failed': 'the gateway ends FAILED with status reasons (AgentCore cannot fetch the discovery document)',
} as const;
export type Fault = keyof typeof FAULTS;

/** The phases, in order. */
export const PHASE_NAMES = ['start', 'provision', 'login', 'rotate', 'drift-report', 'drift-repair', 'teardown'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

/** The phases of a run: the login needs a real Keycloak (the stand-in has no login page), so only `--keycloak real` has it. */
export const phasesOf = (keycloak: 'stand-in' | 'real' | undefined): PhaseName[] => PHASE_NAMES.filter((p) => p !== 'login' || keycloak === 'real');

/**
 * Each phase's title, naming only what the document has: no "CIMD document" without one, no
 * verification when it is off, the drift injected where the document lets the rehearsal inject it.
 */
export function phaseTitles(desired: DesiredState, injections: readonly DriftInjection[] = driftInjections(desired)): Record<PhaseName, string> {
  const targets = desired.targets.length;
  const provisioned = [
    'gateway',
    `${targets} target${targets === 1 ? '' : 's'}`,
    ...(desired.resourcePolicy ? ['resource policy'] : []),
    'Keycloak realm',
    ...(desired.cimd?.publish ? ['CIMD document'] : []),
    ...(desired.verify.enabled ? ['verification'] : []),
  ];
  const areas = [...new Set(injections.map((i) => i.area))].map((a) => ({ aws: 'AWS', keycloak: 'Keycloak', cimd: 'the CIMD file' })[a]);
  const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
  return {
    start: 'Start the local world and the verification peers',
    provision: `Provision: ${provisioned.join(', ')}`,
    login: `Log in as ${desired.keycloak.realm.users[0]?.username ?? 'the realm\'s user'} with the MCP SDK client (CIMD, authorization code + PKCE) on Keycloak's login page in headless Chromium, and call the tools`,
    rotate: 'Rotate the resource policy to a new VPC endpoint',
    'drift-report': `Drift detection in report mode (drift injected in ${list(areas)})`,
    'drift-repair': 'Drift detection in repair mode',
    teardown: 'Teardown',
  };
}

export interface ExecutionSummary {
  machine: string;
  name: string;
  status: RunResult['status'];
  transitions: number;
  invocations: number;
  wallMs: number;
  /** How long it would take against AWS, the same at any speed (aws-time.ts). */
  serviceMs: number;
  error?: string;
}

export interface Check {
  what: string;
  /** False only when it failed: a check that did not run is not a failure (nor a pass). */
  ok: boolean;
  status: 'passed' | 'failed' | 'not run';
  detail: string;
}

/** A check that ran, passed or failed. */
const check = (what: string, ok: boolean, detail: string): Check => ({ what, ok, status: ok ? 'passed' : 'failed', detail });
/** A check that did not run, and why (shown without a tick). */
const notRun = (what: string, why: string): Check => ({ what, ok: true, status: 'not run', detail: why });

/** Which step failed, why (the error and its cause) and what to do. */
export interface Failure {
  phase: PhaseName;
  step: string;
  error: string;
  why: string;
  fix: string;
}

export interface PhaseResult {
  name: PhaseName;
  title: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'interrupted';
  wallMs: number;
  /** How long its executions would take against AWS: their waits on the emulated services at speed 1. */
  emulatedMs: number;
  executions: ExecutionSummary[];
  /** What the rehearsal checked after the phase, against the emulators' state. */
  checks: Check[];
  counts: { apiCalls: number; ssmCommands: number; stateTransitions: number; verificationRequests: number };
  failure?: Failure;
  note?: string;
}

export interface RehearsalResult {
  format: 'keygate.rehearsal/1';
  config: string;
  speed: number;
  fault: Fault | null;
  outcome: 'succeeded' | 'failed' | 'interrupted';
  phases: PhaseResult[];
  failure?: Failure;
  provisioned?: { gatewayId: string; gatewayUrl: string; targets: Array<{ name: string; targetId: string }>; resourcePolicyAllows: string[]; realm: { outcome: string; created: Record<string, number> }; cimd: string | null };
  verification?: VerificationReport;
  rotation?: { from: string; to: string; gracePeriodSeconds: number; policies: string[][] };
  drift?: {
    injected: Array<{ area: string; description: string; resource: string; field: string }>;
    found: Array<{ resource: string; field: string }>;
    foundEqualsInjected: boolean;
    reportModeWrites: number;
    reportModeVerification: { outcome: string; failedChecks: string[]; expectedFailedChecks: string[] };
    repairConverged: boolean;
    report?: DriftReport;
    repairReport?: DriftReport;
  };
  teardown?: { leftovers: string[]; keptByDesign: string[] };
  /** The login phase (`--keycloak real`): who logged in as which client, the screenshots (kept), the checks, the requests. */
  login?: LoginPhaseResult;
  /** Which Keycloak the realm steps ran against; for a real one its version and start time (when the rehearsal started it). */
  keycloak: { kind: 'stand-in' } | { kind: 'real'; version: string; startMs?: number };
  counts: {
    apiCalls: Record<string, number>;
    apiCallsTotal: number;
    stateTransitions: number;
    executions: number;
    lambdaInvocations: number;
    ssmCommands: number;
    verificationRequests: number;
    resourcesCreated: Record<string, number>;
  };
  time: { wallMs: number; emulatedMs: number };
  cleanup: { servers: string[]; temporaryDirectories: string[]; leftovers: string[] };
  /** The world's secret values, looked for in the functions' log lines (and, by the command, in the output). */
  secrets?: { values: number; functionLogLines: number; leaked: number };
}

/** What the live view is told. */
export interface RehearsalView {
  started(world: AnyWorld): void;
  phaseStarted(name: PhaseName, title: string): void;
  stepChanged(line: StepLine): void;
  phaseEnded(result: PhaseResult): void;
  /** A phase the document gives nothing to do (its note says why). */
  phaseSkipped(result: PhaseResult): void;
}

export interface RehearsalOptions {
  /** The raw document (as parsed from the file) and its validated form. */
  document: Record<string, any>;
  desired: DesiredState;
  config: string;
  speed: number;
  fault?: Fault;
  /**
   * `real`: the realm steps run against a real Keycloak 26.7.3 (scripts/keycloak/server.ts: installed
   * into .aws-sam/keygate on the first run, started on loopback, stopped at the end) instead of the stand-in,
   * and verification gets its tokens from it. `keycloakServer` is one already running (the tests' own).
   */
  keycloak?: 'stand-in' | 'real';
  keycloakServer?: KeycloakServerRef & { version: string; tls?: { caCertFile: string; caKeyFile: string } };
  /** Where the login phase saves its screenshots (default: a new directory under the temporary directory, kept and named). */
  screenshotDirectory?: string;
  /** Where installation progress goes (the first `real` run fetches and builds Keycloak). */
  progress?: (message: string) => void;
  /** Ctrl-C: stops the running execution, skips the rest, cleans up. */
  signal?: AbortSignal;
  view: RehearsalView;
  /**
   * `keygate world`: after provisioning succeeded, instead of the other phases, this runs with the
   * provisioned world (it resolves when the world may go: on Ctrl-C); then the cleanup as always.
   */
  keep?: (world: AnyWorld) => Promise<void>;
}

/** The new endpoint the network stack "replaces" the old one with. */
export const NEW_VPC_ENDPOINT = 'vpce-0b1c2d3e4f5a60719';

/**
 * The whole control plane on one machine: the local world (emulators/world) with the verification
 * peers, then the real state machines with the real handlers and SDK clients: provision → rotation
 * after a VPC endpoint change → drift injected, reported, repaired → teardown; then every server
 * closed and every temporary directory removed, also after a failure or Ctrl-C.
 *
 * @example
 * const result = await rehearse({ document, desired, config: 'examples/seed.yaml', speed: 20, view });
 * result.outcome // 'succeeded'
 */
export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const began = Date.now();
  const result: RehearsalResult = {
    format: 'keygate.rehearsal/1',
    config: options.config,
    speed: options.speed,
    fault: options.fault ?? null,
    outcome: 'succeeded',
    phases: [],
    counts: { apiCalls: {}, apiCallsTotal: 0, stateTransitions: 0, executions: 0, lambdaInvocations: 0, ssmCommands: 0, verificationRequests: 0, resourcesCreated: {} },
    time: { wallMs: 0, emulatedMs: 0 },
    cleanup: { servers: [], temporaryDirectories: [], leftovers: [] },
    keycloak: { kind: 'stand-in' },
  };
  let world: AnyWorld | undefined;
  let ownKeycloak: KeycloakServer | undefined;
  let trustDirectory: string | undefined;
  const run = new Runner(options, result);
  try {
    await run.phase('start', async () => {
      // A Keycloak of its own trusts the run's CA (the login phase's CIMD host over HTTPS) and resolves the document's names to loopback.
      const own = async () => {
        trustDirectory = mkdtempSync(join(tmpdir(), 'keygate-rehearsal-trust-'));
        const trust = prepareKeycloakTrust(trustDirectory);
        ownKeycloak = await startKeycloakServer({ progress: options.progress ?? (() => undefined), ...trust.serverOptions });
        return { ...ownKeycloak, tls: { caCertFile: trust.caCertFile, caKeyFile: trust.caKeyFile } };
      };
      const real = options.keycloak === 'real' ? (options.keycloakServer ?? (await own())) : undefined;
      run.keycloak = real;
      if (real) result.keycloak = { kind: 'real', version: real.version, ...(ownKeycloak ? { startMs: ownKeycloak.timings.startMs } : {}) };
      // Kept at once: whatever happens next (a failed check, Ctrl-C), the world is closed below.
      const w = (world = real
        ? await startWorld({ document: options.document, speed: options.speed, peers: true, keycloakServer: real })
        : await startWorld({ document: options.document, speed: options.speed, peers: true }));
      // Warm, as a deployed stack's functions would be after their first run: a first load inside an
      // execution would count ×speed in its time against AWS.
      loadAllDeployed();
      result.cleanup.servers = [...serversOf(w), ...(ownKeycloak ? [ownKeycloak.url, ownKeycloak.managementUrl] : [])];
      result.cleanup.temporaryDirectories = [w.hostRoot, dirname(w.ssm.fakeBin), ...(trustDirectory ? [trustDirectory] : [])];
      options.view.started(w);
      if (options.fault) injectFault(w, options.desired, options.fault);
      return { value: w, checks: [] };
    });
    if (world && !run.stopped) await run.scenario(world);
  } finally {
    if (world) {
      result.counts = { ...result.counts, ...countsOf(world, result) };
      await world.close();
    }
    await ownKeycloak?.stop();
    if (trustDirectory) rmSync(trustDirectory, { recursive: true, force: true });
    if (world) result.cleanup.leftovers = await leftoversOf(result.cleanup);
    const failed = result.phases.find((p) => p.status === 'failed');
    for (const name of phasesOf(options.keycloak)) {
      if (!result.phases.some((p) => p.name === name)) result.phases.push(skipped(name, run.titles[name], options.signal?.aborted ? 'interrupted before it started' : `${failed?.name ?? 'an earlier phase'} failed`));
    }
    result.time = { wallMs: Date.now() - began, emulatedMs: result.phases.reduce((n, p) => n + p.emulatedMs, 0) };
    result.failure = result.phases.find((p) => p.failure)?.failure;
    result.outcome = options.signal?.aborted ? 'interrupted' : result.failure || result.cleanup.leftovers.length ? 'failed' : 'succeeded';
  }
  return result;
}

const skipped = (name: PhaseName, title: string, note: string): PhaseResult => ({
  name,
  title,
  status: 'skipped',
  wallMs: 0,
  emulatedMs: 0,
  executions: [],
  checks: [],
  counts: { apiCalls: 0, ssmCommands: 0, stateTransitions: 0, verificationRequests: 0 },
  note,
});

/** The phases, each with the executions it ran and what it checked. */
class Runner {
  private current?: PhaseResult;
  /** The real Keycloak of a `--keycloak real` run (the login phase logs in on it). */
  keycloak?: KeycloakServerRef & { version: string; tls?: { caCertFile: string; caKeyFile: string } };
  private failed = false;
  /** A phase failed or the run was interrupted: the rest is skipped. */
  get stopped(): boolean {
    return this.failed || Boolean(this.options.signal?.aborted);
  }
  private readonly executions = new Map<string, number>();
  readonly titles: Record<PhaseName, string>;
  /** The Wait states whose seconds come from the execution (aws-time.ts, the live view). */
  private readonly waits: Record<string, number>;

  constructor(
    private readonly options: RehearsalOptions,
    private readonly result: RehearsalResult,
  ) {
    this.titles = phaseTitles(options.desired);
    this.waits = { 'Wait Grace Period': options.desired.resourcePolicy?.rotationGracePeriodSeconds ?? 300 };
  }

  /** Runs one phase; returns its value, or undefined when it failed, was interrupted or was skipped. */
  async phase<T>(name: PhaseName, body: () => Promise<{ value: T; checks: Check[]; note?: string }>, world?: AnyWorld): Promise<T | undefined> {
    if (this.stopped) return undefined;
    const phase: PhaseResult = { ...skipped(name, this.titles[name], ''), status: 'succeeded' };
    delete phase.note;
    this.current = phase;
    const before = world ? snapshot(world) : undefined;
    const began = Date.now();
    this.options.view.phaseStarted(name, phase.title);
    let value: T | undefined;
    try {
      const out = await body();
      value = out.value;
      phase.checks = out.checks;
      if (out.note) phase.note = out.note;
      const broken = out.checks.find((c) => c.status === 'failed');
      if (broken && !phase.failure) {
        phase.failure = { phase: name, step: `check: ${broken.what}`, error: 'RehearsalCheckFailed', why: broken.detail, fix: 'keygate did not do what it must here: please report it with the output of "keygate rehearse --json"' };
      }
    } catch (error) {
      const e = error as Error;
      phase.failure ??= { phase: name, step: name === 'start' ? 'starting the local world' : 'rehearsal', error: e.name || 'Error', why: e.message, fix: fixFor(e.name) };
    }
    phase.wallMs = Date.now() - began;
    phase.emulatedMs = phase.executions.reduce((n, x) => n + x.serviceMs, 0);
    if (world && before) {
      const after = snapshot(world);
      phase.counts = {
        apiCalls: after.apiCalls - before.apiCalls,
        ssmCommands: after.ssmCommands - before.ssmCommands,
        stateTransitions: phase.executions.reduce((n, x) => n + x.transitions, 0),
        verificationRequests: after.verificationRequests - before.verificationRequests,
      };
    }
    if (this.options.signal?.aborted) phase.status = 'interrupted';
    else if (phase.failure) phase.status = 'failed';
    this.failed ||= phase.status !== 'succeeded';
    this.result.phases.push(phase);
    this.options.view.phaseEnded(phase);
    return phase.status === 'succeeded' ? value : undefined;
  }

  /** Runs statemachine/<machine>.asl.json in the world, with the live view following its steps. */
  async execute(world: AnyWorld, machine: string, input: unknown): Promise<{ run: RunResult; tracker: StepTracker }> {
    const phase = this.current!;
    const n = (this.executions.get(machine) ?? 0) + 1;
    this.executions.set(machine, n);
    const name = `${machine}-${n}`;
    const startedAt = Date.now();
    const model = awsTimeModel(() => world.agentcore.landings(), this.options.desired.gateway.name, this.waits, startedAt);
    const tracker = new StepTracker(machine, (line) => this.options.view.stepChanged(line), worldProbe(world, this.options.desired.gateway.name, this.waits, model));
    const run = await world.run(machine, {
      input,
      executionName: name,
      overrides: { onEvent: (event, path) => tracker.onEvent(event, path), ...(this.options.signal ? { signal: this.options.signal } : {}) },
    });
    phase.executions.push({
      machine,
      name,
      status: run.status,
      transitions: run.transitions,
      invocations: Object.values(run.invocations).reduce((a, b) => a + b, 0),
      wallMs: run.durationMs,
      serviceMs: awsTimeMs({ startedAt, endedAt: Math.max(Date.now(), ...tracker.lines.map((l) => l.endedAt ?? 0)) }, tracker.lines, model),
      ...(run.error ? { error: run.error } : {}),
    });
    return { run, tracker };
  }

  /** Records the failure of an execution that had to succeed: the step, the error and cause, the fix. */
  failedRun(run: RunResult, tracker: StepTracker): void {
    const phase = this.current!;
    if (run.status === 'ABORTED') return;
    const step = tracker.failedStep();
    const { why, fix } = explain(run.error ?? 'Error', causeText(run.cause));
    phase.failure = {
      phase: phase.name,
      step: step ? `${step.execution} › ${stepLabel(step)}` : phase.name,
      error: run.error ?? 'Error',
      why,
      fix: `${fix}${this.options.fault ? ` (This failure was injected with --fault ${this.options.fault}: run "keygate rehearse" without --fault to see the whole flow succeed.)` : ''}`,
    };
  }

  /** The login phase (--keycloak real): see cli/rehearse/login-phase.ts. */
  async loginPhase(world: AnyWorld, keycloak: KeycloakServerRef & { tls?: { caCertFile: string; caKeyFile: string } }): Promise<void> {
    const desired = this.options.desired;
    const user = desired.keycloak.realm.users[0];
    await this.phase(
      'login',
      async () => {
        if (!keycloak.tls) return { value: undefined, checks: [notRun('login', 'the Keycloak given to the rehearsal has no login trust (its CA files): start it with prepareKeycloakTrust')] };
        if (!user || !desired.cimd) return { value: undefined, checks: [notRun('login', !user ? 'the document declares no user (keycloak.realm.users)' : 'the document declares no CIMD client (cimd)')] };
        const login = await runLoginPhase({
          document: this.options.document,
          desired,
          keycloakUrl: keycloak.url,
          tls: keycloak.tls,
          password: world.secrets.users[user.username] ?? '',
          ...(this.options.screenshotDirectory ? { screenshotDirectory: this.options.screenshotDirectory } : {}),
        });
        this.result.login = login;
        return {
          value: undefined,
          checks: loginChecks(login),
          note: `${login.user} logged in as ${login.clientId} through ${login.gatewayUrl}, in ${login.browser}; screenshots: ${login.screenshots.join(', ') || 'none'}`,
        };
      },
      world,
    );
  }

  async scenario(world: AnyWorld): Promise<void> {
    const desired = this.options.desired;
    const gateway = desired.gateway.name;
    const live = () => world.agentcore.state().gateways.find((g) => g.name === gateway);

    await this.phase(
      'provision',
      async () => {
        // As after `sam deploy`: the execution starts with {} and loads the document the stack stores.
        const { run, tracker } = await this.execute(world, 'provision', {});
        if (run.status !== 'SUCCEEDED') return (this.failedRun(run, tracker), { value: undefined, checks: [] });
        // A run that yielded to another (its guard: one provisioning run at a time) did nothing to check.
        const guarded = run.output as { outcome?: string; reason?: string };
        if (guarded.outcome === 'skipped') return { value: undefined, checks: [check('provisioning ran (not skipped by its guard)', false, guarded.reason ?? 'skipped')] };
        const output = run.output as { gatewayId: string; gatewayUrl: string; targets: Array<{ name: string; targetId: string }> };
        const verification = verificationOf(tracker);
        const realm = outputOf(tracker, 'Reconcile Keycloak Realm')?.keycloak?.realm as { outcome: string; changes?: Array<{ action: string; kind: string }> } | undefined;
        const created: Record<string, number> = {};
        for (const c of realm?.changes ?? []) if (c.action === 'create') created[c.kind] = (created[c.kind] ?? 0) + 1;
        const g = live();
        const allows = g?.policy ? allowedVpcEndpointIds(JSON.parse(g.policy)) : [];
        this.result.provisioned = {
          gatewayId: output.gatewayId,
          gatewayUrl: output.gatewayUrl,
          targets: output.targets.map((t) => ({ name: t.name, targetId: t.targetId })),
          resourcePolicyAllows: allows,
          realm: { outcome: realm?.outcome ?? 'unknown', created },
          cimd: ((outputOf(tracker, 'Publish CIMD Document') ?? outputOf(tracker, 'Publish CIMD To S3'))?.cimd as { outcome?: string } | undefined)?.outcome ?? null,
        };
        if (verification) this.result.verification = verification;
        const checks: Check[] = [
          check('gateway READY', g?.status === 'READY', `gateway ${gateway} is ${g?.status ?? 'missing'}`),
          check(`every target READY (${desired.targets.length})`, desired.targets.every((t) => g?.targets.find((x) => x.name === t.name)?.status === 'READY'), (g?.targets ?? []).map((t) => `${t.name} ${t.status}`).join(', ') || 'no targets'),
          check('gateway URL served by the MCP peer', output.gatewayUrl === world.chain?.gatewayUrl, `provisioning observed ${output.gatewayUrl}, the MCP peer serves ${world.chain?.gatewayUrl}`),
          desired.verify.enabled
            ? check('chain verified', verification?.outcome === 'pass' || verification?.failed === false, verification ? `verification ${verification.outcome}` : 'no verification report')
            : notRun('chain verified', 'verify.enabled is false'),
        ];
        return { value: undefined, checks };
      },
      world,
    );

    if (this.keycloak) await this.loginPhase(world, this.keycloak);

    if (this.options.keep) {
      if (!this.stopped) await this.options.keep(world);
      return;
    }

    const parameter = desired.resourcePolicy && 'parameterName' in desired.resourcePolicy.vpcEndpoint ? desired.resourcePolicy.vpcEndpoint.parameterName : undefined;
    if (parameter) {
      await this.phase(
        'rotate',
        async () => {
          const from = allowedVpcEndpointIds(JSON.parse(live()?.policy ?? '{}'));
          const puts = world.agentcore.callLog({ op: 'PutResourcePolicy' }).length;
          // The network stack replaces the endpoint and writes its id; EventBridge delivers the change.
          world.setVpcEndpoint(NEW_VPC_ENDPOINT);
          const { run, tracker } = await this.execute(world, 'rotate-gateway-policy', parameterStoreEvent(parameter, 'Update'));
          if (run.status !== 'SUCCEEDED') return (this.failedRun(run, tracker), { value: undefined, checks: [] });
          const policies = world.agentcore
            .callLog({ op: 'PutResourcePolicy' })
            .slice(puts)
            .map((c) => allowedVpcEndpointIds(JSON.parse(String((c.request as { policy: string }).policy))));
          const now = allowedVpcEndpointIds(JSON.parse(live()?.policy ?? '{}'));
          this.result.rotation = { from: from.join(','), to: NEW_VPC_ENDPOINT, gracePeriodSeconds: desired.resourcePolicy!.rotationGracePeriodSeconds, policies };
          const want = [[...from, NEW_VPC_ENDPOINT].sort(), [NEW_VPC_ENDPOINT]];
          return {
            value: undefined,
            checks: [
              check('old and new endpoint allowed during the grace period, then only the new one', JSON.stringify(policies.map((p) => [...p].sort())) === JSON.stringify(want), `policies put: ${policies.map((p) => p.join('+')).join(' → ') || 'none'}`),
              check('live policy allows only the new endpoint', JSON.stringify(now) === JSON.stringify([NEW_VPC_ENDPOINT]), `live policy allows ${now.join(', ') || 'nothing'}`),
            ],
          };
        },
        world,
      );
    } else {
      const note = desired.resourcePolicy
        ? 'the document lists literal VPC endpoint ids (resourcePolicy.vpcEndpoint.ids): keygate follows no parameter, so there is nothing to rotate'
        : 'the document has no resourcePolicy section: there is no policy to rotate';
      const phase = skipped('rotate', this.titles.rotate, note);
      this.result.phases.push(phase);
      this.options.view.phaseSkipped(phase);
    }

    const injections = driftInjections(desired);
    const expected = injections.map(itemKey).sort();
    const drift = (this.result.drift = {
      injected: injections.map(({ area, description, resource, field }) => ({ area, description, resource, field })),
      found: [] as Array<{ resource: string; field: string }>,
      foundEqualsInjected: false,
      reportModeWrites: 0,
      reportModeVerification: { outcome: 'not run', failedChecks: [] as string[], expectedFailedChecks: [...new Set(injections.flatMap((i) => i.breaks))].sort() },
      repairConverged: false,
    } as NonNullable<RehearsalResult['drift']>);

    await this.phase(
      'drift-report',
      async () => {
        for (const i of injections) await i.inject(world);
        const writes = () => world.agentcore.callLog({ mutating: true }).length + world.keycloak.writes().length;
        const before = writes();
        const cimdBefore = cimdBytes(world, desired);
        const { run, tracker } = await this.execute(world, 'drift', { mode: 'report' });
        const report = (run.status === 'SUCCEEDED' ? run.output : outputOf(tracker, 'Publish Drift Report')?.published) as DriftReport | undefined;
        const failedChecks = run.status === 'SUCCEEDED' ? [] : failingCheckIds(run);
        // A report-mode run ends with the live verification: drift that breaks the chain fails it (the
        // edited CIMD document is served). That failure is the expected one; any other is not.
        const verificationExpected = run.status === 'SUCCEEDED' ? drift.reportModeVerification.expectedFailedChecks.length === 0 : run.error === 'ChainVerificationFailedError' && sameSet(failedChecks, drift.reportModeVerification.expectedFailedChecks);
        if (!report || (run.status !== 'SUCCEEDED' && !verificationExpected)) return (this.failedRun(run, tracker), { value: undefined, checks: [] });
        drift.report = report;
        drift.found = report.items.map((i) => ({ resource: i.resource, field: i.field }));
        drift.foundEqualsInjected = sameSet(drift.found.map(itemKey), expected);
        drift.reportModeWrites = writes() - before;
        drift.reportModeVerification = { ...drift.reportModeVerification, outcome: run.status === 'SUCCEEDED' ? 'pass' : 'fail', failedChecks };
        return {
          value: undefined,
          ...(run.status === 'SUCCEEDED' ? {} : { note: `the run ended FAILED at Verify Chain (${failedChecks.join(', ')}), as it must while the injected drift is live (${injections
                .filter((i) => i.breaks.length)
                .map((i) => `${i.description}: ${i.breaks.join(', ')}`)
                .join('; ')}); the drift report was published before it` }),
          checks: [
            check(`drift found equals drift injected (${injections.length} items)`, drift.foundEqualsInjected, `injected ${expected.join('; ')}; found ${drift.found.map(itemKey).sort().join('; ')}`),
            check('report mode changed nothing', drift.reportModeWrites === 0 && cimdBytes(world, desired) === cimdBefore, `${drift.reportModeWrites} mutating calls to AgentCore and Keycloak`),
            !desired.verify.enabled
              ? notRun('verification while the drift is live', 'verify.enabled is false')
              : drift.reportModeVerification.expectedFailedChecks.length
                ? check('verification fails exactly on the checks the drift breaks', verificationExpected, `failed checks: ${failedChecks.join(', ') || 'none'}; expected: ${drift.reportModeVerification.expectedFailedChecks.join(', ')}`)
                : check('verification passes: the injected drift breaks no check it makes', verificationExpected, `failed checks: ${failedChecks.join(', ') || 'none'}`),
          ],
        };
      },
      world,
    );

    await this.phase(
      'drift-repair',
      async () => {
        const { run, tracker } = await this.execute(world, 'drift', { mode: 'repair' });
        if (run.status !== 'SUCCEEDED') return (this.failedRun(run, tracker), { value: undefined, checks: [] });
        const report = run.output as DriftReport;
        drift.repairReport = report;
        // The machine observes again after repairing and fails unless nothing is left: 'repaired' is converged.
        drift.repairConverged = report.outcome === 'repaired' && report.counts.repaired === report.counts.drift;
        const verification = verificationOf(tracker);
        if (verification) this.result.verification = verification;
        const cimd = desired.cimd;
        return {
          value: undefined,
          checks: [
            check('repaired and observed again without drift', drift.repairConverged, `outcome ${report.outcome}, ${report.counts.repaired} of ${report.counts.drift} items repaired`),
            check('repair fixed what was injected', sameSet(report.items.map(itemKey), expected), `repaired ${report.items.map(itemKey).sort().join('; ')}`),
            ...(cimd && cimdPath(desired) ? [check('published CIMD document restored', cimdBytes(world, desired) === renderCimdDocument(cimd).text, `${cimdPath(desired)} on the host`)] : []),
            desired.verify.enabled
              ? check('chain verified after the repair', verification?.failed === false, verification ? `verification ${verification.outcome}` : 'no verification report')
              : notRun('chain verified after the repair', 'verify.enabled is false'),
          ],
        };
      },
      world,
    );

    await this.phase(
      'teardown',
      async () => {
        const { run, tracker } = await this.execute(world, 'teardown', {});
        if (run.status !== 'SUCCEEDED') return (this.failedRun(run, tracker), { value: undefined, checks: [] });
        const leftovers = world.agentcore.state().gateways.flatMap((g) => [`gateway ${g.gatewayId} (${g.status})`, ...g.targets.map((t) => `target ${t.name} (${t.status})`), ...(g.policy ? [`resource policy of ${g.gatewayId}`] : [])]);
        const keptByDesign = [
          ...((await realmExists(world, desired.keycloak.realm.name)) ? [`Keycloak realm ${desired.keycloak.realm.name} (teardown removes AWS resources only)`] : []),
          ...(cimdPath(desired) && existsSync(world.hostFile(cimdPath(desired)!)) ? [`CIMD document ${cimdPath(desired)} on the host (docs/MANAGED.md: teardown leaves it)`] : []),
        ];
        this.result.teardown = { leftovers, keptByDesign };
        return { value: undefined, checks: [check('no AWS resource left', leftovers.length === 0, leftovers.join(', ') || 'none left')] };
      },
      world,
    );
  }
}

/** The login phase's checks, as the rehearsal shows them: one line per step of the flow, the screenshots named. */
export function loginChecks(login: LoginPhaseResult): Check[] {
  const shown = login.checks.filter((c) => c.status !== 'skip' || !c.evidence.startsWith('the gateway allows any client'));
  return shown.map((c) => (c.status === 'skip' ? notRun(c.id, c.evidence) : check(`${c.id}: ${c.status === 'fail' ? c.evidence : summaryOf(c)}`, c.status !== 'fail', c.status === 'fail' ? `${c.evidence}${c.diagnosis ? ` [${c.diagnosis}]` : ''}${c.fix ? ` Fix: ${c.fix}` : ''}` : c.evidence)));
}

/** The first clause of a passing check's evidence (the whole of it is in --json). */
const summaryOf = (c: VerifyCheck): string => {
  const text = c.evidence.replace(/ \(screenshot [^)]*\)/, '');
  return text.length <= 110 ? text : `${text.slice(0, 109)}…`;
};

/** How long the faulted target takes to end FAILED, in service time. */
const FAULT_TARGET_FAILS_AFTER_MS = 10_000;

/** Forces the fault on the next create of the first target (or of the gateway). */
function injectFault(world: AnyWorld, desired: DesiredState, fault: Fault): void {
  const note = `(injected by keygate rehearse --fault ${fault})`;
  if (fault === 'gateway-failed') {
    world.agentcore.failNext({ kind: 'gateway', name: desired.gateway.name, reasons: [`Unable to fetch the OpenID discovery document from ${desired.gateway.authorizer.discoveryUrl}: connection timed out ${note}`] });
    return;
  }
  const target = desired.targets[0];
  if (!target) throw new TypeError('--fault target-failed needs a document with at least one target');
  // A connection that times out fails sooner than a create takes (10 s of 30 s): the other targets
  // are still CREATING, and their Map branches are stopped by this one's failure. They are held
  // CREATING, not given their 30 s: at high speed a busy machine's local work outlasts 20 s of
  // service time, and a sibling would land READY before the failure stopped it.
  world.agentcore.failNext({ kind: 'target', name: target.name, serviceMs: FAULT_TARGET_FAILS_AFTER_MS, reasons: [`Failed to connect to the MCP server at ${target.endpoint}: connection timed out ${note}`, 'Unable to list tools from the target'] });
  for (const sibling of desired.targets.slice(1)) world.agentcore.holdNext({ kind: 'target', name: sibling.name });
}

/** What to do about a failure, by error name (the cause names the specifics). */
export function fixFor(error: string): string {
  const fixes: Record<string, string> = {
    GatewayTargetNeedsConsent: 'open the consent URL from the cause, authorize, then run provisioning again',
    GatewayWaitTimeoutError: 'find out why AgentCore is slow from the status reasons, or raise readyTimeoutSeconds in the document',
    ChainVerificationFailedError: 'follow the fix under each failing check in the cause',
    ChainUnreachableError: 'make the discovery URL, the gateway and the CIMD URL reachable from the verify function (verify.network)',
    DesiredStateInvalidError: 'fix the document: each problem names its path and the fix',
    KeycloakRealmNotConvergedError: 'the realm differs from the plan after applying it: see the object and field in the cause; another writer may be changing it',
    DriftNotRepairedError: 'an item came back after the repair: something else keeps changing it (see the items in the cause)',
    ExecutionAborted: 'the run was interrupted: start it again',
  };
  return fixes[error] ?? 'the cause names what went wrong; docs/provisioning.md, docs/drift.md and docs/verification.md list every error with what to do';
}

/**
 * A failure's why and fix, each said once: an error whose message ends with its own advice (a FAILED
 * gateway or target) gives that advice as the fix; a verification that failed on MCP checks says that
 * the MCP servers were the rehearsal's emulated ones, not the user's.
 */
export function explain(error: string, cause: string): { why: string; fix: string } {
  for (const advice of [GATEWAY_FAILED_ADVICE, GATEWAY_TARGET_FAILED_ADVICE]) {
    if (cause.includes(advice)) return { why: cause.replace(` ${advice}`, '').replace(advice, '').trim(), fix: advice };
  }
  if (error === 'ChainVerificationFailedError') {
    // The cause: a heading, then one block per failing check (its evidence may run over several lines, its fix ends it).
    const blocks = cause.split('\n').reduce<string[][]>((all, line) => (/^\s*(FAIL|WARN) /.test(line) || !all.length ? [...all, [line]] : (all.at(-1)!.push(line), all)), []);
    const emulated = blocks.filter((b) => MCP_CHECK.test(b[0]!));
    if (emulated.length) {
      const why = blocks.map((b) => (MCP_CHECK.test(b[0]!) ? `${b.join('\n').replace(/ Fix: [^\n]*$/, '')} [the rehearsal's emulated MCP server answered: ${EMULATED_TOOLS}]` : b.join('\n'))).join('\n');
      const others = blocks.length - 1 > emulated.length;
      return {
        why,
        fix: `${others ? 'follow the fix under each other failing check; ' : ''}the MCP checks ran against keygate's emulated MCP servers, not yours: a tool named like one of the seed article's (add_numbers, multiply_numbers, greet_user) runs the seed's code, and takes its arguments; any other tool answers with its toolCalls entry's expectText. Adjust verify.toolCalls to that, or check your own servers with keygate verify against the deployed gateway`,
      };
    }
  }
  return { why: cause, fix: fixFor(error) };
}

/** Verification check lines about the MCP servers behind the targets (their tools and tool calls). */
const MCP_CHECK = /^\s*(FAIL|WARN) mcp\.(expected-tools|call\.)/;
const EMULATED_TOOLS = 'a limit of the emulator, not of your server';

/** The verification report a Verify Chain step produced (its state output), if it ran. */
function verificationOf(tracker: StepTracker): VerificationReport | undefined {
  const v = outputOf(tracker, 'Verify Chain')?.verification as VerificationReport | { outcome: 'skipped' } | undefined;
  return v && 'checks' in v ? v : undefined;
}

/** The output of the last finished line of a step. */
function outputOf(tracker: StepTracker, name: string): Record<string, any> | undefined {
  return tracker.lines.filter((l) => l.name === name && l.state === 'done' && l.path.length === 0).at(-1)?.output as Record<string, any> | undefined;
}

/** The check ids a ChainVerificationFailedError names (`  FAIL cimd.current [stale-copy]: …` lines). */
function failingCheckIds(run: RunResult): string[] {
  return [...causeText(run.cause).matchAll(/^\s*(?:FAIL|WARN) (\S+)/gm)].map((m) => m[1]!).sort();
}

const sameSet = (a: string[], b: string[]) => JSON.stringify([...new Set(a)].sort()) === JSON.stringify([...new Set(b)].sort());

const cimdPath = (desired: DesiredState) => (desired.cimd?.publish && 'host' in desired.cimd.publish ? desired.cimd.publish.host?.path : undefined);

function cimdBytes(world: AnyWorld, desired: DesiredState): string | undefined {
  const path = cimdPath(desired);
  if (!path || !existsSync(world.hostFile(path))) return undefined;
  return readFileSync(world.hostFile(path), 'utf8');
}

function snapshot(world: AnyWorld) {
  const chain = world.chain;
  return {
    apiCalls: world.apiCalls().length,
    ssmCommands: world.ssm.calls.filter((c) => c.operation === 'SendCommand').length,
    // With a real Keycloak its token and key requests are not counted (only the emulated peers count them).
    verificationRequests: chain ? (chain.op?.calls.length ?? 0) + chain.gateway.calls.length + (chain.cimd?.calls.length ?? 0) : 0,
  };
}

function countsOf(world: AnyWorld, result: RehearsalResult): Partial<RehearsalResult['counts']> {
  const apiCalls: Record<string, number> = {};
  for (const call of world.apiCalls()) apiCalls[call] = (apiCalls[call] ?? 0) + 1;
  const executions = result.phases.flatMap((p) => p.executions);
  const created: Record<string, number> = {};
  const add = (kind: string, n = 1) => void (created[kind] = (created[kind] ?? 0) + n);
  for (const c of world.agentcore.calls) if (c.status < 300 && ['CreateGateway', 'CreateGatewayTarget'].includes(c.op)) add(c.op === 'CreateGateway' ? 'gateway' : 'gateway target');
  if (result.provisioned?.resourcePolicyAllows.length) add('resource policy');
  for (const [kind, n] of Object.entries(result.provisioned?.realm.created ?? {})) add(`keycloak ${kind}`, n);
  if (result.provisioned?.cimd === 'created') add('CIMD document');
  return {
    apiCalls: Object.fromEntries(Object.entries(apiCalls).sort(([a], [b]) => a.localeCompare(b))),
    apiCallsTotal: Object.values(apiCalls).reduce((a, b) => a + b, 0),
    stateTransitions: executions.reduce((n, x) => n + x.transitions, 0),
    executions: executions.length,
    lambdaInvocations: executions.reduce((n, x) => n + x.invocations, 0),
    ssmCommands: apiCalls['ssm:SendCommand'] ?? 0,
    verificationRequests: snapshot(world).verificationRequests,
    resourcesCreated: created,
  };
}

function serversOf(world: AnyWorld): string[] {
  const chain = world.chain;
  return [world.agentcore.url, world.ssm.endpoint, world.keycloak.url, world.s3.endpoint, world.stepfunctions.endpoint, world.dynamodb.endpoint, world.sns.endpoint, ...(chain ? [...(chain.op ? [chain.op.url] : []), chain.gateway.url, ...(chain.cimd ? [chain.cimd.url] : [])] : [])];
}

/** What is still there after the world closed: a server still accepting connections, a directory not removed. */
async function leftoversOf(cleanup: RehearsalResult['cleanup']): Promise<string[]> {
  const open = await Promise.all(cleanup.servers.map(async (url) => ((await accepts(url)) ? [`server ${url} still accepts connections`] : [])));
  return [...open.flat(), ...cleanup.temporaryDirectories.filter((d) => existsSync(d)).map((d) => `directory ${d} still exists`)];
}

/** Whether the realm is there: in the stand-in's state, or asked of a real Keycloak's admin API. */
async function realmExists(world: AnyWorld, name: string): Promise<boolean> {
  if ('realm' in world.keycloak) return Boolean((world.keycloak as unknown as KeycloakStandIn).realm(name));
  const real = world.keycloakServer!;
  return (await adminClient(real.url, real.admin).call('GET', `/admin/realms/${encodeURIComponent(name)}`)).status === 200;
}

function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
