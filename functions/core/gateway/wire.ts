// AgentCore control-plane request shapes, with the exact wire member names of
// @aws-sdk/client-bedrock-agentcore-control 3.1142.0 (agentcore-gateway-api.md §4). The core may not
// import the SDK; tests/unit/core/gateway/wire-types.test.ts proves at compile time that each shape
// is assignable to the SDK's own *CommandInput type.

export interface ManagedVpcResourceWire {
  vpcIdentifier: string;
  subnetIds: string[];
  endpointIpAddressType: 'IPV4' | 'IPV6';
  securityGroupIds?: string[];
  tags?: Record<string, string>;
  routingDomain?: string;
}

export interface PrivateEndpointWire {
  managedVpcResource: ManagedVpcResourceWire;
}

export interface CustomClaimWire {
  inboundTokenClaimName: string;
  inboundTokenClaimValueType: 'STRING' | 'STRING_ARRAY';
  authorizingClaimMatchValue: {
    claimMatchValue: { matchValueString: string } | { matchValueStringList: string[] };
    claimMatchOperator: 'EQUALS' | 'CONTAINS' | 'CONTAINS_ANY';
  };
}

export interface CustomJwtAuthorizerWire {
  discoveryUrl: string;
  allowedAudience?: string[];
  allowedClients?: string[];
  allowedScopes?: string[];
  customClaims?: CustomClaimWire[];
  privateEndpoint?: PrivateEndpointWire;
}

export interface GatewayBodyWire {
  name: string;
  description?: string;
  roleArn: string;
  protocolType: 'MCP';
  protocolConfiguration?: { mcp: { supportedVersions?: string[]; instructions?: string; searchType?: 'SEMANTIC' } };
  authorizerType: 'CUSTOM_JWT';
  authorizerConfiguration: { customJWTAuthorizer: CustomJwtAuthorizerWire };
  exceptionLevel?: 'DEBUG';
}

export interface CreateGatewayRequest extends GatewayBodyWire {
  clientToken: string;
  tags?: Record<string, string>;
}

/** UpdateGateway is a full replacement: the whole document, no clientToken, no tags (§4.4). */
export interface UpdateGatewayRequest extends GatewayBodyWire {
  gatewayIdentifier: string;
}

export interface McpServerTargetConfigurationWire {
  mcp: { mcpServer: { endpoint: string; listingMode?: 'DEFAULT' | 'DYNAMIC' } };
}

export interface CreateGatewayTargetRequest {
  gatewayIdentifier: string;
  name: string;
  description?: string;
  clientToken: string;
  targetConfiguration: McpServerTargetConfigurationWire;
  privateEndpoint?: PrivateEndpointWire;
}

export interface UpdateGatewayTargetRequest {
  gatewayIdentifier: string;
  targetId: string;
  name: string;
  description?: string;
  targetConfiguration: McpServerTargetConfigurationWire;
  privateEndpoint?: PrivateEndpointWire;
}
