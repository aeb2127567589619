/**
 * The names the local world's stack gives its resources: what CloudFormation would call them, minus
 * the random suffix it appends (`<stack>-<LogicalId>-<RANDOM>`; S3 bucket names lower-case). One
 * rule for the world's environment (emulators/world) and for the IAM policies resolved against it
 * (emulators/iam), so the two cannot disagree.
 */
export const STACK_NAME = 'keygate-local';
export const STACK_REGION = 'ap-northeast-1';
/** The account of every emulator (the AgentCore emulator's default). */
export const STACK_ACCOUNT = '111122223333';

/** The physical id of a stack resource without an explicit name (`Ref` of an S3 bucket, an SSM document, a table …). */
export function physicalName(logicalId: string, type: string, stack = STACK_NAME): string {
  const name = `${stack}-${logicalId}`;
  return type === 'AWS::S3::Bucket' ? name.toLowerCase() : name;
}
