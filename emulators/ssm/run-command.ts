import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsError } from './protocol';

/**
 * Run Command as SendCommand / GetCommandInvocation / ListCommandInvocations show it
 * (ssm-and-events.md §1–§4), with the document's script really executed by bash on this machine.
 * Timings are in emulated seconds scaled by `secondMs`, so that tests can run the lifecycle fast.
 */
export interface CommandDocument {
  schemaVersion: string;
  parameters?: Record<string, { type: string; default?: string; allowedPattern?: string; interpolationType?: string; description?: string }>;
  mainSteps: Array<{ action: string; name: string; inputs: { runCommand: string[]; timeoutSeconds?: string | number; workingDirectory?: string } }>;
}

export interface InstanceState {
  /** false: not managed / agent offline → SendCommand answers InvalidInstanceId. */
  online: boolean;
  /**
   * true: the agent never picks the command up, so it ends TimedOut/DeliveryTimedOut after the
   * command's TimeoutSeconds; 'pending': it stays Pending until the instance is set otherwise, then
   * ends DeliveryTimedOut (a test of a poll budget, which must not race the scaled delivery timeout on
   * a loaded machine).
   */
  stalled?: boolean | 'pending';
}

export interface RunTiming {
  /** Emulated second in ms (1000 = real time). */
  secondMs: number;
  /**
   * An emulated second of the step's own timeout (timeoutSeconds) while the script runs, in ms; default
   * `secondMs`. The script itself runs in real time whatever the speed, so a world run faster than real
   * time gives it real seconds: scaled down, a loaded machine's slow script would "time out".
   */
  scriptSecondMs?: number;
  /** How long GetCommandInvocation answers InvocationDoesNotExist after SendCommand (ms). */
  invisibleMs: number;
  /** The clock `invisibleMs` is measured on (default Date.now): a test holds it still to see the invisible invocation. */
  now?: () => number;
  /** How long the invocation stays Pending before the script starts (ms). */
  pendingMs: number;
  /**
   * With this set, GetCommandInvocation holds its answer up to this many real ms while the script is
   * running: the emulated clock stands still while the real script runs, so a state machine's scaled
   * poll budget is spent on the script's progress, not on how busy the machine is.
   */
  holdWhileRunningMs?: number;
}

export interface Invocation {
  commandId: string;
  instanceId: string;
  document: string;
  documentVersion: string;
  comment: string;
  parameters: Record<string, string[]>;
  step: string;
  status: 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  statusDetails: string;
  responseCode: number;
  requestedAt: Date;
  visibleAt: number;
  startedAt?: Date;
  endedAt?: Date;
  stdout: string;
  stderr: string;
  outputUrl: { stdout: string; stderr: string };
  output: { bucket?: string; prefix?: string };
  expiresAt: Date;
  done: Promise<void>;
}

/** How a command ends without running its script (SsmEmulator.failNextCommand). */
export interface CommandOutcome {
  status: 'Failed' | 'TimedOut' | 'Cancelled';
  /** StatusDetails; default the status (`ExecutionTimedOut` for TimedOut). */
  details?: string;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}

export const MAX_STDOUT = 24_000;
export const MAX_STDERR = 8_000;
const MAX_DOCUMENT_BYTES = 64 * 1024;
const INSTANCE_ID = /^(i-(\w{8}|\w{17}))$|^(mi-\w{17})$/;

export interface RunContext {
  documents: Map<string, CommandDocument>;
  instances: Map<string, InstanceState>;
  timing: RunTiming;
  region: string;
  /** Environment of the host scripts (PATH with the fake `aws`, endpoints); nothing of the test process leaks in. */
  hostEnv: () => Record<string, string>;
  upload: (bucket: string, key: string, body: string) => void;
  /**
   * Host faults (SsmEmulator.injectHostFault): the directory where a holding executor leaves its mark
   * (`held`, its process group), how SSM then ends that command, and the next command's scripted end.
   */
  faults?: { dir: string; end: () => 'TimedOut' | 'Cancelled'; nextOutcome: () => CommandOutcome | undefined };
}

