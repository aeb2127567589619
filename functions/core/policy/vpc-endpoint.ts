import { VpcEndpointIdInvalidError } from '../errors';
import { VPC_ENDPOINT_ID } from './render-resource-policy';

/**
 * The VPC endpoint ids in an SSM parameter value: one id (the network stack's
 * `AgentCoreGatewayVpcEndpointId` output), or several comma-separated (a StringList). A malformed
 * value is an alarm-worthy failure: nothing may be written from it.
 *
 * @example
 * parseVpcEndpointParameter('/net/vpce', ' vpce-0123456789abcdef0 ') // ['vpce-0123456789abcdef0']
 */
export function parseVpcEndpointParameter(parameterName: string, value: string | undefined): string[] {
  if (value === undefined) throw new VpcEndpointIdInvalidError(parameterName, undefined, 'the parameter does not exist');
  return validVpcEndpointIds(parameterName, value.split(','), value);
}

/** Trimmed, validated, sorted and de-duplicated endpoint ids from `source` (a parameter name or a document path). */
export function validVpcEndpointIds(source: string, candidates: readonly string[], raw = candidates.join(',')): string[] {
  const ids = candidates.map((v) => v.trim()).filter((v) => v !== '');
  if (ids.length === 0) throw new VpcEndpointIdInvalidError(source, raw, source.startsWith('/') || !source.includes('.') ? 'the parameter is empty' : 'no VPC endpoint id is listed');
  const bad = ids.filter((id) => !VPC_ENDPOINT_ID.test(id));
  if (bad.length) throw new VpcEndpointIdInvalidError(source, raw, `${bad.map((b) => JSON.stringify(b)).join(', ')} is not vpce- followed by 8 to 17 hex digits`);
  return [...new Set(ids)].sort();
}

export interface RotationPlan {
  /** Nothing to do: the policy already allows exactly the new endpoints. */
  inSync: boolean;
  /** Allowed during the grace period: the endpoints allowed now plus the new ones. */
  during: string[];
  /** Allowed once the grace period is over and the parameter still holds the new value. */
  after: string[];
}

/**
 * Rotation from the currently allowed endpoints to the new ones without a window closed by mistake
 * (both allowed during the grace period) or left open (the old one is dropped after it).
 */
export function planRotation(currentlyAllowed: readonly string[], next: readonly string[]): RotationPlan {
  const after = [...new Set(next)].sort();
  const during = [...new Set([...currentlyAllowed, ...next])].sort();
  const current = [...new Set(currentlyAllowed)].sort();
  return { inSync: JSON.stringify(current) === JSON.stringify(after), during, after };
}

/**
 * Whether allowing only `current` would take away an endpoint the live policy allows.
 *
 * @example
 * narrows(['vpce-b'], ['vpce-a', 'vpce-b']) // true
 */
export function narrows(current: readonly string[], liveAllowed: readonly string[]): boolean {
  return liveAllowed.some((id) => !current.includes(id));
}

/** What an apply may allow, and why it keeps more than the document's current endpoints. */
export interface EndpointsToAllow {
  ids: string[];
  /** Set when a running rotation keeps endpoints the current source no longer lists. */
  reason?: string;
}

/**
 * The endpoints an apply without an explicit list (provisioning, drift repair) allows. Normally the
 * document's current ones. While a rotation of this stack is RUNNING it never narrows the policy: the
 * rotation allows old and new during its grace period and narrows the policy itself afterwards, so
 * every endpoint the live policy allows stays (and a current one not yet allowed is added). Only the
 * rotation's own apply calls, which pass an explicit list, narrow it. `rotations` are the RUNNING
 * executions of the rotation state machine (a fact read by the caller).
 *
 * @example
 * endpointsToAllow(['vpce-b'], ['vpce-a', 'vpce-b'], [{ stateMachine: 'rotate', name: 'r-1', startDate: null }])
 * // { ids: ['vpce-a', 'vpce-b'], reason: 'rotation in progress: rotate/r-1' }
 */
export function endpointsToAllow(current: readonly string[], liveAllowed: readonly string[], rotations: ReadonlyArray<{ stateMachine: string; name: string }>): EndpointsToAllow {
  const ids = [...new Set(current)].sort();
  if (!narrows(current, liveAllowed) || !rotations.length) return { ids };
  return { ids: [...new Set([...liveAllowed, ...ids])].sort(), reason: `rotation in progress: ${rotations.map((r) => `${r.stateMachine}/${r.name}`).join(', ')}` };
}
