import type { DesiredTarget } from '../desired/gateway';
import { GatewayImmutableFieldError } from '../errors';
import { targetReadiness } from '../readiness';
import { asObject, diffFields, normalizePrivateEndpoint, pickDefined, type FieldDiff, type FieldRule, type Json } from './normalize';
import { renderCreateTarget, renderUpdateTarget } from './render-gateway';
import type { CreateGatewayTargetRequest, UpdateGatewayTargetRequest } from './wire';

/** What GetGatewayTarget returned (structurally the SDK output). */
export interface ObservedTarget {
  targetId?: string | undefined;
  name?: string | undefined;
  status?: string | undefined;
  statusReasons?: string[] | undefined;
  authorizationData?: unknown;
}

export type TargetPlan =
  | { action: 'create'; kind: 'gateway-target'; name: string; reason: 'missing'; after: Omit<CreateGatewayTargetRequest, 'clientToken'> }
  | { action: 'update'; kind: 'gateway-target'; name: string; reason: 'differs' | 'failed-status'; targetId: string; fields: FieldDiff[]; after: UpdateGatewayTargetRequest & Json }
  | { action: 'noop'; kind: 'gateway-target'; name: string; reason: 'in-sync'; targetId: string };

const mcpServer = (b: Json) => asObject(asObject(asObject(b.targetConfiguration).mcp).mcpServer);

/** Which kind of target this is (`mcp.mcpServer`, `mcp.lambda`, `http.…`): it cannot change in place. */
export function targetType(body: Json): string {
  const config = asObject(body.targetConfiguration);
  const family = Object.keys(config)[0] ?? '(none)';
  const member = Object.keys(asObject(config[family]))[0];
  return member ? `${family}.${member}` : family;
}

/** mcpServer members keygate does not set (a static tool schema, priority) are carried over on update. */
const UNMANAGED_SERVER_KEYS = ['mcpToolSchema', 'resourcePriority'];

function targetRules(desired: DesiredTarget): FieldRule[] {
  const at = `targets[${desired.name}]`;
  const rules: FieldRule[] = [
    { field: `${at}.endpoint`, read: (b) => mcpServer(b).endpoint ?? null },
    { field: `${at}.privateEndpoint`, read: (b) => normalizePrivateEndpoint(b.privateEndpoint) },
  ];
  // DEFAULT is the service default (agentcore-gateway-api.md §4.5): absent and DEFAULT are the same.
  if (desired.listingMode !== undefined) rules.push({ field: `${at}.listingMode`, read: (b) => mcpServer(b).listingMode ?? 'DEFAULT' });
  if (desired.description !== undefined) rules.push({ field: `${at}.description`, read: (b) => b.description ?? null });
  return rules;
}

function mergeUpdate(desired: DesiredTarget, rendered: UpdateGatewayTargetRequest, observed: ObservedTarget): UpdateGatewayTargetRequest & Json {
  const o = observed as unknown as Json;
  const carried: Json = pickDefined(o, ['metadataConfiguration']);
  if (Array.isArray(o.credentialProviderConfigurations) && o.credentialProviderConfigurations.length) carried.credentialProviderConfigurations = o.credentialProviderConfigurations;
  if (desired.description === undefined && o.description !== undefined) carried.description = o.description;
  const server = { ...pickDefined(mcpServer(o), UNMANAGED_SERVER_KEYS), ...(desired.listingMode === undefined ? pickDefined(mcpServer(o), ['listingMode']) : {}) };
  return {
    ...carried,
    ...rendered,
    targetConfiguration: { mcp: { mcpServer: { ...server, ...rendered.targetConfiguration.mcp.mcpServer } } },
  };
}

/**
 * What to do to make one declared target match the document. A target of another type under the
 * same name stops with an error naming it: keygate manages MCP server targets only.
 *
 * @example
 * planTarget({ desired: doc.targets[0], gatewayId: 'gw-0123456789' }).action // 'create'
 */
export function planTarget(input: { desired: DesiredTarget; gatewayId: string; observed?: ObservedTarget }): TargetPlan {
  const { desired, gatewayId, observed } = input;
  const name = desired.name;
  if (!observed) {
    const { clientToken: _later, ...after } = renderCreateTarget(desired, { gatewayId, clientToken: '' });
    return { action: 'create', kind: 'gateway-target', name, reason: 'missing', after };
  }
  const targetId = String(observed.targetId);
  const type = targetType(observed as unknown as Json);
  if (type !== 'mcp.mcpServer') {
    throw new GatewayImmutableFieldError(`targets[${name}] target type`, type, 'mcp.mcpServer', `keygate manages MCP server targets only: give the document's target another name, or delete target ${targetId} first.`);
  }
  const rendered = renderUpdateTarget(desired, { gatewayId, targetId });
  const fields = diffFields(targetRules(desired), rendered as unknown as Json, observed as unknown as Json);
  const failed = targetReadiness(observed.status, observed.statusReasons).state === 'failed';
  if (!fields.length && !failed) return { action: 'noop', kind: 'gateway-target', name, reason: 'in-sync', targetId };
  return { action: 'update', kind: 'gateway-target', name, reason: fields.length ? 'differs' : 'failed-status', targetId, fields, after: mergeUpdate(desired, rendered, observed) };
}