export function sendCommand(ctx: RunContext, input: any): { invocation: Invocation; response: unknown } {
  const name = String(input.DocumentName ?? '');
  const doc = ctx.documents.get(name);
  if (!doc) throw new AwsError('InvalidDocument', `Document with name ${name} does not exist.`);
  const version = input.DocumentVersion ?? '$DEFAULT';
  if (!['$DEFAULT', '$LATEST', '1'].includes(version)) throw new AwsError('InvalidDocumentVersion', `Document version ${version} does not exist.`);
  const ids: string[] = input.InstanceIds ?? [];
  if (input.Targets?.length || ids.length !== 1) throw new AwsError('ValidationException', 'the emulator runs commands on exactly one instance id (InstanceIds with one entry)');
  const instanceId = ids[0]!;
  if (!INSTANCE_ID.test(instanceId) || !ctx.instances.get(instanceId)?.online) throw new AwsError('InvalidInstanceId', `Instances [[${instanceId}]] not in a valid state for account 111122223333`);
  const timeout = input.TimeoutSeconds ?? 3600;
  if (typeof timeout !== 'number' || timeout < 30 || timeout > 2_592_000) throw new AwsError('ValidationException', `1 validation error detected: Value '${timeout}' at 'timeoutSeconds' failed to satisfy constraint: Member must have value between 30 and 2592000`);
  if (input.Comment !== undefined && String(input.Comment).length > 100) throw new AwsError('ValidationException', "1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 100");
  const parameters = checkParameters(doc, input.Parameters ?? {});
  const size = Buffer.byteLength(JSON.stringify(doc)) + Object.values(parameters).flat().reduce((n, v) => n + Buffer.byteLength(v), 0);
  if (size > MAX_DOCUMENT_BYTES) throw new AwsError('MaxDocumentSizeExceeded', `The content of the document and its parameters (${size} bytes) exceed the maximum size of 64 KB.`);
  if (doc.mainSteps.length !== 1) throw new AwsError('ValidationException', 'the emulator runs single-step documents only');

  const now = new Date();
  const step = doc.mainSteps[0]!;
  const commandId = randomUUID();
  const output = { ...(input.OutputS3BucketName ? { bucket: String(input.OutputS3BucketName) } : {}), ...(input.OutputS3KeyPrefix ? { prefix: String(input.OutputS3KeyPrefix) } : {}) };
  const key = (stream: string) => [output.prefix, commandId, instanceId, 'awsrunShellScript', step.name, stream].filter(Boolean).join('/');
  const url = (stream: string) => (output.bucket ? `https://s3.${ctx.region}.amazonaws.com/${output.bucket}/${key(stream)}` : '');
  const invocation: Invocation = {
    commandId, instanceId, document: name, documentVersion: version, comment: String(input.Comment ?? ''), parameters, step: step.name,
    status: 'Pending', statusDetails: 'Pending', responseCode: -1, requestedAt: now, visibleAt: (ctx.timing.now ?? Date.now)() + ctx.timing.invisibleMs,
    stdout: '', stderr: '', outputUrl: { stdout: url('stdout'), stderr: url('stderr') }, output,
    expiresAt: new Date(now.getTime() + timeout * 1000), done: Promise.resolve(),
  };
  invocation.done = execute(ctx, doc, invocation, timeout, key);
  const response = {
    Command: {
      CommandId: commandId, DocumentName: name, DocumentVersion: version, Comment: invocation.comment,
      ExpiresAfter: invocation.expiresAt.getTime() / 1000, Parameters: parameters, InstanceIds: [instanceId], Targets: [],
      RequestedDateTime: now.getTime() / 1000, Status: 'Pending', StatusDetails: 'Pending', OutputS3Region: ctx.region,
      OutputS3BucketName: output.bucket ?? '', OutputS3KeyPrefix: output.prefix ?? '', MaxConcurrency: '50', MaxErrors: '0',
      TargetCount: 1, CompletedCount: 0, ErrorCount: 0, DeliveryTimedOutCount: 0, ServiceRole: '', NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false }, TimeoutSeconds: timeout,
    },
  };
  return { invocation, response };
}

function checkParameters(doc: CommandDocument, given: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const key of Object.keys(given)) if (!doc.parameters?.[key]) throw new AwsError('InvalidParameters', `Parameter "${key}" is not defined in the document.`);
  for (const [key, spec] of Object.entries(doc.parameters ?? {})) {
    const values = (given[key] as string[] | undefined) ?? (spec.default !== undefined ? [spec.default] : undefined);
    if (!values) throw new AwsError('InvalidParameters', `Parameter "${key}" is required but was not provided.`);
    if (!Array.isArray(values) || (spec.type === 'String' && values.length !== 1)) throw new AwsError('InvalidParameters', `Parameter "${key}" must be a single String value.`);
    // allowedPattern is a Java regex at the API; the patterns keygate uses are also valid in JavaScript.
    if (spec.allowedPattern && values.some((v) => !new RegExp(spec.allowedPattern!).test(String(v)))) {
      throw new AwsError('InvalidParameters', `Parameter "${key}" "${String(values[0]).slice(0, 40)}…" failed to satisfy constraint: ${spec.allowedPattern}`);
    }
    out[key] = values.map(String);
  }
  return out;
}

