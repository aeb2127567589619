import {
  GetCommandInvocationCommand,
  GetParameterCommand,
  InvalidDocument,
  InvalidInstanceId,
  InvalidParameters,
  InvalidPluginName,
  InvocationDoesNotExist,
  ListCommandInvocationsCommand,
  MaxDocumentSizeExceeded,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
  SSMServiceException,
  type GetCommandInvocationCommandOutput,
} from '@aws-sdk/client-ssm';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { start as startS3, type S3Emulator } from '../../../emulators/s3';
import { start, type CommandDocument, type SsmEmulator } from '../../../emulators/ssm';
import { FAKE_CREDENTIALS } from '../../support/capture-http';

const INSTANCE = 'i-0123456789abcdef0';
const OFFLINE = 'i-0fedcba9876543210';
const STALLED = 'i-00000000000000001';

const doc = (lines: string[], params: CommandDocument['parameters'] = {}, timeoutSeconds = '600'): CommandDocument => ({
  schemaVersion: '2.2',
  parameters: params,
  mainSteps: [{ action: 'aws:runShellScript', name: 'runScript', inputs: { runCommand: lines, timeoutSeconds } }],
});

let ssm: SsmEmulator;
let s3: S3Emulator;
let client: SSMClient;
let heldAt: number | undefined;

beforeAll(async () => {
  s3 = await startS3({ buckets: ['out'] });
  ssm = await start({
    documents: {
      echo: doc(['set -euo pipefail', 'echo "hello $SSM_name"', 'echo "to stderr" >&2'], { name: { type: 'String', allowedPattern: '^[a-z]{1,10}$', interpolationType: 'ENV_VAR' } }),
      // Runs until the test creates the file its gate parameter names: InProgress for as long as the test looks.
      gated: doc(['while [ ! -e "$SSM_gate" ]; do sleep 0.02; done', 'echo "hello $SSM_name"', 'echo "to stderr" >&2'], {
        name: { type: 'String', interpolationType: 'ENV_VAR' },
        gate: { type: 'String', interpolationType: 'ENV_VAR' },
      }),
      pasted: doc(['echo "pasted {{ name }}"'], { name: { type: 'String', default: 'world' } }),
      fail: doc(['echo partial', 'exit 3']),
      big: doc(['python3 -c "import sys; sys.stdout.write(\'a\' * 30000); sys.stderr.write(\'b\' * 10000)"']),
      slow: doc(['sleep 5'], {}, '2'),
      secret: doc(['aws ssm get-parameter --name /kg/secret --with-decryption --query Parameter.Value --output text', 'aws ssm get-parameter --name /kg/missing --with-decryption || echo "exit=$?"']),
      huge: doc(['true'], { blob: { type: 'String', interpolationType: 'ENV_VAR' } }),
    },
    instances: { [INSTANCE]: { online: true }, [OFFLINE]: { online: false }, [STALLED]: { online: true, stalled: true } },
    parameters: [{ name: '/kg/secret', value: 'super-secret-value', type: 'SecureString' }],
    // The invisibility clock stands still while `heldAt` is set (the first lifecycle test looks inside it).
    timing: { secondMs: 20, invisibleMs: 150, pendingMs: 50, now: () => heldAt ?? Date.now() },
    s3,
  });
  client = new SSMClient({ endpoint: ssm.endpoint, region: 'eu-central-1', credentials: FAKE_CREDENTIALS });
});
afterAll(async () => {
  await ssm.close();
  await s3.close();
});

const send = (input: Partial<ConstructorParameters<typeof SendCommandCommand>[0]>) =>
  client.send(new SendCommandCommand({ DocumentName: 'echo', InstanceIds: [INSTANCE], Parameters: { name: ['world'] }, ...input }));
const invocation = (commandId: string, instanceId = INSTANCE) => client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));

