// Error names that do not come from keygate's own classes but reach Step Functions all the same, so
// that ASL can match them (tests/unit/statemachine/retry-coverage.test.ts checks every Task against
// the clients its bundle contains). A Lambda function's error reaches Step Functions under the
// thrown error's `name`; handlers let an AWS SDK error through unchanged when retrying it is the
// right answer, and the SDK names a modeled error by its class (SSM's 5xx is `InternalServerError`,
// AgentCore's `InternalServerException`) and an unmodeled one by its wire code (S3's `SlowDown`).

/** The Lambda service's own errors around an invocation (Step Functions best practices, "Handle transient Lambda service exceptions"). */
export const LAMBDA_TRANSIENT_ERROR_NAMES = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * Per AWS service (keyed by IAM prefix, as tests/support/iam.ts maps SDK packages), the names of
 * its throttling and 5xx errors once the SDK's own retries (3 attempts) are spent.
 */
export const AWS_TRANSIENT_ERROR_NAMES = {
  // Modeled in @aws-sdk/client-bedrock-agentcore-control (agentcore-gateway-api.md §3).
  'bedrock-agentcore': ['ThrottlingException', 'InternalServerException'],
  // Modeled in @aws-sdk/client-ssm (ssm-and-events.md §1): 5xx is InternalServerError, not …Exception.
  ssm: ['ThrottlingException', 'InternalServerError'],
  // Not modeled: S3's codes (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html,
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ErrorBestPractices.html: retry InternalError, SlowDown).
  s3: ['InternalError', 'ServiceUnavailable', 'SlowDown'],
  // Modeled in @aws-sdk/client-dynamodb.
  dynamodb: ['ThrottlingException', 'InternalServerError', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded'],
  // ListExecutions: @aws-sdk/client-sfn models neither; ThrottlingException is AWS's common error
  // (API reference, "Common Errors"), as is a 5xx `InternalFailure`, which keygate does not retry.
  states: ['ThrottlingException'],
  // Modeled in @aws-sdk/client-sns (awsQuery codes Throttled / InternalError, named by their classes).
  sns: ['ThrottledException', 'InternalErrorException'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Errors of the optimized `arn:aws:states:::states:startExecution.sync:2` integration that mean
 * "the child did not start, try again": https://docs.aws.amazon.com/step-functions/latest/dg/concepts-nested-workflows.html
 * ("Use the Retry on StepFunctions.ExecutionLimitExceeded to ensure your execution is started").
 * A child that ran and failed surfaces as `States.TaskFailed` and is not retried.
 */
export const NESTED_EXECUTION_RETRY_ERROR_NAMES = ['StepFunctions.ExecutionLimitExceeded'] as const;

/** Every AWS-side name above, once: what ASL may match besides keygate's classes and `States.*`. */
export const SDK_TRANSIENT_ERROR_NAMES: readonly string[] = /* @__PURE__ */ uniqueNames(AWS_TRANSIENT_ERROR_NAMES);

// A call marked pure, so that functions importing the error module do not bundle these lists.
function uniqueNames(byService: Record<string, readonly string[]>): string[] {
  return [...new Set(Object.values(byService).flat())];
}
