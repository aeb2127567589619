import type { DesiredGateway } from '../desired/gateway';
import { GatewayImmutableFieldError, GatewayNotOwnedError, GatewayRoleMismatchError } from '../errors';
import { gatewayReadiness } from '../readiness';
import { asObject, asSet, diffFields, normalizeCustomClaims, normalizePrivateEndpoint, pickDefined, type FieldDiff, type FieldRule, type Json } from './normalize';
import { gatewayTags, OWNER_TAG_KEY, renderGatewayBody, renderUpdateGateway } from './render-gateway';

export { OWNER_TAG_KEY };
import type { GatewayBodyWire, UpdateGatewayRequest } from './wire';

/** Tag naming the keygate stack that owns a gateway: keygate changes and deletes only what carries it. */

/** What GetGateway returned (the SDK output is structurally this; the core does not import the SDK). */
export interface ObservedGateway {
  gatewayId?: string | undefined;
  gatewayArn?: string | undefined;
  gatewayUrl?: string | undefined;
  name?: string | undefined;
  status?: string | undefined;
  statusReasons?: string[] | undefined;
  authorizerType?: string | undefined;
}

export type GatewayPlan =
  | { action: 'create'; kind: 'gateway'; name: string; reason: 'missing'; after: GatewayBodyWire & { tags: Record<string, string> } }
  | { action: 'update'; kind: 'gateway'; name: string; reason: 'differs' | 'failed-status'; gatewayId: string; fields: FieldDiff[]; after: UpdateGatewayRequest & Json }
  | { action: 'replace'; kind: 'gateway'; name: string; reason: 'immutable-field-changed'; gatewayId: string; fields: FieldDiff[] }
  | { action: 'noop'; kind: 'gateway'; name: string; reason: 'in-sync'; gatewayId: string };

export interface GatewayPlanInput {
  desired: DesiredGateway;
  /** The role the gateway assumes (the document's, or the stack's). */
  roleArn: string;
  /** Identity of the keygate stack (OWNER_TAG_KEY value). */
  owner: string;
  /** The gateway found under the declared name, with its tags. */
  observed?: { gateway: ObservedGateway; tags: Record<string, string> };
  /** A gateway this stack owns under another name: the document renamed it. */
  renamedFrom?: { gatewayId: string; name: string };
}

const jwt = (b: Json) => asObject(asObject(b.authorizerConfiguration).customJWTAuthorizer);
const mcp = (b: Json) => asObject(asObject(b.protocolConfiguration).mcp);

/** JWT authorizer members keygate manages; any other member found on the gateway is carried over on update. */
const MANAGED_JWT_KEYS = ['discoveryUrl', 'allowedAudience', 'allowedClients', 'allowedScopes', 'customClaims', 'privateEndpoint'];
/** Gateway members keygate never sets; UpdateGateway is a full replacement, so they are sent back as observed. */
const UNMANAGED_GATEWAY_KEYS = ['kmsKeyArn', 'customTransformConfiguration', 'interceptorConfigurations', 'policyEngineConfiguration', 'wafConfiguration'];

/** The compared fields. Optional document fields are compared (and owned) only when the document declares them. */
function gatewayRules(desired: DesiredGateway): FieldRule[] {
  const rules: FieldRule[] = [
    { field: 'gateway.roleArn', read: (b) => b.roleArn ?? null },
    { field: 'gateway.authorizer.discoveryUrl', read: (b) => jwt(b).discoveryUrl ?? null },
    { field: 'gateway.authorizer.allowedAudiences', read: (b) => asSet(jwt(b).allowedAudience) },
    { field: 'gateway.authorizer.allowedScopes', read: (b) => asSet(jwt(b).allowedScopes) },
    { field: 'gateway.authorizer.allowedClients', read: (b) => asSet(jwt(b).allowedClients) },
    { field: 'gateway.authorizer.customClaims', read: (b) => normalizeCustomClaims(jwt(b).customClaims) },
    { field: 'gateway.authorizer.privateEndpoint', read: (b) => normalizePrivateEndpoint(jwt(b).privateEndpoint) },
  ];
  if (desired.description !== undefined) rules.push({ field: 'gateway.description', read: (b) => b.description ?? null });
  if (desired.exceptionLevel !== undefined) rules.push({ field: 'gateway.exceptionLevel', read: (b) => b.exceptionLevel ?? null });
  const p = desired.protocol;
  if (p?.supportedVersions !== undefined) rules.push({ field: 'gateway.protocol.supportedVersions', read: (b) => asSet(mcp(b).supportedVersions) });
  if (p?.instructions !== undefined) rules.push({ field: 'gateway.protocol.instructions', read: (b) => mcp(b).instructions ?? null });
  if (p?.searchType !== undefined) rules.push({ field: 'gateway.protocol.searchType', read: (b) => mcp(b).searchType ?? null });
  return rules;
}

/**
 * The complete UpdateGateway request: the rendered document, plus whatever keygate does not manage
 * taken back from the observed gateway, because Update replaces the whole resource
 * (agentcore-gateway-api.md §4.4; aws/agentcore-cli#1900 merges the same way).
 */
