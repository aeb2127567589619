import { KeygateError } from './base';

/** One failing (or, with `failOn: warn`, warning) check, as carried by the errors below. */
export interface FailedCheck {
  id: string;
  status: string;
  diagnosis?: string;
  evidence: string;
  fix: string;
}

const describe = (checks: FailedCheck[]) =>
  checks.map((c) => `  ${c.status.toUpperCase()} ${c.id}${c.diagnosis ? ` [${c.diagnosis}]` : ''}: ${c.evidence} Fix: ${c.fix}`).join('\n');

/**
 * The live chain does not work as declared: a check failed (or warned, with `verify.failOn: warn`).
 * Terminal: retrying does not repair a wrong audience or a missing mapper. The message lists every
 * failing check with its fix, and never a token or a secret (the report is redacted before this).
 */
export class ChainVerificationFailedError extends KeygateError {
  override readonly name = 'ChainVerificationFailedError';
  readonly code = 'ERR_CHAIN_VERIFICATION_FAILED';

  constructor(readonly failed: FailedCheck[]) {
    super(`the live chain failed verification (${failed.length} check${failed.length === 1 ? '' : 's'}):\n${describe(failed)}`);
  }
}

/**
 * Nothing answered: the authorization server or the gateway could not be reached at all (DNS,
 * connection refused, timeout). Often transient right after provisioning (a new gateway endpoint, a
 * Keycloak restart), so state machines retry it a few times before failing.
 */
export class ChainUnreachableError extends KeygateError {
  override readonly name = 'ChainUnreachableError';
  readonly code = 'ERR_CHAIN_UNREACHABLE';

  constructor(readonly failed: FailedCheck[]) {
    super(`the live chain could not be reached:\n${describe(failed)}`);
  }
}

/** The verify step was called with unusable input (no document, a gateway URL that is not https). */
export class VerifyInputError extends TypeError {
  override readonly name = 'VerifyInputError';
  readonly code = 'ERR_VERIFY_INPUT';

  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}
