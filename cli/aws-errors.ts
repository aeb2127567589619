import { AWS_CALL, serviceName, type AwsCall } from '../functions/adapters/aws-call';

/** An AWS call that failed for a reason in the operator's environment, in words. */
export interface AwsFailure {
  kind: 'no-credentials' | 'credentials-refused' | 'access-denied' | 'unreachable' | 'not-found' | 'refused';
  call: AwsCall;
  /** What went wrong, without the SDK's wording around it. */
  reason: string;
  fix: string;
  /** The whole story in one line: service, operation, where, why, the fix. */
  line: string;
}

/** IAM's prefix per SDK service, for "grant ssm:SendCommand". */
const IAM_PREFIX: Record<string, string> = { SSM: 'ssm', BedrockAgentCoreControl: 'bedrock-agentcore', S3: 's3', SFN: 'states', DynamoDB: 'dynamodb', SNS: 'sns' };

const CREDENTIALS_REFUSED = new Set(['ExpiredTokenException', 'ExpiredToken', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'TokenRefreshRequired', 'InvalidAccessKeyId', 'AuthFailure']);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedException']);
/**
 * What SendCommand answers when the stack's Command document or the Keycloak host is not where the
 * call went: the usual sign of AWS_REGION naming another region than the stack's (ssm-and-events.md §2).
 */
const DOCUMENT_MISSING = { what: 'the Command document does not exist there', fix: 'check --command-document (stack output KeycloakCommandDocumentName)' };
const NOT_FOUND: Record<string, { what: string; fix: string }> = {
  InvalidDocument: DOCUMENT_MISSING,
  InvalidDocumentVersion: DOCUMENT_MISSING,
  InvalidInstanceId: {
    what: 'the Keycloak host is not an SSM managed instance online there',
    fix: 'check keycloak.instanceId, and on the host that the SSM agent runs, its instance profile has AmazonSSMManagedInstanceCore and it reaches the SSM endpoints',
  },
};
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

/**
 * An error from an AWS call (one whose client had recordAwsCalls) as one line for the operator:
 * missing or refused credentials, access denied, an endpoint that cannot be reached, or the service's
 * own refusal. Undefined for anything else (a bug keeps its stack trace).
 *
 * @example
 * describeAwsFailure(error)?.line
 * // 'SSM SendCommand in eu-west-1: no AWS credentials found. Fix: set AWS_PROFILE …'
 */
export function describeAwsFailure(error: unknown, env: Record<string, string | undefined> = {}): AwsFailure | undefined {
  // The SDK error itself, or the cause an adapter wrapped it in.
  for (let depth = 0; error && typeof error === 'object' && depth < 5; depth++) {
    const call = (error as Record<string, unknown>)[AWS_CALL] as AwsCall | undefined;
    if (call) return describe(error as Error, call, env);
    error = (error as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(error: Error, call: AwsCall, env: Record<string, string | undefined>): AwsFailure {
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number }; Code?: string };
  const name = e.name === 'Error' && e.code ? e.code : e.name;
  const message = (e.message ?? '').split('\n')[0]!.trim();
  const action = `${IAM_PREFIX[call.service] ?? call.service.toLowerCase()}:${call.operation}`;
  const failure = ((): Omit<AwsFailure, 'line' | 'call'> => {
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
      // The SDK says "Could not load credentials from any providers" also when AWS_PROFILE names a
      // profile that does not exist: the fix is then about that profile, not about setting one.
      const profile = env.AWS_PROFILE;
      return profile
        ? {
            kind: 'no-credentials',
            reason: `no AWS credentials found for the profile "${profile}" that AWS_PROFILE names`,
            fix: `check that [profile ${profile}] is in ~/.aws/config (or the file AWS_CONFIG_FILE names) with credentials, and run "aws sso login --profile ${profile}" for an SSO profile`,
          }
        : { kind: 'no-credentials', reason: 'no AWS credentials found', fix: 'set AWS_PROFILE to a profile in ~/.aws/config (after "aws sso login" for an SSO profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY' };
    }
    if (CREDENTIALS_REFUSED.has(name)) {
      return { kind: 'credentials-refused', reason: `the credentials were refused (${name}: ${message})`, fix: 'refresh them ("aws sso login", or new keys for the profile in AWS_PROFILE) and check that AWS_REGION is the stack\'s region' };
    }
    if (ACCESS_DENIED.has(name) || (e.$metadata?.httpStatusCode === 403 && !CREDENTIALS_REFUSED.has(name))) {
      return { kind: 'access-denied', reason: `access denied (${message || name})`, fix: `allow ${action} to the caller (the permissions keygate drift needs: docs/drift.md, "keygate drift")` };
    }
    if ((e.code && UNREACHABLE.has(e.code)) || name === 'TimeoutError' || name === 'RequestTimeout') {
      return {
        kind: 'unreachable',
        reason: `the endpoint cannot be reached (${e.code ?? name}${message && !message.includes(e.code ?? '\u0000') ? `: ${message}` : ''})`,
        fix: 'check the network (VPN, proxy: HTTPS_PROXY), that AWS_REGION is the stack\'s region, and any AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE> variable',
      };
    }
    const missing = Object.hasOwn(NOT_FOUND, name) ? NOT_FOUND[name] : undefined;
    if (missing) {
      return {
        kind: 'not-found',
        reason: `${missing.what}${call.resource ? ` (${call.resource})` : ''}: ${name}: ${message}`,
        fix: `check that ${call.region ?? 'the region'} is the stack's region (AWS_REGION, or the region of the profile AWS_PROFILE names); ${missing.fix}`,
      };
    }
    return { kind: 'refused', reason: `${name}: ${message}`, fix: 'the message above is AWS\'s; docs/drift.md, "keygate drift", lists what the command reads' };
  })();
  const where = [call.region ? `in ${call.region}` : undefined, call.endpoint ? `(${call.endpoint})` : undefined].filter(Boolean).join(' ');
  return { ...failure, call, line: `AWS ${serviceName(call.service)} ${call.operation}${where ? ` ${where}` : ''}: ${failure.reason.replace(/\.$/, '')}. Fix: ${failure.fix}` };
}
