import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import executorSource from '../../host/executor.py';
import { SsmCommandFailedError, SsmCommandOutputError, SsmCommandPendingError } from '../../core/errors';
import type { HostProgram, HostResult } from '../../core/host/program';
import { ssmCommandReadiness } from '../../core/readiness';
import { redact } from '../../platform/redact';
import { readObjectText, parseS3Url } from '../s3/object-reader';
import { annotateAwsError } from '../aws-call';
import { AWS_TRANSIENT_ERROR_NAMES } from '../../core/errors';

const S3_TRANSIENT = AWS_TRANSIENT_ERROR_NAMES.s3;
import { getInvocation, sendCommand, type InvocationView } from '../ssm/command-runner';

/**
 * Runs host programs (functions/core/host/program.ts) on the Keycloak instance through the keygate
 * Command document: the gzip'd executor (its text pinned by SHA-256 in the document) and the gzip'd
 * program travel as base64 parameters; secrets travel as names only and are read on the host.
 */
export interface HostTarget {
  documentName: string;
  instanceId: string;
  /** Bucket for the full command output (the inline output stops at 24,000 characters). */
  outputBucket?: string;
}

export interface SentCommand {
  commandId: string;
  instanceId: string;
}

/** SSM's inline output limit for stdout (ssm-and-events.md §3). */
export const INLINE_STDOUT_LIMIT = 24_000;

/** SHA-256 of the executor this code ships; the Command document refuses any other. */
export const EXECUTOR_SHA256 = createHash('sha256').update(executorSource).digest('hex');

/** The SendCommand parameters for a program: names of secrets at most, never values. */
export function hostCommandParameters(program: HostProgram): Record<string, string[]> {
  return {
    // gzip'd: the parameter allows 32,768 base64 characters, which the plain text would soon outgrow.
    executor: [gzipSync(Buffer.from(executorSource, 'utf8'), { level: 9 }).toString('base64')],
    program: [gzipSync(Buffer.from(JSON.stringify(program), 'utf8')).toString('base64')],
  };
}

export async function sendHostProgram(target: HostTarget, program: HostProgram, opts: { comment: string; signal?: AbortSignal }): Promise<SentCommand> {
  const { commandId } = await sendCommand(
    {
      documentName: target.documentName,
      instanceId: target.instanceId,
      parameters: hostCommandParameters(program),
      comment: opts.comment,
      ...(target.outputBucket ? { output: { bucket: target.outputBucket, prefix: 'keygate-host' } } : {}),
    },
    { signal: opts.signal },
  );
  return { commandId, instanceId: target.instanceId };
}

/**
 * The result of a sent program once its command has ended. Throws {@link SsmCommandPendingError}
 * while it has not (the state machine retries), {@link SsmCommandFailedError} when the command
 * failed without a result (timeout, crash), {@link SsmCommandOutputError} when the output cannot be
 * trusted. A program that stopped on a Keycloak error still returns its result (`ok: false`).
 */
export async function readHostResult(command: SentCommand, opts: { signal?: AbortSignal } = {}): Promise<HostResult> {
  const view = await getInvocation(command, opts);
  const readiness = ssmCommandReadiness(view.status, view.details);
  if (readiness.state === 'pending') throw new SsmCommandPendingError(command.commandId, command.instanceId, view.status);
  const text = await fullStdout(command, view, opts.signal);
  const framed = text === undefined ? undefined : parseFramedResult(text);
  if (framed) return framed;
  if (readiness.state === 'failed') {
    throw new SsmCommandFailedError(command.commandId, command.instanceId, view.status, view.details, view.exitCode, excerpt(view.stderr));
  }
  throw new SsmCommandOutputError(command.commandId, text === undefined ? 'the output is over 24,000 characters and was not found in the output bucket (does the instance role allow s3:PutObject there?)' : 'no keygate result in the output');
}

/**
 * Waits for a short program inside one function invocation: polls {@link readHostResult} (100 ms at
 * first, backing off to 2 s) until the command ends or `budgetMs` is spent, then lets the last
 * {@link SsmCommandPendingError} through for the state machine's Retry. For programs that take
 * seconds (a file write); the realm reconciler, whose programs can take minutes, waits in its state
 * machine instead.
 */
export async function awaitHostResult(command: SentCommand, opts: { budgetMs: number; signal?: AbortSignal }): Promise<HostResult> {
  const deadline = Date.now() + opts.budgetMs;
  for (let delay = 100; ; delay = Math.min(delay * 1.5, 2000)) {
    try {
      return await readHostResult(command, opts);
    } catch (error) {
      if (!(error instanceof SsmCommandPendingError) || Date.now() + delay > deadline) throw error;
    }
    await sleep(delay, undefined, { signal: opts.signal });
  }
}

/** Inline stdout when it is complete; otherwise the copy the agent wrote to S3. Never a truncated text. */
async function fullStdout(command: SentCommand, view: InvocationView, signal?: AbortSignal): Promise<string | undefined> {
  if (view.stdout.length < INLINE_STDOUT_LIMIT) return view.stdout;
  const location = parseS3Url(view.stdoutUrl);
  if (!location) return undefined;
  try {
    return await readObjectText(location, { signal });
  } catch (cause) {
    // Throttling and 5xx pass on under their own names, which the await steps retry (the command has
    // ended: reading its output again is safe); anything else ends the step naming the S3 error and the fix.
    const name = (cause as { name?: string }).name ?? '';
    if ((S3_TRANSIENT as readonly string[]).includes(name)) throw annotateAwsError(cause, `reading the full output (over 24,000 characters) of SSM command ${command.commandId} on ${command.instanceId}`);
    const message = ((cause as Error).message ?? '').split('\n')[0]!.trim();
    throw new SsmCommandOutputError(
      command.commandId,
      `the output is over 24,000 characters and reading the full copy from s3://${location.bucket}/${location.key} failed: S3 ${name || 'error'}${message && message !== name ? ` (${message})` : ''}. ` +
        'Fix: the functions that read command output need s3:GetObject on the stack\'s CommandOutputBucket (template.yaml grants it) and the bucket must still exist; the instance role needs s3:PutObject there',
      { cause },
    );
  }
}

/**
 * The executor prints `keygate-result sha256=<hex> length=<n>` and then the JSON on one line. A body
 * that is shorter or hashes differently was cut: it is never parsed.
 */
export function parseFramedResult(text: string): HostResult | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('keygate-result '));
  if (at < 0) return undefined;
  const header = /^keygate-result sha256=([0-9a-f]{64}) length=(\d+)$/.exec(lines[at]!);
  const body = lines[at + 1] ?? '';
  if (!header || body.length !== Number(header[2]) || createHash('sha256').update(body).digest('hex') !== header[1]) return undefined;
  return JSON.parse(body) as HostResult;
}

function excerpt(stderr: string): string {
  const text = redact(stderr.trim());
  return text.length > 400 ? `…${text.slice(-400)}` : text;
}
