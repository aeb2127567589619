import { z } from 'zod';
import { PrivateEndpointSchema, stringSet } from './common';

/**
 * A wait budget in seconds. The upper bound is what the state machines' bounded Retry (95 polls
 * from 1 s, backing off 8% per poll to 30 s) covers, about 31 minutes (statemachine/provision.asl.json;
 * tests/unit/statemachine/wait-budget.test.ts checks the sum).
 */
export const MAX_READY_TIMEOUT_SECONDS = 1800;
const readyTimeout = (fallback: number, description: string) =>
  z
    .number()
    .int()
    .min(60)
    .max(MAX_READY_TIMEOUT_SECONDS)
    .default(fallback)
    .meta({ description: `${description}, in seconds (60 to ${MAX_READY_TIMEOUT_SECONDS}; default ${fallback})` });

export const CustomClaimSchema = z.strictObject({
  claim: z.string().min(1).meta({ description: 'inboundTokenClaimName' }),
  valueType: z.enum(['STRING', 'STRING_ARRAY']),
  operator: z.enum(['EQUALS', 'CONTAINS', 'CONTAINS_ANY']),
  value: z.union([z.string(), z.array(z.string())]).meta({
    description: 'A string is sent as matchValueString, a list as matchValueStringList',
  }),
});

export const AuthorizerSchema = z.strictObject({
  type: z.literal('CUSTOM_JWT').default('CUSTOM_JWT').meta({
    description: 'keygate manages JWT gateways only; changing the type requires replacing the gateway',
  }),
  discoveryUrl: z.string().min(1).meta({
    description: 'https://<keycloak>/realms/<realm>/.well-known/openid-configuration',
  }),
  allowedAudiences: stringSet().default([]),
  allowedScopes: stringSet().default([]),
  allowedClients: stringSet().default([]),
  customClaims: z.array(CustomClaimSchema).default([]),
  privateEndpoint: PrivateEndpointSchema.optional().meta({
    description: 'How AgentCore reaches a private IdP (covers only the discovery URL domain)',
  }),
});

export const GatewaySchema = z.strictObject({
  name: z.string().meta({ description: 'Letters, digits and single hyphens, at most 48 characters; unique per account' }),
  description: z.string().optional(),
  roleArn: z.string().min(1).optional().meta({
    description: 'Service role the gateway assumes. Omit to use the role created by the keygate stack',
  }),
  authorizer: AuthorizerSchema,
  protocol: z
    .strictObject({
      supportedVersions: z.array(z.string().min(1)).optional(),
      instructions: z.string().optional(),
      searchType: z.enum(['SEMANTIC']).optional(),
    })
    .optional(),
  exceptionLevel: z.enum(['DEBUG']).optional(),
  allowReplacement: z.boolean().default(false).meta({
    description: 'Allow keygate to delete and recreate the gateway when an immutable field (name, authorizer type) changes',
  }),
  readyTimeoutSeconds: readyTimeout(600, 'How long provisioning waits for the gateway to become READY'),
});

export const TargetSchema = z.strictObject({
  name: z.string().meta({ description: 'Letters, digits and single hyphens, at most 100 characters' }),
  description: z.string().optional(),
  endpoint: z.string().min(1).meta({ description: 'https URL of the MCP server, for example https://mcp.example.com/mcp' }),
  listingMode: z.enum(['DEFAULT', 'DYNAMIC']).optional(),
  privateEndpoint: PrivateEndpointSchema.optional(),
  readyTimeoutSeconds: readyTimeout(900, 'How long provisioning waits for this target to become READY'),
});

export type CustomClaim = z.output<typeof CustomClaimSchema>;
export type DesiredAuthorizer = z.output<typeof AuthorizerSchema>;
export type DesiredGateway = z.output<typeof GatewaySchema>;
export type DesiredTarget = z.output<typeof TargetSchema>;
