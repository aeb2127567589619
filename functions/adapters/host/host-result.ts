import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SsmCommandFailedError, SsmCommandOutputError, SsmCommandPendingError } from '../../core/errors';
import type { HostResult } from '../../core/host/program';
import { ssmCommandReadiness } from '../../core/readiness';
import { redact } from '../../platform/redact';
import { getInvocation, type InvocationView } from '../ssm/command-runner';

// Reading what a host program sent by host-runner.ts left: its own module, so that a function that
// only reads results (Get Realm Command Result) does not bundle the executor it never sends. The copy
// of an output over 24,000 characters in the output bucket is read by a reader the caller passes
// (long-output.ts): a function whose commands stay under that size bundles no S3 client.

/**
 * Reads the full stdout of a command whose inline output SSM cut at 24,000 characters, from the copy
 * the agent wrote to the output bucket; undefined when there is none.
 */
export type LongOutputReader = (command: SentCommand, view: InvocationView, signal?: AbortSignal) => Promise<string | undefined>;

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

/**
 * The result of a sent program once its command has ended. Throws {@link SsmCommandPendingError}
 * while it has not (the state machine retries), {@link SsmCommandFailedError} when the command
 * failed without a result (timeout, crash), {@link SsmCommandOutputError} when the output cannot be
 * trusted. A program that stopped on a Keycloak error still returns its result (`ok: false`).
 */
export async function readHostResult(command: SentCommand, opts: { signal?: AbortSignal; readLongOutput?: LongOutputReader } = {}): Promise<HostResult> {
  const view = await getInvocation(command, opts);
  const readiness = ssmCommandReadiness(view.status, view.details);
  if (readiness.state === 'pending') throw new SsmCommandPendingError(command.commandId, command.instanceId, view.status);
  const long = view.stdout.length >= INLINE_STDOUT_LIMIT;
  // Inline stdout when it is complete; otherwise the copy the agent wrote to S3. Never a truncated text.
  const text = !long ? view.stdout : opts.readLongOutput ? await opts.readLongOutput(command, view, opts.signal) : undefined;
  const framed = text === undefined ? undefined : parseFramedResult(text);
  if (framed) return framed;
  if (readiness.state === 'failed') {
    throw new SsmCommandFailedError(command.commandId, command.instanceId, view.status, view.details, view.exitCode, excerpt(view.stderr));
  }
  if (long && !opts.readLongOutput) {
    throw new SsmCommandOutputError(command.commandId, 'the output is over 24,000 characters and this step reads no output bucket: its programs report far less (a CIMD file observation carries at most a small document); was the executor changed?');
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
export async function awaitHostResult(command: SentCommand, opts: { budgetMs: number; signal?: AbortSignal; readLongOutput?: LongOutputReader }): Promise<HostResult> {
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
