import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fakeAwsCli from './fake-aws.py';
import hostFaultShim from './host-fault.py';
import { ParameterStore, type ParameterRead, type ParameterType } from './parameters';
import { serveJson, type Operation } from './protocol';
import { withFaults } from '../aws-json';
import { getCommandInvocation, listCommandInvocations, sendCommand, type CommandDocument, type CommandOutcome, type InstanceState, type Invocation, type RunContext, type RunTiming } from './run-command';

export type { CommandDocument, CommandOutcome } from './run-command';

/**
 * A fault at a named point of the host executor (emulators/ssm/host-fault.py), fired once, in the
 * first command that reaches it (counted per command; `command` narrows it to observe, apply or publish
 * programs). Deterministic: nothing depends on timing.
 */
export interface HostFault {
  /**
   * `start`: before the executor runs anything; `keycloak-write`: the n-th admin API write (not a GET,
   * not the login); `fsync`: the n-th fsync of a written file (the content is complete, not yet
   * renamed); `rename`: the n-th rename of a written file over its target.
   */
  at: 'start' | 'keycloak-write' | 'fsync' | 'rename';
  nth?: number;
  /** keycloak-write: before it is sent (nothing lands) or after Keycloak answered (it landed). */
  when?: 'before' | 'after';
  command?: 'observe' | 'apply' | 'publish';
  /**
   * kill-group: SIGKILL to the command's process group (bash too: no EXIT trap, as at timeoutSeconds);
   * kill-executor: SIGKILL to the executor only (the out-of-memory killer); hold: stand still until the
   * emulator ends the command with `end`; time-out: the admin API call times out (before: while
   * connecting; after: Keycloak applied the write, its answer never came); disk-full: ENOSPC. (Keycloak
   * refusing, or dropping a connection, is the stand-in's `failWrite`.)
   */
  action: 'kill-group' | 'kill-executor' | 'hold' | 'time-out' | 'disk-full';
  /** hold: how SSM ends the command (default TimedOut, as at the document's timeoutSeconds). */
  end?: 'TimedOut' | 'Cancelled';
}

/**
 * A local SSM endpoint for the real `@aws-sdk/client-ssm` (awsJson1_1, `AWS_ENDPOINT_URL_SSM`):
 * Run Command with the real status lifecycle and limits, where the document's script really runs
 * with bash on this machine; and Parameter Store (GetParameter, PutParameter, DeleteParameter), which
 * the scripts reach through a fake `aws` CLI on their PATH (emulators/ssm/bin/aws), as the Keycloak
 * host reaches SSM with the AWS CLI. Loopback only, port 0.
 */
export interface SsmEmulatorOptions {
  region?: string;
  accountId?: string;
  /** Command documents by name (the content of an AWS::SSM::Document, see commandDocumentFromTemplate). */
  documents?: Record<string, CommandDocument>;
  /** Instances that can receive commands; an absent or offline one answers InvalidInstanceId. */
  instances?: Record<string, Partial<InstanceState>>;
  parameters?: Array<{ name: string; value: string; type?: ParameterType }>;
  timing?: Partial<RunTiming>;
  /** Where the "instance" uploads command output (OutputS3BucketName); without it, output is not uploaded. */
  s3?: { putObject(bucket: string, key: string, body: string): boolean };
  /** Extra environment of the host scripts. */
  hostEnv?: Record<string, string>;
}

export interface SsmEmulator {
  endpoint: string;
  close(): Promise<void>;
  /** Every request: operation and input (SendCommand parameters included, as CloudTrail would show them). */
  calls: Array<{ operation: string; input: any; /** The access key that signed it (emulators/http.ts callerOf). */ caller: string }>;
  invocations: Map<string, Invocation>;
  /** Waits until every command sent so far has ended. */
  settle(): Promise<void>;
  parameters: ParameterStore;
  putParameter(name: string, value: string, type?: ParameterType): void;
  /** Every GetParameter, with the caller's user agent. */
  parameterReads: ParameterRead[];
  setInstance(instanceId: string, state: Partial<InstanceState>): void;
  /** Registers or replaces a Command document. */
  setDocument(name: string, document: CommandDocument): void;
  /** The next `times` calls of `operation` answer ThrottlingException. */
  throttle(operation: string, times: number): void;
  /** The next `times` calls of `operation` answer this error (default SSM's 5xx, `InternalServerError`, HTTP 500). */
  fail(operation: string, times: number, code?: string): void;
  /** Arms a fault at a named point of the host executor (replacing one armed before). */
  injectHostFault(fault: HostFault): void;
  /** The armed fault, once it has fired (undefined while it has not). */
  hostFaultFired(): HostFault | undefined;
  /** Disarms the host fault (fired or not). */
  clearHostFault(): void;
  /** The next command sent ends this way without running its script (a script that fails before the executor: a full disk, a missing python3). */
  failNextCommand(outcome: CommandOutcome): void;
  /** Forgets every fault not yet used up: API errors, the host fault, scripted command ends. */
  clearFaults(): void;
  /** The directory holding the fake `aws` executable (first on the scripts' PATH). */
  fakeBin: string;
  /**
   * The host's temporary directory (TMPDIR of the scripts: the Command document's `mktemp -d` work
   * directories land here): a directory of the emulator's own unless `hostEnv` sets TMPDIR.
   */
  hostTmp: string;
}

/**
 * Writes the fake `aws` executable into a fresh directory (removed by close()), beside a `python3` that
 * runs the real one: a version manager's shim (pyenv) would otherwise put its own bin directory,
 * possibly with a real AWS CLI, in front of the PATH the host scripts see. While a host fault is armed,
 * the executor runs through host-fault.py (beside `bin`, with the fault files in `faults`).
 */
