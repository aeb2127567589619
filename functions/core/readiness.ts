/**
 * One readiness vocabulary for everything keygate waits on (house style habit 6): a pure mapping
 * from a remote status to what the waiting step does next. The `get-*-status` functions turn
 * `pending` into a retryable `…NotReadyError`, `failed` into a terminal error carrying the service's
 * reasons, `needs-consent` into its own terminal outcome. An unknown status is a failure, loudly:
 * AgentCore adds statuses between SDK versions (agentcore-gateway-api.md §5, §6).
 */
export type Readiness =
  | { state: 'ready'; status: string }
  | { state: 'pending'; status: string }
  | { state: 'failed'; status: string; reasons: string[] }
  | { state: 'needs-consent'; status: string; authorizationUrl?: string };

const GATEWAY = { ready: ['READY'], pending: ['CREATING', 'UPDATING'], failed: ['FAILED', 'UPDATE_UNSUCCESSFUL'] };
const TARGET = {
  ready: ['READY'],
  pending: ['CREATING', 'UPDATING', 'SYNCHRONIZING'],
  failed: ['FAILED', 'UPDATE_UNSUCCESSFUL', 'SYNCHRONIZE_UNSUCCESSFUL'],
  consent: ['CREATE_PENDING_AUTH', 'UPDATE_PENDING_AUTH', 'SYNCHRONIZE_PENDING_AUTH'],
};

function classify(
  status: string | undefined,
  reasons: readonly string[] | undefined,
  table: { ready: string[]; pending: string[]; failed: string[]; consent?: string[] },
  extra: { authorizationUrl?: string } = {},
): Readiness {
  const s = status ?? '(none)';
  if (table.ready.includes(s)) return { state: 'ready', status: s };
  if (table.pending.includes(s)) return { state: 'pending', status: s };
  if (table.consent?.includes(s)) return { state: 'needs-consent', status: s, ...(extra.authorizationUrl ? { authorizationUrl: extra.authorizationUrl } : {}) };
  if (table.failed.includes(s)) return { state: 'failed', status: s, reasons: [...(reasons ?? [])] };
  return { state: 'failed', status: s, reasons: [`unknown status ${s}`, ...(reasons ?? [])] };
}

/** Gateway: READY; CREATING and UPDATING pending; FAILED and UPDATE_UNSUCCESSFUL failed. */
export function gatewayReadiness(status: string | undefined, reasons?: readonly string[]): Readiness {
  return classify(status, reasons, GATEWAY);
}

/**
 * Target: READY; CREATING, UPDATING and SYNCHRONIZING pending; *_UNSUCCESSFUL and FAILED failed;
 * *_PENDING_AUTH is stable until a person completes OAuth consent, so it ends the wait as
 * needs-consent instead of timing out (hashicorp/terraform-provider-aws#48114).
 */
export function targetReadiness(status: string | undefined, reasons?: readonly string[], authorizationUrl?: string): Readiness {
  return classify(status, reasons, TARGET, authorizationUrl ? { authorizationUrl } : {});
}

/**
 * SSM command invocation: Success ready; Pending, InProgress and Delayed pending, and so is
 * `InvocationDoesNotExist`, which GetCommandInvocation answers for a moment right after SendCommand
 * (aws/aws-sdk#86); Failed, TimedOut, Cancelled and Cancelling failed (ssm-and-events.md §3).
 */
export function ssmCommandReadiness(status: string | undefined, details?: string): Readiness {
  return classify(
    status,
    details ? [details] : [],
    { ready: ['Success'], pending: ['Pending', 'InProgress', 'Delayed', 'InvocationDoesNotExist'], failed: ['Failed', 'TimedOut', 'Cancelled', 'Cancelling'] },
  );
}
