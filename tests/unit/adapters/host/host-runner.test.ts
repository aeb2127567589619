import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetCommandInvocationCommand, InvocationDoesNotExist, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { awaitHostResult, parseFramedResult, readHostResult } from '../../../../functions/adapters/host/host-result';
import { EXECUTOR_SHA256, hostCommandParameters, sendHostProgram } from '../../../../functions/adapters/host/host-runner';
import { readLongOutputFromS3 } from '../../../../functions/adapters/host/long-output';
import { parseS3Url } from '../../../../functions/adapters/s3/object-reader';
import type { HostProgram } from '../../../../functions/core/host/program';
import { fromRoot } from '../../../support/paths';

const ssm = mockClient(SSMClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  ssm.reset();
  s3.reset();
});
afterEach(() => {
  // No command went out that a test did not set up.
  expect(ssm.commandCalls(SendCommandCommand).length + ssm.commandCalls(GetCommandInvocationCommand).length).toBe(ssm.calls().length);
});

const COMMAND = { commandId: 'c0ffee00-1111-2222-3333-444455556666', instanceId: 'i-0123456789abcdef0' };
/** What the realm's functions pass: the output bucket's copy of a long output. */
const LONG = { readLongOutput: readLongOutputFromS3 };
const program: HostProgram = { version: 1, admin: { url: 'http://127.0.0.1:8080', realm: 'master', username: 'admin', passwordParameter: '/kg/admin' }, region: 'eu-central-1', ops: [] };
const frame = (result: unknown) => {
  const body = JSON.stringify(result);
  return `keygate-result sha256=${createHash('sha256').update(body).digest('hex')} length=${body.length}\n${body}\n`;
};
const invocation = (fields: Record<string, unknown>) => ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, StandardOutputContent: '', StandardErrorContent: '', StandardOutputUrl: '', ...fields });
/** The part of the SDK's streaming body the reader uses. */
const body = (text: string) => ({ transformToString: async () => text });

describe('hostCommandParameters', () => {
  it('ships the executor the document pins and the program, both gzip\'d and base64 (allowedPattern-safe)', () => {
    const params = hostCommandParameters(program);
    expect(createHash('sha256').update(gunzipSync(Buffer.from(params.executor![0]!, 'base64'))).digest('hex')).toBe(EXECUTOR_SHA256);
    expect(EXECUTOR_SHA256).toBe(createHash('sha256').update(readFileSync(fromRoot('functions', 'host', 'executor.py'))).digest('hex'));
    expect(JSON.parse(gunzipSync(Buffer.from(params.program![0]!, 'base64')).toString())).toEqual(program);
    for (const [v] of Object.values(params)) expect(v).toMatch(/^[A-Za-z0-9+/=]+$/);
  });
});

describe('sendHostProgram', () => {
  it('asks for S3 output when there is a bucket, and a delivery timeout', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND.commandId } });
    await sendHostProgram({ documentName: 'doc', instanceId: COMMAND.instanceId, outputBucket: 'out' }, program, { comment: 'keygate observe realm mcp-demo' });
    expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, { DocumentName: 'doc', InstanceIds: [COMMAND.instanceId], OutputS3BucketName: 'out', OutputS3KeyPrefix: 'keygate-host', TimeoutSeconds: 120, Comment: 'keygate observe realm mcp-demo' });
  });
});