function installFakeCli(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'kg-host-')), 'bin');
  mkdirSync(dir);
  mkdirSync(join(dir, '..', 'faults'));
  writeFileSync(join(dir, 'aws'), `#!/usr/bin/env python3\n${fakeAwsCli}`, { mode: 0o755 });
  writeFileSync(join(dir, '..', 'host-fault.py'), hostFaultShim);
  const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim() || '/usr/bin/python3';
  const shim = join(dir, '..', 'host-fault.py');
  const faults = join(dir, '..', 'faults');
  writeFileSync(
    join(dir, 'python3'),
    [
      '#!/bin/bash',
      `if [ "\${1:-}" = -I ] && [ "\${2##*/}" = executor.py ] && [ -f '${faults}/armed.json' ]; then`,
      `  KEYGATE_HOST_FAULT_DIR='${faults}' exec '${python}' -I '${shim}' "\${@:2}"`,
      'fi',
      `exec '${python}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return dir;
}

export async function start(options: SsmEmulatorOptions = {}): Promise<SsmEmulator> {
  const region = options.region ?? 'eu-central-1';
  const store = new ParameterStore(region, options.accountId ?? '111122223333');
  for (const p of options.parameters ?? []) store.put(p.name, p.value, p.type ?? 'String');
  const invocations = new Map<string, Invocation>();
  const instances = new Map<string, InstanceState>(Object.entries(options.instances ?? {}).map(([id, s]) => [id, { online: true, ...s }]));
  const calls: SsmEmulator['calls'] = [];
  let endpoint = '';
  const fakeBin = installFakeCli();
  const faultDir = join(fakeBin, '..', 'faults');
  let hostFaultEnd: 'TimedOut' | 'Cancelled' = 'TimedOut';
  const nextOutcomes: CommandOutcome[] = [];
  const hostTmp = options.hostEnv?.TMPDIR ?? join(fakeBin, '..', 'tmp');
  mkdirSync(hostTmp, { recursive: true, mode: 0o1777 });
  const ctx: RunContext = {
    documents: new Map(Object.entries(options.documents ?? {})),
    instances,
    timing: { secondMs: 1000, invisibleMs: 300, pendingMs: 200, ...options.timing },
    region,
    hostEnv: () => ({
      PATH: `${fakeBin}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
      HOME: '/tmp',
      LANG: 'C.UTF-8',
      AWS_ENDPOINT_URL_SSM: endpoint,
      AWS_REGION: region,
      TMPDIR: hostTmp,
      ...options.hostEnv,
    }),
    upload: (bucket, key, body) => void options.s3?.putObject(bucket, key, body),
    faults: { dir: faultDir, end: () => hostFaultEnd, nextOutcome: () => nextOutcomes.shift() },
  };
  const operations: Record<string, Operation> = {
    SendCommand: (input) => {
      const { invocation, response } = sendCommand(ctx, input);
      invocations.set(invocation.commandId, invocation);
      return response;
    },
    GetCommandInvocation: async (input) => {
      const running = invocations.get(String(input?.CommandId ?? ''));
      const hold = ctx.timing.holdWhileRunningMs;
      if (hold && running?.status === 'InProgress') await Promise.race([running.done, new Promise((resolve) => setTimeout(resolve, hold))]);
      return getCommandInvocation(invocations, input, (ctx.timing.now ?? Date.now)());
    },
    ListCommandInvocations: (input) => listCommandInvocations(invocations, input, region, (ctx.timing.now ?? Date.now)()),
    ...store.operations(),
  };
  const faultable = withFaults(operations);
  const server = createServer((req, res) => void serveJson(req, res, faultable.operations, (operation, input, caller) => calls.push({ operation, input, caller })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    close: async () => {
      await Promise.all([...invocations.values()].map((i) => i.done));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(join(fakeBin, '..'), { recursive: true, force: true });
    },
    calls,
    invocations,
    settle: async () => void (await Promise.all([...invocations.values()].map((i) => i.done))),
    parameters: store,
    putParameter: (name, value, type = 'String') => void store.put(name, value, type, { overwrite: true }),
    parameterReads: store.reads,
    setDocument: (name, document) => void ctx.documents.set(name, document),
    setInstance: (id, state) => void instances.set(id, { online: true, ...instances.get(id), ...state }),
    throttle: (operation, times) => faultable.fail(operation, times, 'ThrottlingException'),
    fail: (operation, times, code = 'InternalServerError') => faultable.fail(operation, times, code),
    injectHostFault: (fault) => {
      for (const f of ['fired.json', 'held']) rmSync(join(faultDir, f), { force: true });
      hostFaultEnd = fault.end ?? 'TimedOut';
      writeFileSync(join(faultDir, 'armed.json'), JSON.stringify(fault));
    },
    hostFaultFired: () => (existsSync(join(faultDir, 'fired.json')) ? (JSON.parse(readFileSync(join(faultDir, 'fired.json'), 'utf8')) as HostFault) : undefined),
    clearHostFault: () => {
      for (const f of ['armed.json', 'fired.json', 'held']) rmSync(join(faultDir, f), { force: true });
    },
    failNextCommand: (outcome) => void nextOutcomes.push(outcome),
    clearFaults: () => {
      faultable.clear();
      nextOutcomes.splice(0);
      for (const f of ['armed.json', 'fired.json', 'held']) rmSync(join(faultDir, f), { force: true });
    },
    fakeBin,
    hostTmp,
  };
}
