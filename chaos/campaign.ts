import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BedrockAgentCoreControlClient, CreateGatewayCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { driftInjections } from '../cli/rehearse/drift-injections';
import { run as runKeygate } from '../cli/run';
import type { RunResult } from '../emulators/stepfunctions';
import { STACK, startWorld, type LocalWorld } from '../emulators/world';
import { captureFunctionOutput } from '../emulators/world/function-output';
import type { RealmState } from '../emulators/keycloak/state';
import { checkDesiredState, parseDesiredStateText } from '../functions/core/desired/load';
import { SDK_TRANSIENT_ERROR_NAMES } from '../functions/core/errors';
import { packageRoot } from '../scripts/package-root';
import { FAULTS, type Armed, type FaultContext, type FaultKind } from './faults';
import { Random, showSeed } from './random';

// One chaos run: a fresh local world (emulators/world) in one of three starting states, one fault from
// chaos/faults.ts armed at a point the seed picks, a provisioning run with it (and whatever runs beside
// it), then the invariants: the first clean run converges, a further run writes nothing, no secret
// anywhere, other teams' Keycloak objects and host files byte-identical, nothing of keygate's left on
// the host, and the fault run's failure said in words what happened.

export type Start = 'empty' | 'adopted' | 'drifted';

export interface RunRecord {
  seed: string;
  start: Start;
  fault: string;
  area: string;
  /** The injected fault, in words. */
  what: string;
  faultRun: { status: string; error?: string; message?: string };
  /** Whether the fault met the fault run (Armed.fired); absent for the kinds that always run (concurrency). */
  fired?: boolean;
  /** Whether the first clean run (faults undone) converged: SUCCEEDED, not skipped. */
  converged: boolean;
  clean: { status: string; error?: string; message?: string };
  /** The exit code of `keygate drift` (the CLI) after the further run: 0, no drift. */
  driftExit: number;
  /** Writes the run after the clean one made (it must make none). */
  furtherWrites: string[];
  /** Where a secret value was found (never the value). */
  secrets: string[];
  /** Where content of other teams' things (FOREIGN_MARKER) was found. */
  foreignContent: string[];
  /** Other teams' objects that changed. */
  foreignChanged: string[];
  /** keygate's leftovers on the host after the fault run (the clean run must remove them). */
  leftoversAfterFault: string[];
  /** keygate's leftovers on the host after the clean runs. */
  leftovers: string[];
  /** Failure messages that say less than what happened. */
  dishonest: string[];
  /** Every broken invariant, in words (empty: the run holds). */
  problems: string[];
  durationMs: number;
}

export interface RunOptions {
  /** Emulated service time scale (400 in tests). */
  speed?: number;
  /** Only these fault kinds (names), for a slice. */
  faults?: string[];
  /**
   * For the campaign's own test, which plants what each invariant must catch: called before the further
   * run (`'before-further'`: drift that run must repair, so it writes) and after it, before the invariants
   * are checked (`'before-checks'`: a secret in a log line, a changed foreign object, a leftover).
   */
  tamper?: (world: LocalWorld, log: (line: Record<string, unknown>) => void, stage: 'before-further' | 'before-checks') => void;
}

const GATEWAY = 'mcp-gateway-keycloak-demo';
const REALM = 'mcp-demo';
const FOREIGN_REALM = 'team-payments';
const FOREIGN_GATEWAY = 'team-payments-gateway';
const PUBLISH = '/opt/cimd/public';
/**
 * Planted in other teams' things that keygate has no reason to read out (a password, a client secret, an
 * e-mail address, a page of theirs): found in any output, it is foreign content that left its place.
 */
export const FOREIGN_MARKER = 'KG-CHAOS-FOREIGN-7d41e9';

/** The seed document (examples/seed.yaml) as the world runs it; live verification off (no MCP peers here). */
export function chaosDocument(): Record<string, any> {
  const raw = parseDesiredStateText(readFileSync(join(packageRoot(), 'examples', 'seed.yaml'), 'utf8'), 'examples/seed.yaml').value as Record<string, any>;
  raw.verify = { ...(raw.verify ?? {}), enabled: false };
  return raw;
}

