import * as z from 'zod/mini';
import { parameterName } from './common';

export const ResourcePolicySchema = z.strictObject({
  vpcEndpoint: z
    .strictObject({
      parameterName: z.optional(parameterName({ holds: 'the VPC endpoint id', example: '/keygate/mcp-keycloak-agentcore/gateway-vpce-id', secureString: false })).check(
        z.meta({
          description: "Full NAME (leading /) of the SSM parameter holding the VPC endpoint id (the network stack's AgentCoreGatewayVpcEndpointId output)",
        }),
      ),
      ids: z.optional(z.array(z.string())).check(z.meta({ description: 'Literal VPC endpoint ids (vpce-...)' })),
    })
    .check(z.meta({ description: 'Where the allowed VPC endpoint id comes from: exactly one of parameterName or ids' })),
  rotationGracePeriodSeconds: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(86_400)), 300).check(
    z.meta({
      description: 'During an endpoint change, how long both the old and the new endpoint stay allowed',
    }),
  ),
});

export type DesiredResourcePolicy = z.output<typeof ResourcePolicySchema>;