/** The invocation once GetCommandInvocation finds it (after the invisibility window), whatever its status. */
async function untilVisible(commandId: string): Promise<GetCommandInvocationCommandOutput> {
  for (;;) {
    try {
      return await invocation(commandId);
    } catch (e) {
      if (!(e instanceof InvocationDoesNotExist)) throw e;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function untilTerminal(commandId: string, instanceId = INSTANCE): Promise<GetCommandInvocationCommandOutput> {
  for (;;) {
    try {
      const out = await invocation(commandId, instanceId);
      if (!['Pending', 'InProgress', 'Delayed'].includes(out.Status!)) return out;
    } catch (e) {
      if (!(e instanceof InvocationDoesNotExist)) throw e;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Run Command lifecycle', () => {
  it('answers InvocationDoesNotExist and an empty list right after SendCommand, then Pending/InProgress with empty output, then Success', async () => {
    // Prepare / Act: the invisibility window held open, the script held running (no timing involved)
    const gate = join(mkdtempSync(join(tmpdir(), 'kg-ssm-gate-')), 'open');
    heldAt = Date.now();
    const sent = await send({ DocumentName: 'gated', Parameters: { name: ['world'], gate: [gate] } });
    const id = sent.Command!.CommandId!;
    // Assess
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.Command!.RequestedDateTime).toBeInstanceOf(Date);
    expect(sent.Command!.ExpiresAfter).toBeInstanceOf(Date);
    await expect(invocation(id)).rejects.toBeInstanceOf(InvocationDoesNotExist);
    expect((await client.send(new ListCommandInvocationsCommand({ CommandId: id }))).CommandInvocations).toEqual([]);
    heldAt = undefined;
    const early = await untilVisible(id);
    expect(['Pending', 'InProgress']).toContain(early.Status);
    expect(early.StandardOutputContent).toBe('');
    writeFileSync(gate, '');
    const done = await untilTerminal(id);
    rmSync(dirname(gate), { recursive: true, force: true });
    expect(done).toMatchObject({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, PluginName: 'runScript', StandardOutputContent: 'hello world\n', StandardErrorContent: 'to stderr\n', StandardOutputUrl: '' });
    expect(done.ExecutionStartDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(done.ExecutionElapsedTime).toMatch(/^PT(\d+H)?(\d+M)?\d+\.\d{3}S$/);
  });

  it('sends epoch seconds for Command and CommandInvocation times and ISO strings for GetCommandInvocation times (on the wire)', async () => {
    const sent = await send({});
    const id = sent.Command!.CommandId!;
    await untilTerminal(id);
    const raw = async (target: string, body: unknown): Promise<any> =>
      (await fetch(ssm.endpoint, { method: 'POST', headers: { 'x-amz-target': `AmazonSSM.${target}`, 'content-type': 'application/x-amz-json-1.1', authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-central-1/ssm/aws4_request, SignedHeaders=host, Signature=0' }, body: JSON.stringify(body) })).json();
    const get = await raw('GetCommandInvocation', { CommandId: id, InstanceId: INSTANCE });
    expect(typeof get.ExecutionStartDateTime).toBe('string');
    expect(typeof get.ExecutionEndDateTime).toBe('string');
    const list = await raw('ListCommandInvocations', { CommandId: id, Details: true });
    expect(typeof list.CommandInvocations[0].RequestedDateTime).toBe('number');
    expect(typeof list.CommandInvocations[0].CommandPlugins[0].ResponseStartDateTime).toBe('number');
  });

  it('ends Failed with the exit code, keeping what the script printed', async () => {
    const id = (await send({ DocumentName: 'fail', Parameters: {} })).Command!.CommandId!;
    expect(await untilTerminal(id)).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3, StandardOutputContent: 'partial\n' });
  });

  it('cuts stdout at 24,000 and stderr at 8,000 characters inline, uploads both in full to the output bucket', async () => {
    const id = (await send({ DocumentName: 'big', Parameters: {}, OutputS3BucketName: 'out', OutputS3KeyPrefix: 'kg' })).Command!.CommandId!;
    const out = await untilTerminal(id);
    expect(out.StandardOutputContent).toHaveLength(24_000);
    expect(out.StandardErrorContent).toHaveLength(8_000);
    expect(out.StandardOutputUrl).toBe(`https://s3.eu-central-1.amazonaws.com/out/kg/${id}/${INSTANCE}/awsrunShellScript/runScript/stdout`);
    const s3client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'eu-central-1', credentials: FAKE_CREDENTIALS });
    const object = await s3client.send(new GetObjectCommand({ Bucket: 'out', Key: `kg/${id}/${INSTANCE}/awsrunShellScript/runScript/stdout` }));
    expect((await object.Body!.transformToString()).length).toBe(30_000);
    const details = await client.send(new ListCommandInvocationsCommand({ CommandId: id, Details: true }));
    expect(details.CommandInvocations![0]!.CommandPlugins![0]!.Output).toMatch(/^a{2500}\n---Output truncated---$/);
  });

  it('times out: ExecutionTimedOut after the step timeout, DeliveryTimedOut when the agent never picks the command up', async () => {
    const slow = (await send({ DocumentName: 'slow', Parameters: {} })).Command!.CommandId!;
    expect(await untilTerminal(slow)).toMatchObject({ Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut' });
    const stalled = (await send({ InstanceIds: [STALLED], TimeoutSeconds: 30 })).Command!.CommandId!;
    await new Promise((r) => setTimeout(r, 160));
    expect((await invocation(stalled, STALLED)).Status).toBe('Pending');
    expect(await untilTerminal(stalled, STALLED)).toMatchObject({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut' });
  });

  it('pastes {{ name }} into the script when a parameter has no ENV_VAR interpolation, and uses defaults', async () => {
    const id = (await send({ DocumentName: 'pasted', Parameters: {} })).Command!.CommandId!;
    expect((await untilTerminal(id)).StandardOutputContent).toBe('pasted world\n');
  });
});

describe('Run Command errors, as the service sends them', () => {
  it.each([
    ['an unknown instance', { InstanceIds: ['i-0aaaaaaaaaaaaaaaa'] }, InvalidInstanceId],
    ['an offline instance', { InstanceIds: [OFFLINE] }, InvalidInstanceId],
    ['a malformed instance id', { InstanceIds: ['web-1'] }, InvalidInstanceId],
    ['an unknown document', { DocumentName: 'nope' }, InvalidDocument],
    ['a value outside allowedPattern', { Parameters: { name: ['x"; curl evil'] } }, InvalidParameters],
    ['an undeclared parameter', { Parameters: { name: ['ok'], extra: ['x'] } }, InvalidParameters],
    ['a document and parameters over 64 KB', { DocumentName: 'huge', Parameters: { blob: ['x'.repeat(70_000)] } }, MaxDocumentSizeExceeded],
  ])('refuses %s', async (_what, input, type) => {
    await expect(send(input)).rejects.toBeInstanceOf(type);
  });

  it('names the instance in InvalidInstanceId and rejects a timeout below 30 s', async () => {
    await expect(send({ InstanceIds: [OFFLINE] })).rejects.toThrow(`Instances [[${OFFLINE}]] not in a valid state`);
    await expect(send({ TimeoutSeconds: 10 })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('GetCommandInvocation: InvocationDoesNotExist for another instance, InvalidPluginName for another step', async () => {
    const id = (await send({})).Command!.CommandId!;
    await untilTerminal(id);
    await expect(invocation(id, OFFLINE)).rejects.toBeInstanceOf(InvocationDoesNotExist);
    await expect(client.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: INSTANCE, PluginName: 'aws:runShellScript' }))).rejects.toBeInstanceOf(InvalidPluginName);
  });

  it('throttles on request: the SDK retries once transparently, and gives up after its three attempts', async () => {
    const before = ssm.calls.length;
    ssm.throttle('ListCommandInvocations', 1);
    await client.send(new ListCommandInvocationsCommand({}));
    expect(ssm.calls.length - before).toBe(2);
    ssm.throttle('ListCommandInvocations', 5);
    const error = await client.send(new ListCommandInvocationsCommand({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SSMServiceException);
    expect((error as Error).name).toBe('ThrottlingException');
    ssm.throttle('ListCommandInvocations', 0);
  });

  it('requires a SigV4 Authorization header', async () => {
    const res = await fetch(ssm.endpoint, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.ListCommandInvocations', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });
});

describe('Parameter Store', () => {
  it('returns a SecureString value only WithDecryption, and versions overwrites', async () => {
    await client.send(new PutParameterCommand({ Name: '/kg/test/pw', Value: 'v1', Type: 'SecureString' }));
    const hidden = await client.send(new GetParameterCommand({ Name: '/kg/test/pw' }));
    expect(hidden.Parameter!.Value).not.toBe('v1');
    expect(hidden.Parameter!.LastModifiedDate).toBeInstanceOf(Date);
    await expect(client.send(new PutParameterCommand({ Name: '/kg/test/pw', Value: 'v2', Type: 'SecureString' }))).rejects.toBeInstanceOf(ParameterAlreadyExists);
    expect((await client.send(new PutParameterCommand({ Name: '/kg/test/pw', Value: 'v2', Overwrite: true }))).Version).toBe(2);
    expect((await client.send(new GetParameterCommand({ Name: '/kg/test/pw', WithDecryption: true }))).Parameter).toMatchObject({ Value: 'v2', Type: 'SecureString', Version: 2, ARN: 'arn:aws:ssm:eu-central-1:111122223333:parameter/kg/test/pw' });
    await expect(client.send(new GetParameterCommand({ Name: '/kg/none' }))).rejects.toBeInstanceOf(ParameterNotFound);
  });

  it('serves the host scripts\' `aws ssm get-parameter`, which reports a missing parameter as the real CLI does', async () => {
    const id = (await send({ DocumentName: 'secret', Parameters: {} })).Command!.CommandId!;
    const out = await untilTerminal(id);
    expect(out.StandardOutputContent).toBe('super-secret-value\nexit=254\n');
    expect(out.StandardErrorContent).toContain('An error occurred (ParameterNotFound) when calling the GetParameter operation');
    expect(ssm.parameterReads.filter((r) => r.name === '/kg/secret').map((r) => r.userAgent)).toEqual(['aws-cli/2 (keygate emulator host)']);
  });
});