describe('readHostResult', () => {
  it.each([['Pending'], ['InProgress'], ['Delayed']])('%s → SsmCommandPendingError (the state machine retries)', async (status) => {
    invocation({ Status: status });
    await expect(readHostResult(COMMAND)).rejects.toMatchObject({ name: 'SsmCommandPendingError', status });
  });

  it('InvocationDoesNotExist right after SendCommand → pending too', async () => {
    ssm.on(GetCommandInvocationCommand).rejects(new InvocationDoesNotExist({ $metadata: {}, message: 'InvocationDoesNotExist' }));
    await expect(readHostResult(COMMAND)).rejects.toMatchObject({ name: 'SsmCommandPendingError', status: 'InvocationDoesNotExist' });
  });

  it('returns the framed result of a successful command', async () => {
    invocation({ StandardOutputContent: frame({ ok: true, done: 2, results: { a: 1 } }) });
    await expect(readHostResult(COMMAND)).resolves.toEqual({ ok: true, done: 2, results: { a: 1 } });
  });

  it('returns the executor\'s own error from a Failed command (the handler names the change)', async () => {
    invocation({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3, StandardOutputContent: frame({ ok: false, done: 1, error: { kind: 'rejected', message: 'x' } }) });
    await expect(readHostResult(COMMAND)).resolves.toMatchObject({ ok: false, error: { kind: 'rejected' } });
  });

  it('a Failed or TimedOut command without a result → SsmCommandFailedError with exit code and a redacted stderr excerpt', async () => {
    invocation({ Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut', ResponseCode: -1, StandardErrorContent: 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4eHh4eHh4In0.c2lnbmF0dXJlc2ln\nboom' });
    const error = await readHostResult(COMMAND).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'SsmCommandFailedError', status: 'TimedOut', statusDetails: 'ExecutionTimedOut', exitCode: -1 });
    expect((error as Error).message).not.toContain('eyJ');
    expect((error as Error).message).toMatch(/ended TimedOut \(ExecutionTimedOut\): the host script ran into the Command document's timeoutSeconds and was killed there: .*boom\. It printed no result, so what it did is unknown/s);
    expect((error as Error).message).not.toContain('exit code -1');
  });

  it('an output at the 24,000-character limit is read in full from S3, never parsed inline', async () => {
    const full = 'x'.repeat(30_000) + '\n' + frame({ ok: true, done: 0, results: {} });
    invocation({ StandardOutputContent: full.slice(0, 24_000), StandardOutputUrl: `https://s3.eu-central-1.amazonaws.com/out/keygate-host/${COMMAND.commandId}/${COMMAND.instanceId}/awsrunShellScript/keygateHostProgram/stdout` });
    s3.on(GetObjectCommand).resolves({ Body: body(full) as never });
    await expect(readHostResult(COMMAND, LONG)).resolves.toEqual({ ok: true, done: 0, results: {} });
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'out', Key: `keygate-host/${COMMAND.commandId}/${COMMAND.instanceId}/awsrunShellScript/keygateHostProgram/stdout` });
  });

  it('reading the full output: a transient S3 error passes on under its own name (the await steps retry it); a lasting one names the S3 cause and the fix', async () => {
    invocation({ StandardOutputContent: 'y'.repeat(24_000), StandardOutputUrl: 'https://s3.eu-central-1.amazonaws.com/out/k' });
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: {}, message: 'Please reduce your request rate.' }));
    await expect(readHostResult(COMMAND, LONG)).rejects.toMatchObject({ name: 'SlowDown', keygateDoing: expect.stringContaining(`reading the full output (over 24,000 characters) of SSM command ${COMMAND.commandId}`) });
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'Access Denied' }));
    await expect(readHostResult(COMMAND, LONG)).rejects.toMatchObject({
      name: 'SsmCommandOutputError',
      message: expect.stringContaining('reading the full copy from s3://out/k failed: S3 AccessDenied (Access Denied). Fix: the functions that read command output need s3:GetObject'),
    });
  });

  it('a cut output with no S3 copy → SsmCommandOutputError', async () => {
    invocation({ StandardOutputContent: 'y'.repeat(24_000), StandardOutputUrl: 'https://s3.eu-central-1.amazonaws.com/out/k' });
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ $metadata: {}, message: 'nope' }));
    await expect(readHostResult(COMMAND, LONG)).rejects.toMatchObject({ name: 'SsmCommandOutputError', message: expect.stringContaining('does the instance role allow s3:PutObject there?') });
    invocation({ StandardOutputContent: 'y'.repeat(24_000), StandardOutputUrl: '' });
    await expect(readHostResult(COMMAND, LONG)).rejects.toMatchObject({ name: 'SsmCommandOutputError' });
  });

  it('without a long-output reader (the CIMD publisher: its programs report far less), a cut output is an error naming that, and S3 is never called', async () => {
    invocation({ StandardOutputContent: 'y'.repeat(24_000), StandardOutputUrl: 'https://s3.eu-central-1.amazonaws.com/out/k' });
    await expect(readHostResult(COMMAND)).rejects.toMatchObject({ name: 'SsmCommandOutputError', message: expect.stringContaining('this step reads no output bucket') });
    expect(s3).not.toHaveReceivedCommand(GetObjectCommand);
    // A command that failed is still reported as failed.
    invocation({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 1, StandardOutputContent: 'y'.repeat(24_000) });
    await expect(readHostResult(COMMAND)).rejects.toMatchObject({ name: 'SsmCommandFailedError' });
  });

  it('a successful command that printed no keygate result → SsmCommandOutputError', async () => {
    invocation({ StandardOutputContent: 'hello\n' });
    await expect(readHostResult(COMMAND)).rejects.toMatchObject({ name: 'SsmCommandOutputError', message: expect.stringContaining('no keygate result in the output') });
  });
});