/** Other teams' things: a realm of theirs, objects in the realm keygate manages, a gateway of theirs in the same account. */
async function addForeign(world: LocalWorld, inRealm: boolean, longOutput: boolean): Promise<void> {
  const team = world.keycloak.createRealm(FOREIGN_REALM);
  team.users.push({ id: 'team-user-1', username: 'carol', email: 'carol@payments.example', credentials: [{ type: 'password', value: `carol-${FOREIGN_MARKER}`, temporary: false }] });
  team.clientScopes.push({ id: 'team-scope-1', name: 'payments:read', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true' }, protocolMappers: [] });
  team.profiles.push({ name: 'payments-profile', description: 'theirs', executors: [{ executor: 'secure-session', configuration: {} }] });
  if (inRealm) {
    const r = world.keycloak.realm(REALM)!;
    r.users.push({ id: 'bob-id', username: 'bob', email: `bob-${FOREIGN_MARKER}@other.example`, credentials: [{ type: 'password', value: `bob-${FOREIGN_MARKER}`, temporary: false }] });
    r.clientScopes.push({ id: 'team-scope-id', name: 'team:read', protocol: 'openid-connect', attributes: {}, protocolMappers: [] });
    r.clients.push({ id: 'team-app-id', clientId: 'team-app', publicClient: false, secret: `secret-${FOREIGN_MARKER}`, defaultClientScopes: [], optionalClientScopes: [] });
    r.profiles.push({ name: 'team-payments-profile', description: 'owned by another team', executors: [{ executor: 'secure-session', configuration: { clientSessionIdleTimeout: 7200 } }] });
    r.policies.push({ name: 'team-payments-policy', enabled: true, conditions: [{ condition: 'any-client', configuration: {} }], profiles: ['team-payments-profile'] });
    // Enough entries that the observe command's output is over SSM's 24,000 characters (read from S3).
    if (longOutput) for (let i = 0; i < 700; i++) r.profiles.push({ name: `team-${String(i).padStart(4, '0')}-${'x'.repeat(30)}`, executors: [] });
  }
  // Another team's gateway in the account, with its own resource policy: keygate finds gateways by name and
  // its owner tag, and must neither change nor delete this one. Made through the API, then left to be READY.
  const client = new BedrockAgentCoreControlClient({ endpoint: world.agentcore.url, region: world.agentcore.region, credentials: { accessKeyId: world.env.AWS_ACCESS_KEY_ID!, secretAccessKey: world.env.AWS_SECRET_ACCESS_KEY! } });
  try {
    await client.send(
      new CreateGatewayCommand({
        name: FOREIGN_GATEWAY,
        roleArn: 'arn:aws:iam::111122223333:role/team-payments-gateway',
        protocolType: 'MCP',
        authorizerType: 'CUSTOM_JWT',
        authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: 'https://idp.payments.example/.well-known/openid-configuration', allowedAudience: ['payments'] } },
        tags: { team: 'payments' },
      }),
    );
  } finally {
    client.destroy();
  }
  world.agentcore.setPolicy(FOREIGN_GATEWAY, JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'TeamPayments', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'bedrock-agentcore:InvokeGateway', Resource: '*' }] }));
  // The emulator's create takes its (scaled) service time; the snapshot must be of the READY gateway.
  while (world.agentcore.state().gateways.find((g) => g.name === FOREIGN_GATEWAY)?.status === 'CREATING') await new Promise((resolve) => setTimeout(resolve, 5));
}

