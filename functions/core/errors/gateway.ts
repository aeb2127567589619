import { KeygateError } from './base';

// Errors of gateway and target provisioning and teardown. Names are string literals: Step Functions
// matches them (provision.asl.json, teardown.asl.json). "NotReady" and "Pending" errors are retried
// with backoff by the state machines; the others end the execution with their message as the cause.

const reasonsText = (reasons: readonly string[]) => (reasons.length ? `: ${reasons.join('; ')}` : ' (the service gave no status reasons)');

/** Retried: the gateway is CREATING or UPDATING (or still DELETING under a name we want to reuse). */
export class GatewayNotReadyError extends KeygateError {
  override readonly name = 'GatewayNotReadyError';
  readonly code = 'ERR_GATEWAY_NOT_READY';

  constructor(
    readonly gatewayId: string,
    readonly status: string,
    options?: { cause?: unknown },
  ) {
    super(`gateway ${gatewayId} is ${status}, not READY yet`, options);
  }
}

/** What to do about a FAILED gateway: the last sentence of {@link GatewayFailedError}'s message. */
export const GATEWAY_FAILED_ADVICE = 'Fix the cause (often the gateway role or the IdP\'s reachability), then run provisioning again: keygate re-applies the document to a failed gateway.';

/** What to do about a FAILED target: the last sentence of {@link GatewayTargetFailedError}'s message. */
export const GATEWAY_TARGET_FAILED_ADVICE = 'An MCP server target usually fails because the gateway cannot reach it or list its tools (network path, TLS certificate, authorization); fix that, then run provisioning again.';

/** Terminal: the gateway ended FAILED or UPDATE_UNSUCCESSFUL (or an unknown status); carries statusReasons. */
export class GatewayFailedError extends KeygateError {
  override readonly name = 'GatewayFailedError';
  readonly code = 'ERR_GATEWAY_FAILED';

  constructor(
    readonly gatewayId: string,
    readonly status: string,
    readonly reasons: readonly string[],
  ) {
    super(`gateway ${gatewayId} is ${status}${reasonsText(reasons)}. ${GATEWAY_FAILED_ADVICE}`);
  }
}

/** Retried: the target is CREATING, UPDATING or SYNCHRONIZING and cannot be changed or deleted yet. */
export class GatewayTargetNotReadyError extends KeygateError {
  override readonly name = 'GatewayTargetNotReadyError';
  readonly code = 'ERR_GATEWAY_TARGET_NOT_READY';

  constructor(
    readonly targetName: string,
    readonly status: string,
  ) {
    super(`target ${targetName} is ${status}, not settled yet`);
  }
}

/** Terminal: the target ended FAILED, UPDATE_UNSUCCESSFUL or SYNCHRONIZE_UNSUCCESSFUL; carries statusReasons. */
export class GatewayTargetFailedError extends KeygateError {
  override readonly name = 'GatewayTargetFailedError';
  readonly code = 'ERR_GATEWAY_TARGET_FAILED';

  constructor(
    readonly targetName: string,
    readonly targetId: string,
    readonly status: string,
    readonly reasons: readonly string[],
  ) {
    super(`target ${targetName} (${targetId}) is ${status}${reasonsText(reasons)}. ${GATEWAY_TARGET_FAILED_ADVICE}`);
  }
}

/** Terminal: a wait ran past its budget (gateway.readyTimeoutSeconds / targets[].readyTimeoutSeconds). */
export class GatewayWaitTimeoutError extends KeygateError {
  override readonly name = 'GatewayWaitTimeoutError';
  readonly code = 'ERR_GATEWAY_WAIT_TIMEOUT';

  constructor(
    readonly resource: string,
    readonly status: string,
    readonly waitedUntil: string,
  ) {
    super(`${resource} is still ${status} after the wait budget (until ${waitedUntil}). Raise readyTimeoutSeconds in the document if this resource is known to be slow, or look at it in the console.`);
  }
}

/** Terminal: the document changes a field AgentCore cannot update in place, and replacement is not allowed. */
export class GatewayImmutableFieldError extends KeygateError {
  override readonly name = 'GatewayImmutableFieldError';
  readonly code = 'ERR_GATEWAY_IMMUTABLE_FIELD';

