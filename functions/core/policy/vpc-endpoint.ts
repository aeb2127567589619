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
  const ids = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (ids.length === 0) throw new VpcEndpointIdInvalidError(parameterName, value, 'the parameter is empty');
  const bad = ids.filter((id) => !VPC_ENDPOINT_ID.test(id));
  if (bad.length) throw new VpcEndpointIdInvalidError(parameterName, value, `${bad.map((b) => JSON.stringify(b)).join(', ')} is not vpce- followed by 8 to 17 hex digits`);
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