/** The other teams' things as bytes, to compare before and after. */
function foreignSnapshot(world: LocalWorld): Record<string, string> {
  const out: Record<string, string> = {};
  const team = world.keycloak.realm(FOREIGN_REALM);
  out[`keycloak realm ${FOREIGN_REALM}`] = JSON.stringify(team ?? null);
  const r: RealmState | undefined = world.keycloak.realm(REALM);
  if (r) {
    for (const u of r.users.filter((x) => x.username === 'bob')) out[`keycloak ${REALM} user bob`] = JSON.stringify(u);
    for (const s of r.clientScopes.filter((x) => x.name === 'team:read')) out[`keycloak ${REALM} client scope team:read`] = JSON.stringify(s);
    for (const c of r.clients.filter((x) => x.clientId === 'team-app')) out[`keycloak ${REALM} client team-app`] = JSON.stringify(c);
    out[`keycloak ${REALM} other teams' client profiles`] = JSON.stringify(r.profiles.filter((p) => String(p.name).startsWith('team-')));
    out[`keycloak ${REALM} other teams' client policies`] = JSON.stringify(r.policies.filter((p) => String(p.name).startsWith('team-')));
  }
  for (const g of world.agentcore.state().gateways.filter((x) => x.name === FOREIGN_GATEWAY)) out[`AgentCore gateway ${FOREIGN_GATEWAY}`] = JSON.stringify(g);
  for (const file of FOREIGN_FILES) {
    const path = world.hostFile(file);
    out[`host file ${file}`] = existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') + `:${lstatSync(path).mode}` : 'absent';
  }
  return out;
}

/** Files of others in the web root: one named like a temporary file of a file keygate never writes. */
const FOREIGN_FILES = [`${PUBLISH}/index.html`, `${PUBLISH}/oauth/.index.html.0123456789ab.keygate-tmp`];

function addForeignFiles(world: LocalWorld): void {
  mkdirSync(world.hostFile(`${PUBLISH}/oauth`), { recursive: true, mode: 0o755 });
  writeFileSync(world.hostFile(FOREIGN_FILES[0]!), `<html>another team's page ${FOREIGN_MARKER}</html>\n`, { mode: 0o644 });
  writeFileSync(world.hostFile(FOREIGN_FILES[1]!), `not keygate's ${FOREIGN_MARKER}\n`, { mode: 0o644 });
  const then = Date.now() / 1000 - 3600;
  for (const f of FOREIGN_FILES) utimesSync(world.hostFile(f), then, then);
}

/** Everything under the host root older by `seconds`, as if that much time passed (leftovers become stale). */
function ageHost(world: LocalWorld, seconds: number): void {
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) walk(path);
      const t = st.mtimeMs / 1000 - seconds;
      utimesSync(path, t, t);
    }
  };
  walk(world.hostRoot);
}

/** keygate's leftovers on the host: work directories of the Command document, staging directories, temporary files. */
function hostLeftovers(world: LocalWorld): string[] {
  const found: string[] = [];
  const foreign = new Set(FOREIGN_FILES.map((f) => world.hostFile(f)));
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (/^keygate-host\.[A-Za-z0-9]{10}$/.test(name) || name === '.keygate-staging' || (/\.keygate-tmp$/.test(name) && !foreign.has(path))) found.push(path.slice(world.hostRoot.length));
      if (lstatSync(path).isDirectory()) walk(path);
    }
  };
  walk(world.hostRoot);
  return found;
}

/** Counters of everything that writes, to tell what one run wrote. */
function writeCounters(world: LocalWorld) {
  const cimd = world.hostFile(`${PUBLISH}/oauth/client-metadata.json`);
  const stamp = (p: string) => (existsSync(p) ? `${lstatSync(p).ino}:${lstatSync(p).mtimeMs}` : 'absent');
  return {
    agentcore: world.agentcore.callLog({ mutating: true }).map((c) => c.op),
    keycloak: world.keycloak.writes().map((c) => `${c.method} ${c.path}`),
    s3: world.s3.calls.filter((c) => c.method === 'PUT' || c.method === 'DELETE').map((c) => `${c.method} s3://${c.bucket}/${c.key}`),
    ssm: world.ssm.calls.filter((c) => /^(Put|Delete)Parameter/.test(c.operation)).map((c) => c.operation),
    files: [stamp(cimd), stamp(`${cimd}.previous`)],
  };
}

