import type { PrivateEndpoint } from '../desired/common';
import type { CustomClaim, DesiredGateway, DesiredTarget } from '../desired/gateway';
import type {
  CreateGatewayRequest,
  CreateGatewayTargetRequest,
  CustomClaimWire,
  GatewayBodyWire,
  PrivateEndpointWire,
  UpdateGatewayRequest,
  UpdateGatewayTargetRequest,
} from './wire';

/** Tag keygate puts on gateways it creates (UpdateGateway cannot change tags). */
export const MANAGED_BY_TAG = { 'managed-by': 'keygate' } as const;
/** The tag that says which keygate stack owns a gateway: keygate touches only gateways tagged with its own stack. */
export const OWNER_TAG_KEY = 'keygate:owner';
/** Every tag CreateGateway carries. */
export const gatewayTags = (owner: string): Record<string, string> => ({ ...MANAGED_BY_TAG, [OWNER_TAG_KEY]: owner });

export function renderPrivateEndpoint(p: PrivateEndpoint): PrivateEndpointWire {
  const m = p.managedVpcResource;
  return {
    managedVpcResource: {
      vpcIdentifier: m.vpcId,
      subnetIds: [...m.subnetIds],
      endpointIpAddressType: m.ipAddressType,
      ...(m.securityGroupIds.length ? { securityGroupIds: [...m.securityGroupIds] } : {}),
      ...(m.routingDomain !== undefined ? { routingDomain: m.routingDomain } : {}),
      ...(m.tags !== undefined ? { tags: { ...m.tags } } : {}),
    },
  };
}

function renderCustomClaim(c: CustomClaim): CustomClaimWire {
  return {
    inboundTokenClaimName: c.claim,
    inboundTokenClaimValueType: c.valueType,
    authorizingClaimMatchValue: {
      claimMatchValue: typeof c.value === 'string' ? { matchValueString: c.value } : { matchValueStringList: [...c.value] },
      claimMatchOperator: c.operator,
    },
  };
}

/**
 * The gateway body shared by CreateGateway and UpdateGateway. Empty lists are left out: AgentCore
 * treats an absent list as "no check", and the planner normalizes absent and empty alike.
 *
 * @example
 * renderGatewayBody(desired.gateway, { roleArn }).authorizerConfiguration.customJWTAuthorizer.allowedAudience // ['mcp-gateway-demo']
 */
export function renderGatewayBody(gateway: DesiredGateway, ctx: { roleArn: string }): GatewayBodyWire {
  const a = gateway.authorizer;
  const protocol = gateway.protocol;
  const hasProtocol = protocol && Object.values(protocol).some((v) => v !== undefined);
  return {
    name: gateway.name,
    ...(gateway.description !== undefined ? { description: gateway.description } : {}),
    roleArn: ctx.roleArn,
    protocolType: 'MCP',
    ...(hasProtocol ? { protocolConfiguration: { mcp: { ...protocol } } } : {}),
    authorizerType: a.type,
    authorizerConfiguration: {
      customJWTAuthorizer: {
        discoveryUrl: a.discoveryUrl,
        ...(a.allowedAudiences.length ? { allowedAudience: [...a.allowedAudiences] } : {}),
        ...(a.allowedClients.length ? { allowedClients: [...a.allowedClients] } : {}),
        ...(a.allowedScopes.length ? { allowedScopes: [...a.allowedScopes] } : {}),
        ...(a.customClaims.length ? { customClaims: a.customClaims.map(renderCustomClaim) } : {}),
        ...(a.privateEndpoint ? { privateEndpoint: renderPrivateEndpoint(a.privateEndpoint) } : {}),
      },
    },
    ...(gateway.exceptionLevel !== undefined ? { exceptionLevel: gateway.exceptionLevel } : {}),
  };
}

export function renderCreateGateway(gateway: DesiredGateway, ctx: { roleArn: string; clientToken: string; owner: string }): CreateGatewayRequest {
  return { ...renderGatewayBody(gateway, ctx), clientToken: ctx.clientToken, tags: gatewayTags(ctx.owner) };
}

export function renderUpdateGateway(gateway: DesiredGateway, ctx: { roleArn: string; gatewayId: string }): UpdateGatewayRequest {
  return { gatewayIdentifier: ctx.gatewayId, ...renderGatewayBody(gateway, ctx) };
}

function renderTargetBody(target: DesiredTarget) {
  return {
    name: target.name,
    ...(target.description !== undefined ? { description: target.description } : {}),
    targetConfiguration: {
      mcp: { mcpServer: { endpoint: target.endpoint, ...(target.listingMode ? { listingMode: target.listingMode } : {}) } },
    },
    ...(target.privateEndpoint ? { privateEndpoint: renderPrivateEndpoint(target.privateEndpoint) } : {}),
  };
}

/** CreateGatewayTarget for an MCP server target; `gatewayId` is the gateway ID, never its ARN (§2). */
export function renderCreateTarget(target: DesiredTarget, ctx: { gatewayId: string; clientToken: string }): CreateGatewayTargetRequest {
  const { name, ...rest } = renderTargetBody(target);
  return { gatewayIdentifier: ctx.gatewayId, name, clientToken: ctx.clientToken, ...rest };
}

export function renderUpdateTarget(target: DesiredTarget, ctx: { gatewayId: string; targetId: string }): UpdateGatewayTargetRequest {
  return { gatewayIdentifier: ctx.gatewayId, targetId: ctx.targetId, ...renderTargetBody(target) };
}
