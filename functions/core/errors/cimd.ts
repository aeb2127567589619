import { KeygateError } from './base';

/** The declared CIMD document fails lint rules; nothing was written. */
export class CimdDocumentRejectedError extends KeygateError {
  override readonly name = 'CimdDocumentRejectedError';
  readonly code = 'ERR_CIMD_DOCUMENT_REJECTED';

  constructor(
    readonly url: string,
    readonly rules: Array<{ ruleId: string; path: string; message: string }>,
  ) {
    super(`CIMD document ${url} was not published: ${rules.map((r) => `[${r.ruleId}] ${r.path}: ${r.message}`).join('; ')}`);
  }
}

/** After publishing, the destination still reports other bytes than the ones written. */
export class CimdNotConvergedError extends KeygateError {
  override readonly name = 'CimdNotConvergedError';
  readonly code = 'ERR_CIMD_NOT_CONVERGED';

  constructor(
    readonly url: string,
    readonly destination: string,
    readonly fields: string[],
  ) {
    super(`CIMD document ${url} at ${destination} still differs after publishing: ${fields.join(', ') || 'content hash'}`);
  }
}