function writesBetween(a: ReturnType<typeof writeCounters>, b: ReturnType<typeof writeCounters>): string[] {
  return [
    ...b.agentcore.slice(a.agentcore.length).map((op) => `AgentCore ${op}`),
    ...b.keycloak.slice(a.keycloak.length).map((w) => `Keycloak ${w}`),
    ...b.s3.slice(a.s3.length).map((w) => `S3 ${w}`),
    ...b.ssm.slice(a.ssm.length).map((w) => `SSM ${w}`),
    ...(a.files.join() !== b.files.join() ? ['the CIMD document (or its rollback copy) on the host'] : []),
  ];
}

/** Every place a secret must never be, as texts with where they come from. */
function exposedTexts(world: LocalWorld, runs: RunResult[], lines: Array<Record<string, any>>, printed: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  runs.forEach((r, i) => out.push([`execution ${i + 1}: history, input and output`, JSON.stringify({ events: r.events, output: r.output, error: r.error, cause: r.cause })]));
  out.push(['function log lines', JSON.stringify(lines)]);
  for (const c of world.ssm.calls) {
    if (c.operation !== 'SendCommand') continue;
    const params = (c.input?.Parameters ?? {}) as Record<string, string[]>;
    // The program travels gzip'd: what it holds is what SSM (ListCommands, CloudTrail) shows.
    const program = params.program?.[0] ? gunzipSync(Buffer.from(params.program[0], 'base64')).toString('utf8') : '';
    out.push(['SendCommand parameters', JSON.stringify(c.input) + program]);
  }
  for (const inv of world.ssm.invocations.values()) out.push([`command output ${inv.commandId}`, inv.stdout + inv.stderr]);
  for (const bucket of ['keygate-local-command-output']) for (const key of world.s3.listKeys(bucket)) out.push([`S3 object s3://${bucket}/${key}`, world.s3.getObject(bucket, key)!.body.toString('utf8')]);
  out.push(['SNS messages', JSON.stringify(world.sns.messages)]);
  out.push(['DynamoDB items', JSON.stringify(world.dynamodb.item('keygate-local-DriftLockTable', 'drift') ?? null)]);
  out.push(['campaign output and keygate drift (CLI) output', printed.join('\n')]);
  return out;
}

/**
 * `keygate drift` as an operator runs it after the campaign's runs (in-process, the operator's view of the
 * same world): it must find no drift (exit 0; leftovers on the host are drift too), and its output is one
 * more place where no secret and no foreign content may appear.
 */
async function cliDrift(world: LocalWorld): Promise<{ code: number; output: string }> {
  let output = '';
  const files: Record<string, string> = { 'live.json': JSON.stringify(world.document) };
  const code = await runKeygate(
    ['drift', '--config', 'live.json', '--stack', STACK.owner, '--command-document', STACK.commandDocument, '--gateway-role-arn', world.env.GATEWAY_ROLE_ARN!, '--output-bucket', STACK.outputBucket],
    {
      stdout: (t) => void (output += t),
      stderr: (t) => void (output += t),
      readFile: (path) => {
        if (path in files) return files[path]!;
        throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      },
      isTTY: false,
      env: { AWS_REGION: STACK.region },
    },
  );
  return { code, output };
}

/**
 * A failed execution's error and message as the operator reads them: the function's `errorMessage`, and
 * for a failed nested execution (`States.TaskFailed` of startExecution.sync, whose Cause is the child's
 * `{Error, Cause}`) the child's own error and message.
 */
export function failureOf(run: Pick<RunResult, 'error' | 'cause'>): { error?: string; message?: string } {
  let error = run.error;
  let cause = run.cause;
  for (let depth = 0; cause && depth < 3; depth++) {
    let parsed: { errorMessage?: unknown; Error?: unknown; Cause?: unknown };
    try {
      parsed = JSON.parse(cause) as typeof parsed;
    } catch {
      break;
    }
    if (typeof parsed.errorMessage === 'string') return { ...(error ? { error } : {}), message: parsed.errorMessage };
    if (typeof parsed.Error !== 'string') break;
    error = parsed.Error;
    cause = typeof parsed.Cause === 'string' ? parsed.Cause : undefined;
  }
  return { ...(error ? { error } : {}), ...(cause ? { message: cause } : {}) };
}

