import * as z from 'zod/mini';
import { nonEmpty, PrivateEndpointSchema, stringSet } from './common';

/**
 * A wait budget in seconds. The upper bound is what the state machines' bounded Retry (95 polls
 * from 1 s, backing off 8% per poll to 30 s) covers, about 31 minutes (statemachine/provision.asl.json;
 * tests/unit/statemachine/wait-budget.test.ts checks the sum).
 */
export const MAX_READY_TIMEOUT_SECONDS = 1800;
const readyTimeout = (fallback: number, description: string) =>
  z
    ._default(z.number().check(z.int(), z.minimum(60), z.maximum(MAX_READY_TIMEOUT_SECONDS)), fallback)
    .check(z.meta({ description: `${description}, in seconds (60 to ${MAX_READY_TIMEOUT_SECONDS}; default ${fallback})` }));

export const CustomClaimSchema = z.strictObject({
  claim: nonEmpty().check(z.meta({ description: 'inboundTokenClaimName' })),
  valueType: z.enum(['STRING', 'STRING_ARRAY']),
  operator: z.enum(['EQUALS', 'CONTAINS', 'CONTAINS_ANY']),
  value: z.union([z.string(), z.array(z.string())]).check(
    z.meta({
      description: 'A string is sent as matchValueString, a list as matchValueStringList',
    }),
  ),
});

export const AuthorizerSchema = z.strictObject({
  type: z._default(z.literal('CUSTOM_JWT'), 'CUSTOM_JWT').check(
    z.meta({
      description: 'keygate manages JWT gateways only; changing the type requires replacing the gateway',
    }),
  ),
  discoveryUrl: nonEmpty().check(
    z.meta({
      description: 'https://<keycloak>/realms/<realm>/.well-known/openid-configuration',
    }),
  ),
  allowedAudiences: z._default(stringSet(), []),
  allowedScopes: z._default(stringSet(), []),
  allowedClients: z._default(stringSet(), []),
  customClaims: z._default(z.array(CustomClaimSchema), []),
  privateEndpoint: z.optional(PrivateEndpointSchema).check(
    z.meta({
      description: 'How AgentCore reaches a private IdP (covers only the discovery URL domain)',
    }),
  ),
});

export const GatewaySchema = z.strictObject({
  name: z.string().check(z.meta({ description: 'Letters, digits and single hyphens, at most 48 characters; unique per account' })),
  description: z.optional(z.string()),
  roleArn: z.optional(nonEmpty()).check(
    z.meta({
      description: 'Service role the gateway assumes. Omit to use the role created by the keygate stack',
    }),
  ),
  authorizer: AuthorizerSchema,
  protocol: z.optional(
    z.strictObject({
      supportedVersions: z.optional(z.array(nonEmpty())),
      instructions: z.optional(z.string()),
      searchType: z.optional(z.enum(['SEMANTIC'])),
    }),
  ),
  exceptionLevel: z.optional(z.enum(['DEBUG'])),
  allowReplacement: z._default(z.boolean(), false).check(
    z.meta({
      description: 'Allow keygate to delete and recreate the gateway when an immutable field (name, authorizer type) changes',
    }),
  ),
  readyTimeoutSeconds: readyTimeout(600, 'How long provisioning waits for the gateway to become READY'),
});

export const TargetSchema = z.strictObject({
  name: z.string().check(z.meta({ description: 'Letters, digits and single hyphens, at most 100 characters' })),
  description: z.optional(z.string()),
  endpoint: nonEmpty().check(z.meta({ description: 'https URL of the MCP server, for example https://mcp.example.com/mcp' })),
  listingMode: z.optional(z.enum(['DEFAULT', 'DYNAMIC'])),
  privateEndpoint: z.optional(PrivateEndpointSchema),
  readyTimeoutSeconds: readyTimeout(900, 'How long provisioning waits for this target to become READY'),
});

export type CustomClaim = z.output<typeof CustomClaimSchema>;
export type DesiredAuthorizer = z.output<typeof AuthorizerSchema>;
export type DesiredGateway = z.output<typeof GatewaySchema>;
export type DesiredTarget = z.output<typeof TargetSchema>;
