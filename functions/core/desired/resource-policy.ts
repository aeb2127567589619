import { z } from 'zod';
import { parameterName } from './common';

export const ResourcePolicySchema = z.strictObject({
  vpcEndpoint: z
    .strictObject({
      parameterName: parameterName({ holds: 'the VPC endpoint id', example: '/keygate/mcp-keycloak-agentcore/gateway-vpce-id', secureString: false }).optional().meta({
        description: "Full NAME (leading /) of the SSM parameter holding the VPC endpoint id (the network stack's AgentCoreGatewayVpcEndpointId output)",
      }),
      ids: z.array(z.string()).optional().meta({ description: 'Literal VPC endpoint ids (vpce-...)' }),
    })
    .meta({ description: 'Where the allowed VPC endpoint id comes from: exactly one of parameterName or ids' }),
  rotationGracePeriodSeconds: z.number().int().min(0).max(86_400).default(300).meta({
    description: 'During an endpoint change, how long both the old and the new endpoint stay allowed',
  }),
});

export type DesiredResourcePolicy = z.output<typeof ResourcePolicySchema>;