const outcomeOf = (run: RunResult): RunRecord['faultRun'] => ({ status: run.status, ...failureOf(run) });

/** Whether a failure says what happened: no bare exit code, transient AWS errors in words, no "nothing changed" after writes. */
function honesty(run: RunResult, keycloakWrites: number): string[] {
  if (run.status !== 'FAILED') return [];
  const { error = '', message = '' } = failureOf(run);
  const out: string[] = [];
  if (!message.trim()) out.push(`${error}: no message at all`);
  if (/exit code -1\b/.test(message)) out.push(`${error}: a killed command given as "exit code -1"`);
  if (SDK_TRANSIENT_ERROR_NAMES.includes(error) && !/^[a-z-]+: AWS .+ Fix: /.test(message)) out.push(`${error}: a raw AWS error without the resource and a fix: ${message.slice(0, 160)}`);
  // (An AWS read's own message says "nothing was changed by this call", which is true whatever Keycloak saw.)
  if (/^Keycloak/.test(error) && /nothing was changed/.test(message) && keycloakWrites > 0) out.push(`${error}: says "nothing was changed" after ${keycloakWrites} Keycloak writes landed`);
  return out;
}

/**
 * One chaos run, all of it decided by `seed`: start state, fault kind and point, what runs beside it.
 *
 * @example
 * const record = await chaosRun(0x2f6e1c3a);
 * record.problems // [] when every invariant held
 */