describe('parseFramedResult', () => {
  const text = frame({ ok: true, done: 1, results: { big: 'z'.repeat(100) } });

  it('reads a complete frame and ignores lines around it', () => {
    expect(parseFramedResult(`noise\n${text}`)).toMatchObject({ ok: true, done: 1 });
  });

  it.each([
    ['a body cut short', text.slice(0, text.length - 20)],
    ['a body changed in place', text.replace('zzz', 'zzy')],
    ['no header', text.split('\n')[1]!],
  ])('refuses %s', (_what, input) => {
    expect(parseFramedResult(input)).toBeUndefined();
  });
});

describe('parseS3Url', () => {
  it.each([
    ['https://s3.eu-central-1.amazonaws.com/out/a/b/stdout', { bucket: 'out', key: 'a/b/stdout' }],
    ['https://out.s3.eu-central-1.amazonaws.com/a/b/stdout', { bucket: 'out', key: 'a/b/stdout' }],
    ['https://s3-eu-west-1.amazonaws.com/out/a%3Ab/stdout', { bucket: 'out', key: 'a:b/stdout' }],
    ['', undefined],
    ['https://example.com/x', undefined],
  ])('%s', (url, expected) => {
    expect(parseS3Url(url)).toEqual(expected);
  });
});

describe('awaitHostResult (short programs, waited for inside the function)', () => {
  it('polls until the command ends and returns its result', async () => {
    ssm
      .on(GetCommandInvocationCommand)
      .rejectsOnce(new InvocationDoesNotExist({ $metadata: {}, message: '' }))
      .resolvesOnce({ Status: 'InProgress', StatusDetails: 'InProgress', ResponseCode: -1, StandardOutputContent: '' })
      .resolves({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, StandardOutputContent: frame({ ok: true, done: 1, results: {} }), StandardErrorContent: '', StandardOutputUrl: '' });
    await expect(awaitHostResult(COMMAND, { budgetMs: 5_000 })).resolves.toEqual({ ok: true, done: 1, results: {} });
    expect(ssm).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 3);
  });

  it('hands a command still pending after the budget to the state machine as SsmCommandPendingError', async () => {
    invocation({ Status: 'InProgress', StatusDetails: 'InProgress', ResponseCode: -1 });
    await expect(awaitHostResult(COMMAND, { budgetMs: 300 })).rejects.toMatchObject({ name: 'SsmCommandPendingError', status: 'InProgress' });
    expect(ssm.commandCalls(GetCommandInvocationCommand).length).toBeGreaterThanOrEqual(2);
  });

  it('stops waiting when the function is about to time out', async () => {
    invocation({ Status: 'Pending', StatusDetails: 'Pending', ResponseCode: -1 });
    await expect(awaitHostResult(COMMAND, { budgetMs: 60_000, signal: AbortSignal.timeout(250) })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
