import * as z from 'zod/mini';
import { nonEmpty, stringSet } from './common';

/** JWS algorithms a verifier may accept for access tokens: asymmetric only (never HS* or none). */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

const integer = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

export const ToolCallSchema = z.strictObject({
  tool: nonEmpty().check(z.meta({ description: 'Tool name as the gateway lists it: <target>___<tool>, for example my-mcp-server___add_numbers' })),
  arguments: z._default(z.record(z.string(), z.unknown()), {}),
  expectText: z.optional(z.string()).check(z.meta({ description: 'Text the result must contain, for example "5" for add_numbers(2, 3)' })),
});

export const VerifyNetworkSchema = z.strictObject({
  subnetIds: z.array(nonEmpty()).check(
    z.minLength(1, { error: 'needs at least one subnet id' }),
    z.meta({
      description: 'Private subnets the verify function runs in (they must reach Keycloak, the gateway endpoint and SSM)',
    }),
  ),
  securityGroupIds: z.array(nonEmpty()).check(
    z.minLength(1, { error: 'needs at least one security group id' }),
    z.meta({
      description: 'Security groups of the verify function (egress 443 to the ALB and the VPC endpoints)',
    }),
  ),
});

export const VerifySchema = z
  .strictObject({
    enabled: z._default(z.boolean(), true).check(z.meta({ description: 'Run the live verification at the end of provisioning and of every drift run' })),
    failOn: z._default(z.enum(['fail', 'warn', 'never']), 'fail').check(
      z.meta({
        description: 'fail: a failed check fails the execution; warn: warnings fail it too; never: report only',
      }),
    ),
    gatewayUrl: z.optional(nonEmpty()).check(
      z.meta({
        description: "The gateway's MCP URL when no caller passes it (provisioning passes the URL it observed)",
      }),
    ),
    expectedTools: z._default(stringSet(), []).check(z.meta({ description: 'Tool names (<target>___<tool>) that tools/list must contain' })),
    toolCalls: z._default(z.array(ToolCallSchema), []).check(z.meta({ description: 'Tools to call with the canary token after tools/list' })),
    deniedScope: z._default(nonEmpty(), 'mcp:fail').check(
      z.meta({
        description: 'Scope requested for the negative test: the token must lack every allowed scope and the gateway must refuse it',
      }),
    ),
    algorithms: z._default(z.array(z.enum(ASYMMETRIC_ALGORITHMS)).check(z.minLength(1)), ['RS256']).check(
      z.meta({
        description: "JWS algorithms the canary token may be signed with (Keycloak's default realm key is RS256)",
      }),
    ),
    maxTokenLifetimeSeconds: z._default(integer(1, 86_400), 3600).check(
      z.meta({
        description: 'A canary token living longer than this (exp - iat) is a warning: MCP wants short-lived access tokens',
      }),
    ),
    clockToleranceSeconds: z._default(integer(0, 300), 30),
    timeoutSeconds: z._default(integer(1, 60), 10).check(z.meta({ description: 'Per HTTP request' })),
    queryTokenProbe: z._default(z.boolean(), true).check(
      z.meta({
        description: 'Send a fresh canary token in the query string and expect a 401 (the URL may reach access logs; the token is short-lived)',
      }),
    ),
    network: z.optional(VerifyNetworkSchema).check(
      z.meta({
        description: 'Where the verify function runs in AWS (Keycloak and the gateway endpoint are private). Omit to run it outside a VPC',
      }),
    ),
    canarySecretKmsKeyArn: z.optional(nonEmpty()).check(
      z.meta({
        description: 'Customer-managed KMS key of the canary secret SecureString (omit for the aws/ssm key)',
      }),
    ),
  })
  .check(z.meta({ description: 'Live verification of the chain: discovery, keys, canary token, protected-resource metadata, MCP calls, CIMD document' }));

export type DesiredVerify = z.output<typeof VerifySchema>;
export type DesiredToolCall = z.output<typeof ToolCallSchema>;