export async function chaosRun(seed: number, options: RunOptions = {}): Promise<RunRecord> {
  const rng = new Random(seed);
  const started = Date.now();
  const kinds = FAULTS.filter((f) => !options.faults || options.faults.includes(f.name));
  if (!kinds.length) throw new TypeError(`no fault kind among ${options.faults?.join(', ')}`);
  const kind: FaultKind = rng.pick(kinds);
  // A fault that needs output over 24,000 characters needs a realm with other teams' entries in it.
  const start = rng.pick(kind.needs === 'long-output' ? (['adopted', 'drifted'] as const) : (['empty', 'adopted', 'drifted'] as const));
  const longOutput = kind.needs === 'long-output' || (start !== 'empty' && rng.chance(0.3));
  const document = chaosDocument();
  const lines: Array<Record<string, any>> = [];
  const runs: RunResult[] = [];
  const world = await startWorld({ document, speed: options.speed ?? 400 });
  const doc = world.document;
  const run = async (machine: string, opts: Parameters<LocalWorld['run']>[1] = {}) => {
    const r = await captureFunctionOutput(lines, () => world.run(machine, opts));
    runs.push(r);
    return r;
  };
  try {
    addForeignFiles(world);
    if (start === 'adopted') world.keycloak.createRealm(REALM);
    if (start === 'drifted') {
      const first = await run('provision', { document: doc });
      if (first.status !== 'SUCCEEDED') throw new Error(`the run before the fault failed: ${failureOf(first).error}: ${failureOf(first).message}`);
      for (const i of driftInjections(checkDesiredState(doc, 'chaos').desired)) i.inject(world);
    }
    await addForeign(world, start !== 'empty', longOutput);
    const ctx: FaultContext = { world, rng, document: doc, start, longOutput };
    const foreignBefore = foreignSnapshot(world);
    const armed: Armed = kind.arm(ctx);

    // The fault run, with whatever runs beside it.
    const kcBefore = world.keycloak.writes().length;
    const [faultRun] = await Promise.all([
      run('provision', { document: doc, ...(armed.handlers ? { overrides: { handlers: armed.handlers } } : {}) }),
      ...(armed.alongside ?? []).map((a) => captureFunctionOutput(lines, a).then((r) => void runs.push(r))),
    ]);
    const dishonest = honesty(faultRun!, world.keycloak.writes().length - kcBefore);
    const fired = armed.fired?.(faultRun!);

    // Undo the fault; every command of the fault run ends (a re-run comes minutes later), and time passes
    // beyond the Command document's timeout, so that what a killed command left is stale.
    await armed.undo?.();
    world.clearFaults();
    await world.ssm.settle();
    const leftoversAfterFault = hostLeftovers(world);
    ageHost(world, 11 * 60);

    const clean = await run('provision', { document: doc });
    const converged = clean.status === 'SUCCEEDED' && (clean.output as { outcome?: string } | null)?.outcome !== 'skipped';
    options.tamper?.(world, (line) => void lines.push(line), 'before-further');
    const before = writeCounters(world);
    const further = await run('provision', { document: doc });
    await world.ssm.settle();
    const furtherWrites = further.status === 'SUCCEEDED' ? writesBetween(before, writeCounters(world)) : [`the further run failed: ${failureOf(further).error}: ${failureOf(further).message}`];
    const drift = await cliDrift(world);
    await world.ssm.settle();
    options.tamper?.(world, (line) => void lines.push(line), 'before-checks');

    const foreignAfter = foreignSnapshot(world);
    const foreignChanged = Object.keys(foreignBefore).filter((k) => foreignBefore[k] !== foreignAfter[k]);
    const leftovers = hostLeftovers(world);
    const record: RunRecord = {
      seed: showSeed(seed),
      start,
      fault: kind.name,
      area: kind.area,
      what: armed.what,
      faultRun: outcomeOf(faultRun!),
      ...(fired === undefined ? {} : { fired }),
      converged,
      clean: outcomeOf(clean),
      furtherWrites,
      driftExit: drift.code,
      secrets: [],
      foreignContent: [],
      foreignChanged,
      leftoversAfterFault,
      leftovers,
      dishonest,
      problems: [],
      durationMs: 0,
    };
    const printed = [formatRecord(record), drift.output];
    const secrets = [world.secrets.admin, world.secrets.canary, ...Object.values(world.secrets.users)];
    const texts = exposedTexts(world, runs, lines, printed);
    record.secrets = texts.filter(([, text]) => secrets.some((s) => text.includes(s))).map(([where]) => where);
    record.foreignContent = texts.filter(([, text]) => text.includes(FOREIGN_MARKER)).map(([where]) => where);
    record.problems = [
      ...(converged ? [] : [`the first clean run did not converge: ${record.clean.status} ${record.clean.error ?? ''}: ${record.clean.message ?? ''}`.trim()]),
      ...furtherWrites.map((w) => `the further run wrote: ${w}`),
      ...(drift.code === 0 ? [] : [`keygate drift (CLI) exited ${drift.code}: ${drift.output.trim().split('\n').slice(0, 6).join(' | ')}`]),
      ...record.secrets.map((w) => `a secret value in: ${w}`),
      ...record.foreignContent.map((w) => `another team's content in: ${w}`),
      ...foreignChanged.map((w) => `another team's object changed: ${w}`),
      ...leftovers.map((w) => `left on the host: ${w}`),
      ...dishonest.map((w) => `a failure message that hides what happened: ${w}`),
    ];
    record.durationMs = Date.now() - started;
    return record;
  } finally {
    await world.close();
  }
}

/** One line per run (and its problems below it), as the campaign prints it. */
export function formatRecord(r: RunRecord): string {
  const fault = `${r.fired === false ? '(not met) ' : ''}${r.faultRun.status === 'SUCCEEDED' ? 'fault run SUCCEEDED' : `fault run ${r.faultRun.status} ${r.faultRun.error ?? ''}`.trim()}`;
  const verdict = r.problems.length ? `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}` : 'ok';
  return `seed=${r.seed} start=${r.start} fault=${r.fault}: ${r.what} → ${fault}; clean run ${r.converged ? 'converged' : `${r.clean.status} ${r.clean.error ?? ''}`.trim()}; further run ${r.furtherWrites.length} writes → ${verdict}`;
}
