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

/**
 * The destination could not be written: a directory or a link stands where the document belongs
 * (keygate replaces only files it wrote), or the host refused the write (permissions, a full disk).
 * Whatever was there before is left as it was.
 */
export class CimdPublishFailedError extends KeygateError {
  override readonly name = 'CimdPublishFailedError';
  readonly code = 'ERR_CIMD_PUBLISH_FAILED';

  constructor(
    readonly url: string,
    readonly destination: string,
    readonly reason: string,
  ) {
    super(`CIMD document ${url} was not published to ${destination}: ${reason}`);
  }
}
