import { KeygateError } from './base';

/**
 * The command has not finished yet (Pending, InProgress, Delayed, or `InvocationDoesNotExist` right
 * after SendCommand). Retryable: the await step retries it with a bounded budget.
 */
export class SsmCommandPendingError extends KeygateError {
  override readonly name = 'SsmCommandPendingError';
  readonly code = 'ERR_SSM_COMMAND_PENDING';

  constructor(
    readonly commandId: string,
    readonly instanceId: string,
    readonly status: string,
  ) {
    super(`SSM command ${commandId} on ${instanceId} is ${status}; waiting`);
  }
}

/** The command ended Failed, TimedOut, Cancelled or Cancelling. Terminal. */
export class SsmCommandFailedError extends KeygateError {
  override readonly name = 'SsmCommandFailedError';
  readonly code = 'ERR_SSM_COMMAND_FAILED';

  constructor(
    readonly commandId: string,
    readonly instanceId: string,
    readonly status: string,
    readonly statusDetails: string,
    readonly exitCode: number,
    /** Already redacted, at most a few hundred characters. */
    readonly stderrExcerpt: string,
  ) {
    super(
      `SSM command ${commandId} on ${instanceId} ended ${status} (${statusDetails}), exit code ${exitCode}` +
        (stderrExcerpt ? `: ${stderrExcerpt}` : ''),
    );
  }
}

/**
 * SendCommand refused the instance: unknown, not managed by SSM (no instance profile, no route to the
 * SSM endpoints, agent stopped) or shutting down (ssm-and-events.md §2). Terminal.
 */
export class SsmInstanceUnavailableError extends KeygateError {
  override readonly name = 'SsmInstanceUnavailableError';
  readonly code = 'ERR_SSM_INSTANCE_UNAVAILABLE';

  constructor(
    readonly instanceId: string,
    options?: { cause?: unknown },
  ) {
    super(
      `instance ${instanceId} cannot receive SSM commands: it is unknown, offline, or not managed by SSM ` +
        '(check that the SSM agent runs, the instance profile has AmazonSSMManagedInstanceCore, and the instance reaches the SSM endpoints)',
      options,
    );
  }
}

/** SendCommand refused the command itself (document, parameters, size, output bucket). Terminal. */
export class SsmCommandRejectedError extends KeygateError {
  override readonly name = 'SsmCommandRejectedError';
  readonly code = 'ERR_SSM_COMMAND_REJECTED';

  constructor(
    readonly documentName: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`SSM refused to run document ${documentName}: ${reason}`, options);
  }
}

/**
 * The command's output cannot be trusted: cut at SSM's 24,000-character limit and not readable from
 * the output bucket, or not the framed result the host executor prints. Never parsed. Terminal.
 */
export class SsmCommandOutputError extends KeygateError {
  override readonly name = 'SsmCommandOutputError';
  readonly code = 'ERR_SSM_COMMAND_OUTPUT';

  constructor(
    readonly commandId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`output of SSM command ${commandId}: ${message}`, options);
  }
}
