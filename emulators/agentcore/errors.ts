/**
 * AgentCore control-plane errors as they appear on the wire: the `x-amzn-errortype` header names the
 * class, the HTTP status is the one the model declares (agentcore-gateway-api.md §3), the body carries
 * `message` plus the class's extra members (`reason`, `fieldList` on ValidationException).
 */
export const ERROR_STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  // Unusual but declared by the model: the SDK's ServiceQuotaExceededException carries httpError 402.
  ServiceQuotaExceededException: 402,
  InternalServerException: 500,
  UnknownOperationException: 404,
  InvalidSignatureException: 403,
} as const;

export type ErrorType = keyof typeof ERROR_STATUS;

export type ValidationReason = 'CannotParse' | 'FieldValidationFailed' | 'IdempotentParameterMismatchException' | 'ResourceConflict';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly type: ErrorType,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.type];
  }
}

export const validation = (message: string, field?: string, reason: ValidationReason = 'FieldValidationFailed') =>
  new ApiError('ValidationException', message, { reason, ...(field ? { fieldList: [{ name: field, message }] } : {}) });

export const notFound = (message: string) => new ApiError('ResourceNotFoundException', message);
export const conflict = (message: string) => new ApiError('ConflictException', message);