function mergeUpdate(desired: DesiredGateway, rendered: UpdateGatewayRequest, observed: ObservedGateway): UpdateGatewayRequest & Json {
  const o = observed as unknown as Json;
  const carried: Json = pickDefined(o, UNMANAGED_GATEWAY_KEYS);
  if (desired.description === undefined && o.description !== undefined) carried.description = o.description;
  if (desired.exceptionLevel === undefined && o.exceptionLevel !== undefined) carried.exceptionLevel = o.exceptionLevel;
  const observedMcp = mcp(o);
  const protocol = Object.keys(observedMcp).length || rendered.protocolConfiguration ? { protocolConfiguration: { mcp: { ...observedMcp, ...rendered.protocolConfiguration?.mcp } } } : {};
  const unmanagedJwt = Object.fromEntries(Object.entries(jwt(o)).filter(([k]) => !MANAGED_JWT_KEYS.includes(k)));
  return {
    ...carried,
    ...rendered,
    ...protocol,
    authorizerConfiguration: { customJWTAuthorizer: { ...unmanagedJwt, ...rendered.authorizerConfiguration.customJWTAuthorizer } },
  };
}

/**
 * What to do to make the gateway match the document. Pure: decides from the observed gateway (found
 * by name), its tags and any owned gateway under another name. Refuses (throws) to touch a gateway
 * this stack does not own, and to change an immutable field unless `allowReplacement` is set.
 *
 * @example
 * planGateway({ desired: doc.gateway, roleArn, owner: 'keygate-dev' }).action // 'create'
 */
export function planGateway(input: GatewayPlanInput): GatewayPlan {
  const { desired, roleArn, owner, observed, renamedFrom } = input;
  const name = desired.name;
  const fix = 'Set gateway.allowReplacement: true to let keygate delete the gateway (and its targets) and create it anew, or revert the change.';
  if (!observed) {
    if (renamedFrom) {
      const fields = [{ field: 'gateway.name', expected: name, actual: renamedFrom.name }];
      if (!desired.allowReplacement) throw new GatewayImmutableFieldError('gateway.name', renamedFrom.name, name, fix);
      return { action: 'replace', kind: 'gateway', name, reason: 'immutable-field-changed', gatewayId: renamedFrom.gatewayId, fields };
    }
    return { action: 'create', kind: 'gateway', name, reason: 'missing', after: { ...renderGatewayBody(desired, { roleArn }), tags: gatewayTags(owner) } };
  }
  const gateway = observed.gateway;
  const gatewayId = String(gateway.gatewayId);
  assertOwned(gateway, observed.tags, owner);
  if (gateway.authorizerType !== desired.authorizer.type) {
    const fields = [{ field: 'gateway.authorizer.type', expected: desired.authorizer.type, actual: gateway.authorizerType }];
    if (!desired.allowReplacement) throw new GatewayImmutableFieldError('gateway.authorizer.type', gateway.authorizerType, desired.authorizer.type, fix);
    return { action: 'replace', kind: 'gateway', name, reason: 'immutable-field-changed', gatewayId, fields };
  }
  const rendered = renderUpdateGateway(desired, { roleArn, gatewayId });
  const fields = diffFields(gatewayRules(desired), rendered as unknown as Json, gateway as unknown as Json);
  const failed = gatewayReadiness(gateway.status, gateway.statusReasons).state === 'failed';
  if (!fields.length && !failed) return { action: 'noop', kind: 'gateway', name, reason: 'in-sync', gatewayId };
  return { action: 'update', kind: 'gateway', name, reason: fields.length ? 'differs' : 'failed-status', gatewayId, fields, after: mergeUpdate(desired, rendered, gateway) };
}

/**
 * Refuses a gateway this stack did not create (no `keygate:owner` tag with this stack's name):
 * keygate never changes or deletes what it does not own.
 *
 * @example
 * assertOwned({ gatewayId: 'gw-1', name: 'gw' }, { 'keygate:owner': 'keygate-dev' }, 'keygate-dev') // passes
 */
export function assertOwned(gateway: ObservedGateway, tags: Record<string, string>, owner: string): void {
  if (tags[OWNER_TAG_KEY] !== owner) throw new GatewayNotOwnedError(String(gateway.gatewayId), String(gateway.name), owner, OWNER_TAG_KEY);
}

/**
 * The role the gateway assumes: the document's `gateway.roleArn` if set, else the stack's role. The
 * functions may pass only the stack's role (iam:PassRole), so a different document role is refused.
 *
 * @example
 * gatewayRoleArn({ ...doc.gateway, roleArn: undefined }, 'arn:aws:iam::111122223333:role/gw') // 'arn:aws:iam::111122223333:role/gw'
 */
export function gatewayRoleArn(desired: Pick<DesiredGateway, 'roleArn'>, stackRole: string): string {
  if (desired.roleArn !== undefined && desired.roleArn !== stackRole) throw new GatewayRoleMismatchError(desired.roleArn, stackRole);
  return stackRole;
}
