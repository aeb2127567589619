import { AWS_TRANSIENT_ERROR_NAMES, SsmCommandOutputError } from '../../core/errors';
import { annotateAwsError } from '../aws-call';
import { parseS3Url, readObjectText } from '../s3/object-reader';
import type { InvocationView } from '../ssm/command-runner';
import type { LongOutputReader, SentCommand } from './host-result';

// The full output of a host command over SSM's 24,000 inline characters, from the copy the agent wrote
// to the stack's CommandOutputBucket: only the functions whose programs can report that much (the
// realm's observe and apply commands) pass it to readHostResult, and only they bundle S3 for it.

const S3_TRANSIENT = AWS_TRANSIENT_ERROR_NAMES.s3;

/**
 * The output bucket's copy of a long stdout; undefined when the command names none. Throttling and
 * 5xx pass on under their own names, which the await steps retry (the command has ended: reading its
 * output again is safe); anything else ends the step naming the S3 error and the fix.
 *
 * @example
 * await readHostResult(command, { signal, readLongOutput: readLongOutputFromS3 })
 */
export const readLongOutputFromS3: LongOutputReader = async (command: SentCommand, view: InvocationView, signal?: AbortSignal) => {
  const location = parseS3Url(view.stdoutUrl);
  if (!location) return undefined;
  try {
    return await readObjectText(location, { signal });
  } catch (cause) {
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
};