  constructor(
    readonly field: string,
    readonly before: unknown,
    readonly after: unknown,
    fix: string,
  ) {
    super(`${field} cannot be changed in place (observed ${JSON.stringify(before)}, the document wants ${JSON.stringify(after)}). ${fix}`);
  }
}

/** Terminal: a gateway with the declared name exists but this keygate stack did not create it. */
export class GatewayNotOwnedError extends KeygateError {
  override readonly name = 'GatewayNotOwnedError';
  readonly code = 'ERR_GATEWAY_NOT_OWNED';

  constructor(
    readonly gatewayId: string,
    readonly gatewayName: string,
    readonly owner: string,
    readonly tagKey: string,
  ) {
    super(
      `gateway ${gatewayName} (${gatewayId}) exists but was not created by keygate stack ${owner}: keygate never changes or deletes what it does not own. Choose another gateway.name, or adopt it by tagging it ${tagKey}=${owner}.`,
    );
  }
}

/** Terminal: after READY the gateway or a target still differs from the document (an empty plan was expected). */
export class GatewayNotConvergedError extends KeygateError {
  override readonly name = 'GatewayNotConvergedError';
  readonly code = 'ERR_GATEWAY_NOT_CONVERGED';

  constructor(
    readonly resource: string,
    readonly fields: readonly string[],
  ) {
    super(`${resource} is READY but still differs from the document in ${fields.join(', ')} after the update: something else changes it, or the service rewrites the value.`);
  }
}

/**
 * Terminal: the final look before provisioning reports success found the gateway or a target no longer
 * READY: it failed, went away or waits for consent again after its own READY check earlier in the run.
 */
export class GatewayChangedAfterReadyError extends KeygateError {
  override readonly name = 'GatewayChangedAfterReadyError';
  readonly code = 'ERR_GATEWAY_CHANGED_AFTER_READY';

  constructor(
    /** One line per resource that is not READY any more: `target tools (T1) is FAILED: no tools`. */
    readonly changes: readonly string[],
  ) {
    super(
      `provisioning does not report success: after they were READY earlier in this run, ${changes.join('; ')}. ` +
        'Everything else of the run was applied. Fix the cause the status reasons name, then run provisioning again: keygate re-applies the document to a failed gateway or target, and creates what is missing.',
    );
  }
}

/** Retried: a delete was accepted and the resource is still DELETING (or waits for its targets to go). */
export class GatewayDeletionPendingError extends KeygateError {
  override readonly name = 'GatewayDeletionPendingError';
  readonly code = 'ERR_GATEWAY_DELETION_PENDING';

  constructor(
    readonly resource: string,
    readonly status: string,
  ) {
    super(`${resource} is ${status}, not gone yet`);
  }
}

/** Terminal: teardown would have to delete targets the document does not declare. */
export class GatewayHasTargetsError extends KeygateError {
  override readonly name = 'GatewayHasTargetsError';
  readonly code = 'ERR_GATEWAY_HAS_TARGETS';

  constructor(
    readonly gatewayId: string,
    readonly targetNames: readonly string[],
  ) {
    super(
      `gateway ${gatewayId} still has targets the document does not declare (${targetNames.join(', ')}): keygate deletes only declared targets and never deletes a gateway that has targets. Delete those targets, or declare them, then run teardown again.`,
    );
  }
}

/**
 * Terminal: a step that must not create the gateway (drift repair) found none. Creating gateways is
 * provisioning's job; drift reports a missing gateway (outcome needs-provisioning) instead.
 */
export class GatewayMissingError extends KeygateError {
  override readonly name = 'GatewayMissingError';
  readonly code = 'ERR_GATEWAY_MISSING';

  constructor(readonly gatewayName: string) {
    super(`gateway ${gatewayName} does not exist, and drift repair never creates a gateway (nor its targets or resource policy): run provisioning (sam deploy / the provision state machine).`);
  }
}

/** Configuration mistake: the document names a gateway role this stack may not pass. */
export class GatewayRoleMismatchError extends TypeError {
  override readonly name = 'GatewayRoleMismatchError';
  readonly code = 'ERR_GATEWAY_ROLE_MISMATCH';

  constructor(
    readonly documentRole: string,
    readonly stackRole: string,
  ) {
    super(`gateway.roleArn is ${documentRole}, but this stack may pass only ${stackRole} (its iam:PassRole policy). Fix: redeploy with the parameters from "keygate parameters --config FILE", or remove gateway.roleArn to use the stack's role.`);
  }
}
