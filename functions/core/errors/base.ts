/**
 * Base of every error keygate throws on purpose.
 *
 * `name` is set as a string literal in each subclass: it is the contract with Step Functions
 * (`Retry.ErrorEquals` / `Catch` match the Lambda `errorType`, which is `error.name`), and a
 * minifier would otherwise rename `this.constructor.name` (toolchain-notes finding 7).
 */
export abstract class KeygateError extends Error {
  abstract override readonly name: string;
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One problem in a document or input: where, what, and how to fix it. */
export interface Problem {
  /** Dotted document path, e.g. `gateway.authorizer.discoveryUrl`. Empty string for the document root. */
  path: string;
  message: string;
  /** Stable rule id for lint findings. */
  ruleId?: string;
  fix?: string;
  line?: number;
  column?: number;
}
