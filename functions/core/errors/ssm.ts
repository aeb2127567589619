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

/**
 * How a command that printed no result ended, in words, and the fix: a killed or timed-out command is
 * said so, never as a bare "exit code -1" (SSM's ResponseCode when the script got no exit code).
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html (statuses)
 */
function endedText(status: string, details: string, exitCode: number): { ended: string; fix: string } {
  if (status === 'TimedOut' && /Delivery/i.test(details)) {
    return { ended: `ended TimedOut (${details}): the SSM agent on the instance never started it before its delivery timeout`, fix: 'check that the SSM agent runs and reaches the SSM endpoints (the instance is online in Fleet Manager)' };
  }
  if (status === 'TimedOut') {
    return { ended: `ended TimedOut (${details || 'ExecutionTimedOut'}): the host script ran into the Command document's timeoutSeconds and was killed there`, fix: "look at the host's load and at how long Keycloak's admin API takes to answer" };
  }
  if (status === 'Cancelled' || status === 'Cancelling') {
    return { ended: `ended ${status}: the command was cancelled (CancelCommand, or the instance stopped) before it finished`, fix: 'run again once nobody cancels it and the instance runs' };
  }
  if (exitCode === -1) {
    return { ended: `ended ${status} (${details}) without an exit code: the host script was killed by a signal (the out-of-memory killer, a kill of its process group, or an SSM agent restart)`, fix: "look at the host's memory and its kernel log (dmesg) for the kill" };
  }
  if (exitCode > 128 && exitCode < 160) {
    const signal = ({ 9: 'SIGKILL, as the out-of-memory killer sends it', 15: 'SIGTERM' } as Record<number, string>)[exitCode - 128] ?? `signal ${exitCode - 128}`;
    return { ended: `ended ${status} (${details}), exit code ${exitCode}: a process of the host script was killed by ${signal}`, fix: "look at the host's memory and its kernel log (dmesg) for the kill" };
  }
  return { ended: `ended ${status} (${details}), exit code ${exitCode}`, fix: 'the host script\'s own message (above, if any) names the cause' };
}

/**
 * The command ended Failed, TimedOut, Cancelled or Cancelling without a result. Terminal. Says how it
 * ended in words, that what it did is unknown, what the next run does, and the fix.
 */
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
    const { ended, fix } = endedText(status, statusDetails, exitCode);
    super(
      `SSM command ${commandId} on ${instanceId} ${ended}${stderrExcerpt ? `: ${stderrExcerpt}` : ''}. ` +
        'It printed no result, so what it did is unknown: an apply may have made part of its changes. The next run observes again and applies only what is still missing, ' +
        `and a later command removes what a killed one left on the host. Fix: ${fix}.`,
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
