import { z } from 'zod';

/** A list of strings where order carries no meaning (audiences, scopes, clients, domains). */
export const stringSet = () => z.array(z.string().min(1, { error: 'must not be empty' }));

/** An SSM parameter NAME (never a value): keygate only ever handles the name of a secret. */
export const parameterName = () =>
  z
    .string()
    .min(1, { error: 'must be the name of an SSM parameter, for example /keygate/keycloak/admin-password' })
    .max(2048);

export const ManagedVpcResourceSchema = z.strictObject({
  vpcId: z.string().min(1).meta({ description: 'VPC id (vpcIdentifier on the wire)' }),
  subnetIds: z.array(z.string().min(1)).min(1, { error: 'needs at least one subnet id' }),
  securityGroupIds: z.array(z.string().min(1)).default([]),
  ipAddressType: z.enum(['IPV4', 'IPV6']).default('IPV4'),
  routingDomain: z.string().min(1).optional().meta({
    description: 'Domain the gateway resolves through the VPC (for an internal ALB with a publicly trusted certificate)',
  }),
  tags: z.record(z.string(), z.string()).optional(),
});

/** AgentCore reaches a private IdP or target through a managed VPC resource (SDK >= 3.1040.0 wire name). */
export const PrivateEndpointSchema = z.strictObject({
  managedVpcResource: ManagedVpcResourceSchema,
});

export type ManagedVpcResource = z.output<typeof ManagedVpcResourceSchema>;
export type PrivateEndpoint = z.output<typeof PrivateEndpointSchema>;