async function execute(ctx: RunContext, doc: CommandDocument, inv: Invocation, timeoutSeconds: number, key: (stream: string) => string): Promise<void> {
  const instance = ctx.instances.get(inv.instanceId)!;
  if (instance.stalled === 'pending') {
    // Pending until the test lets the instance go (setInstance), then timed out: it was never delivered.
    while (ctx.instances.get(inv.instanceId)?.stalled === 'pending') await sleep(10);
    return finish(ctx, inv, 'TimedOut', 'DeliveryTimedOut', -1, key);
  }
  if (instance.stalled) {
    await sleep(timeoutSeconds * ctx.timing.secondMs);
    return finish(ctx, inv, 'TimedOut', 'DeliveryTimedOut', -1, key);
  }
  await sleep(ctx.timing.pendingMs);
  inv.status = 'InProgress';
  inv.statusDetails = 'InProgress';
  inv.startedAt = new Date();
  const scripted = ctx.faults?.nextOutcome();
  if (scripted) {
    inv.stdout = scripted.stdout ?? '';
    inv.stderr = scripted.stderr ?? '';
    return finish(ctx, inv, scripted.status, scripted.details ?? (scripted.status === 'TimedOut' ? 'ExecutionTimedOut' : scripted.status), scripted.exitCode ?? -1, key);
  }
  const step = doc.mainSteps[0]!;
  const env: Record<string, string> = { ...ctx.hostEnv() };
  let script = step.inputs.runCommand.join('\n');
  for (const [name, spec] of Object.entries(doc.parameters ?? {})) {
    const value = inv.parameters[name]![0]!;
    // ENV_VAR interpolation exports SSM_<name> (agent >= 3.3.2746.0); otherwise {{ name }} is pasted into the text.
    if (spec.interpolationType === 'ENV_VAR') env[`SSM_${name}`] = value;
    else script = script.replace(new RegExp(`{{\\s*${name}\\s*}}`, 'g'), value);
  }
  const dir = mkdtempSync(join(tmpdir(), 'kg-ssm-'));
  writeFileSync(join(dir, '_script.sh'), script, { mode: 0o700 });
  const limit = Number(step.inputs.timeoutSeconds ?? 3600) * (ctx.timing.scriptSecondMs ?? ctx.timing.secondMs);
  const { code, stdout, stderr, timedOut, endedBy } = await runBash(join(dir, '_script.sh'), dir, env, limit, ctx.faults);
  rmSync(dir, { recursive: true, force: true });
  inv.stdout = stdout;
  inv.stderr = stderr;
  if (endedBy === 'Cancelled') return finish(ctx, inv, 'Cancelled', 'Cancelled', -1, key);
  if (timedOut || endedBy === 'TimedOut') return finish(ctx, inv, 'TimedOut', 'ExecutionTimedOut', -1, key);
  finish(ctx, inv, code === 0 ? 'Success' : 'Failed', code === 0 ? 'Success' : 'Failed', code, key);
}

function finish(ctx: RunContext, inv: Invocation, status: Invocation['status'], details: string, code: number, key: (stream: string) => string): void {
  inv.status = status;
  inv.statusDetails = details;
  inv.responseCode = code;
  inv.endedAt = new Date();
  // The agent uploads the complete streams with the instance role (a missing bucket only loses them).
  if (inv.output.bucket && inv.startedAt) {
    ctx.upload(inv.output.bucket, key('stdout'), inv.stdout);
    if (inv.stderr) ctx.upload(inv.output.bucket, key('stderr'), inv.stderr);
  }
}

