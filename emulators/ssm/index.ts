import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fakeAwsCli from './fake-aws.py';
import { ParameterStore, type ParameterRead, type ParameterType } from './parameters';
import { AwsError, serveJson, type Operation } from './protocol';
import { getCommandInvocation, listCommandInvocations, sendCommand, type CommandDocument, type InstanceState, type Invocation, type RunContext, type RunTiming } from './run-command';

export type { CommandDocument } from './run-command';

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
  /** The directory holding the fake `aws` executable (first on the scripts' PATH). */
  fakeBin: string;
}

/**
 * Writes the fake `aws` executable into a fresh directory (removed by close()), beside a link to the
 * real python3: a version manager's shim (pyenv) would otherwise put its own bin directory, possibly
 * with a real AWS CLI, in front of the PATH the host scripts see.
 */
function installFakeCli(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'kg-host-')), 'bin');
  mkdirSync(dir);
  writeFileSync(join(dir, 'aws'), `#!/usr/bin/env python3\n${fakeAwsCli}`, { mode: 0o755 });
  const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
  if (python) symlinkSync(python, join(dir, 'python3'));
  return dir;
}

export async function start(options: SsmEmulatorOptions = {}): Promise<SsmEmulator> {
  const region = options.region ?? 'eu-central-1';
  const store = new ParameterStore(region, options.accountId ?? '111122223333');
  for (const p of options.parameters ?? []) store.put(p.name, p.value, p.type ?? 'String');
  const invocations = new Map<string, Invocation>();
  const instances = new Map<string, InstanceState>(Object.entries(options.instances ?? {}).map(([id, s]) => [id, { online: true, ...s }]));
  const calls: SsmEmulator['calls'] = [];
  const faults = new Map<string, { left: number; code: string }>();
  let endpoint = '';
  const fakeBin = installFakeCli();
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
      ...options.hostEnv,
    }),
    upload: (bucket, key, body) => void options.s3?.putObject(bucket, key, body),
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
      return getCommandInvocation(invocations, input);
    },
    ListCommandInvocations: (input) => listCommandInvocations(invocations, input, region),
    ...store.operations(),
  };
  const throttled = Object.fromEntries(
    Object.entries(operations).map(([name, op]) => [
      name,
      (input: unknown, ua: string) => {
        const fault = faults.get(name);
        if (fault && fault.left > 0) {
          fault.left -= 1;
          throw new AwsError(fault.code, fault.code === 'ThrottlingException' ? 'Rate exceeded' : undefined);
        }
        return op(input, ua);
      },
    ]),
  );
  const server = createServer((req, res) => void serveJson(req, res, throttled, (operation, input, caller) => calls.push({ operation, input, caller })));
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
    throttle: (operation, times) => void faults.set(operation, { left: times, code: 'ThrottlingException' }),
    fail: (operation, times, code = 'InternalServerError') => void faults.set(operation, { left: times, code }),
    fakeBin,
  };
}
