// The error module: every error name that TypeScript throws and ASL matches lives here (re-exported
// from one file per area). tests/unit/statemachine/asl-invariants.test.ts checks every ASL
// `ErrorEquals` against these names.
export { KeygateError, type Problem } from './base';
export { DesiredStateInvalidError, formatProblem } from './desired-state';
export { ResourcePolicyInputError, ResourcePolicyNotConvergedError, VpcEndpointIdInvalidError } from './resource-policy';
// gateway provisioning (errors/gateway.ts)
export {
  GatewayChangedAfterReadyError,
  GatewayDeletionPendingError,
  GatewayFailedError,
  GatewayHasTargetsError,
  GatewayImmutableFieldError,
  GatewayMissingError,
  GatewayNotConvergedError,
  GatewayNotOwnedError,
  GatewayNotReadyError,
  GatewayRoleMismatchError,
  GatewayTargetFailedError,
  GatewayTargetNotReadyError,
  GatewayWaitTimeoutError,
} from './gateway';
// Keycloak realm reconciliation and SSM commands (errors/keycloak.ts, errors/ssm.ts)
export {
  KeycloakAdminAccessUnsupportedError,
  KeycloakChangeFailedError,
  KeycloakCredentialsError,
  KeycloakFeatureDisabledError,
  KeycloakRealmNotConvergedError,
  KeycloakSnapshotInvalidError,
  KeycloakUnreachableError,
  type KeycloakPlace,
} from './keycloak';
export { SsmCommandFailedError, SsmCommandOutputError, SsmCommandPendingError, SsmCommandRejectedError, SsmInstanceUnavailableError } from './ssm';
// resource policy rotation
// verification (errors/verify.ts)
export { ChainUnreachableError, ChainVerificationFailedError, VerifyInputError, type FailedCheck } from './verify';
// CIMD publishing
export { CimdDocumentRejectedError, CimdNotConvergedError, CimdPublishFailedError } from './cimd';
// drift detection (errors/drift.ts)
export { DriftInputError, DriftNotRepairedError, type UnrepairedItem } from './drift';

// AWS's own error names that ASL matches (the Lambda service, each AWS service's transients, the
// nested-execution integration), from one place (errors/aws.ts).
export { AWS_TRANSIENT_ERROR_NAMES, LAMBDA_TRANSIENT_ERROR_NAMES, NESTED_EXECUTION_RETRY_ERROR_NAMES, SDK_TRANSIENT_ERROR_NAMES } from './aws';