function runBash(file: string, cwd: string, env: Record<string, string>, limitMs: number, faults?: RunContext['faults']) {
  return new Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean; endedBy?: 'TimedOut' | 'Cancelled' }>((resolve) => {
    const child = spawn('bash', [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let endedBy: 'TimedOut' | 'Cancelled' | undefined;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, limitMs);
    // An executor holding at a fault point (host-fault.py) marks it with its process group: this
    // command's, then SSM ends it the way the fault says (a timeout or a cancel reached at that point).
    const held = faults && join(faults.dir, 'held');
    const watch = held
      ? setInterval(() => {
          if (!existsSync(held) || readFileSync(held, 'utf8').trim() !== String(child.pid)) return;
          rmSync(held, { force: true });
          endedBy = faults!.end();
          killGroup();
        }, 5)
      : undefined;
    child.on('close', (code) => {
      clearTimeout(timer);
      if (watch) clearInterval(watch);
      // Killed by a signal (no exit code): SSM reports -1 (UNCONFIRMED for the agent; Go's ExitCode() is -1 then).
      resolve({ code: code ?? -1, stdout, stderr, timedOut, ...(endedBy ? { endedBy } : {}) });
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const iso = (d?: Date) => (d ? d.toISOString() : '');
/** ISO 8601 duration as GetCommandInvocation prints it: PT0.541S, PT1H0.271S. */
function elapsed(inv: Invocation): string {
  if (!inv.startedAt) return '';
  const ms = (inv.endedAt ?? new Date()).getTime() - inv.startedAt.getTime();
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(3);
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s}S`;
}
const terminal = (inv: Invocation) => !['Pending', 'InProgress'].includes(inv.status);

export function getCommandInvocation(invocations: Map<string, Invocation>, input: any, now = Date.now()): unknown {
  const commandId = String(input.CommandId ?? '');
  if (!/^[0-9a-f-]{36}$/.test(commandId)) throw new AwsError('InvalidCommandId');
  const inv = invocations.get(commandId);
  // Eventually consistent: right after SendCommand the invocation does not exist yet (boto/boto3#2701).
  if (!inv || inv.instanceId !== input.InstanceId || now < inv.visibleAt) throw new AwsError('InvocationDoesNotExist');
  if (input.PluginName !== undefined && input.PluginName !== inv.step) throw new AwsError('InvalidPluginName');
  const done = terminal(inv);
  return {
    CommandId: inv.commandId, InstanceId: inv.instanceId, Comment: inv.comment, DocumentName: inv.document, DocumentVersion: inv.documentVersion,
    PluginName: inv.step, ResponseCode: inv.responseCode, ExecutionStartDateTime: iso(inv.startedAt), ExecutionElapsedTime: elapsed(inv),
    ExecutionEndDateTime: iso(inv.endedAt), Status: inv.status, StatusDetails: inv.statusDetails,
    // Both streams are empty until the invocation ends, then cut at 24,000 / 8,000 characters.
    StandardOutputContent: done ? inv.stdout.slice(0, MAX_STDOUT) : '', StandardOutputUrl: inv.outputUrl.stdout,
    StandardErrorContent: done ? inv.stderr.slice(0, MAX_STDERR) : '', StandardErrorUrl: inv.outputUrl.stderr,
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}

export function listCommandInvocations(invocations: Map<string, Invocation>, input: any, region: string, now = Date.now()): unknown {
  const list = [...invocations.values()].filter(
    (inv) => (!input.CommandId || inv.commandId === input.CommandId) && (!input.InstanceId || inv.instanceId === input.InstanceId) && now >= inv.visibleAt,
  );
  return {
    CommandInvocations: list.map((inv) => ({
      CommandId: inv.commandId, InstanceId: inv.instanceId, InstanceName: '', Comment: inv.comment, DocumentName: inv.document,
      DocumentVersion: inv.documentVersion, RequestedDateTime: inv.requestedAt.getTime() / 1000, Status: inv.status, StatusDetails: inv.statusDetails,
      StandardOutputUrl: inv.outputUrl.stdout, StandardErrorUrl: inv.outputUrl.stderr, ServiceRole: '',
      NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' }, CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
      CommandPlugins: input.Details
        ? [{
            Name: inv.step, Status: inv.status, StatusDetails: inv.statusDetails, ResponseCode: inv.responseCode,
            ...(inv.startedAt ? { ResponseStartDateTime: inv.startedAt.getTime() / 1000 } : {}),
            ...(inv.endedAt ? { ResponseFinishDateTime: inv.endedAt.getTime() / 1000 } : {}),
            // Details output is cut far shorter than GetCommandInvocation's (aws/aws-sdk-java#1499).
            Output: terminal(inv) ? (inv.stdout.length > 2500 ? `${inv.stdout.slice(0, 2500)}\n---Output truncated---` : inv.stdout) : '',
            StandardOutputUrl: inv.outputUrl.stdout, StandardErrorUrl: inv.outputUrl.stderr, OutputS3Region: region,
            OutputS3BucketName: inv.output.bucket ?? '', OutputS3KeyPrefix: inv.output.prefix ?? '',
          }]
        : [],
    })),
  };
}
