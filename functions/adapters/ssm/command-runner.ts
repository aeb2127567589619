import {
  GetCommandInvocationCommand,
  InvalidInstanceId,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMServiceException,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { SsmCommandRejectedError, SsmInstanceUnavailableError } from '../../core/errors';
import { ssmClient } from './client';

export interface SendCommandInput {
  documentName: string;
  instanceId: string;
  /** Every value is a list on the wire; values must never hold a secret (they are plaintext in ListCommands). */
  parameters: Record<string, string[]>;
  comment?: string;
  /** Delivery timeout: a command not started by then never runs (30 s minimum). */
  timeoutSeconds?: number;
  /** Full stdout/stderr go here too, so output beyond the inline limits can still be read. */
  output?: { bucket: string; prefix: string };
}

/**
 * Default delivery timeout (SendCommand `TimeoutSeconds`): a command the agent has not started by then
 * never runs. With the Command document's execution timeout it bounds how long a command can live,
 * which the state machines' result waits must outlast (tests/unit/statemachine/wait-budget.test.ts).
 */
export const DELIVERY_TIMEOUT_SECONDS = 120;

/** The SendCommand refusals that are about the command, not the instance (ssm-and-events.md §2). */
const REJECTIONS = ['InvalidDocument', 'InvalidDocumentVersion', 'InvalidParameters', 'MaxDocumentSizeExceeded', 'InvalidOutputFolder', 'UnsupportedPlatformType', 'DuplicateInstanceId', 'InvalidRole', 'InvalidNotificationConfig', 'ValidationException'];

/**
 * Sends one command to one instance. An unknown or offline instance becomes
 * {@link SsmInstanceUnavailableError}; a refused document or parameters {@link SsmCommandRejectedError};
 * throttling and 5xx pass through unchanged for the state machine's Retry.
 */
export async function sendCommand(input: SendCommandInput, opts: { client?: SSMClient; signal?: AbortSignal } = {}): Promise<{ commandId: string }> {
  const client = opts.client ?? ssmClient();
  try {
    const out = await client.send(
      new SendCommandCommand({
        DocumentName: input.documentName,
        InstanceIds: [input.instanceId],
        Parameters: input.parameters,
        TimeoutSeconds: input.timeoutSeconds ?? DELIVERY_TIMEOUT_SECONDS,
        ...(input.comment ? { Comment: input.comment.slice(0, 100) } : {}),
        ...(input.output ? { OutputS3BucketName: input.output.bucket, OutputS3KeyPrefix: input.output.prefix } : {}),
      }),
      { abortSignal: opts.signal },
    );
    const commandId = out.Command?.CommandId;
    if (!commandId) throw new SsmCommandRejectedError(input.documentName, 'SendCommand returned no CommandId');
    return { commandId };
  } catch (error) {
    if (error instanceof InvalidInstanceId) throw new SsmInstanceUnavailableError(input.instanceId, { cause: error });
    if (error instanceof SSMServiceException && REJECTIONS.includes(error.name)) throw new SsmCommandRejectedError(input.documentName, `${error.name}: ${error.message}`, { cause: error });
    throw error;
  }
}

export interface InvocationView {
  /** SSM's Status, or `InvocationDoesNotExist` for a moment right after SendCommand (aws/aws-sdk#86). */
  status: string;
  details: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  stdoutUrl: string;
}

/** One GetCommandInvocation: never waits (the state machine's Retry does), never parses output. */
export async function getInvocation(command: { commandId: string; instanceId: string }, opts: { client?: SSMClient; signal?: AbortSignal } = {}): Promise<InvocationView> {
  const client = opts.client ?? ssmClient();
  try {
    const out = await client.send(new GetCommandInvocationCommand({ CommandId: command.commandId, InstanceId: command.instanceId }), { abortSignal: opts.signal });
    return {
      status: out.Status ?? '(none)',
      details: out.StatusDetails ?? '',
      exitCode: out.ResponseCode ?? -1,
      stdout: out.StandardOutputContent ?? '',
      stderr: out.StandardErrorContent ?? '',
      stdoutUrl: out.StandardOutputUrl ?? '',
    };
  } catch (error) {
    if (error instanceof InvocationDoesNotExist) return { status: 'InvocationDoesNotExist', details: '', exitCode: -1, stdout: '', stderr: '', stdoutUrl: '' };
    throw error;
  }
}
