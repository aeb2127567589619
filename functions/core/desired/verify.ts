import { z } from 'zod';
import { stringSet } from './common';

/** JWS algorithms a verifier may accept for access tokens: asymmetric only (never HS* or none). */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

export const ToolCallSchema = z.strictObject({
  tool: z.string().min(1).meta({ description: 'Tool name as the gateway lists it: <target>___<tool>, for example my-mcp-server___add_numbers' }),
  arguments: z.record(z.string(), z.unknown()).default({}),
  expectText: z.string().optional().meta({ description: 'Text the result must contain, for example "5" for add_numbers(2, 3)' }),
});

export const VerifyNetworkSchema = z.strictObject({
  subnetIds: z.array(z.string().min(1)).min(1, { error: 'needs at least one subnet id' }).meta({
    description: 'Private subnets the verify function runs in (they must reach Keycloak, the gateway endpoint and SSM)',
  }),
  securityGroupIds: z.array(z.string().min(1)).min(1, { error: 'needs at least one security group id' }).meta({
    description: 'Security groups of the verify function (egress 443 to the ALB and the VPC endpoints)',
  }),
});

export const VerifySchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: 'Run the live verification at the end of provisioning and of every drift run' }),
    failOn: z.enum(['fail', 'warn', 'never']).default('fail').meta({
      description: 'fail: a failed check fails the execution; warn: warnings fail it too; never: report only',
    }),
    gatewayUrl: z.string().min(1).optional().meta({
      description: "The gateway's MCP URL when no caller passes it (provisioning passes the URL it observed)",
    }),
    expectedTools: stringSet().default([]).meta({ description: 'Tool names (<target>___<tool>) that tools/list must contain' }),
    toolCalls: z.array(ToolCallSchema).default([]).meta({ description: 'Tools to call with the canary token after tools/list' }),
    deniedScope: z.string().min(1).default('mcp:fail').meta({
      description: 'Scope requested for the negative test: the token must lack every allowed scope and the gateway must refuse it',
    }),
    algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1).default(['RS256']).meta({
      description: "JWS algorithms the canary token may be signed with (Keycloak's default realm key is RS256)",
    }),
    maxTokenLifetimeSeconds: z.number().int().min(1).max(86_400).default(3600).meta({
      description: 'A canary token living longer than this (exp - iat) is a warning: MCP wants short-lived access tokens',
    }),
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
    timeoutSeconds: z.number().int().min(1).max(60).default(10).meta({ description: 'Per HTTP request' }),
    queryTokenProbe: z.boolean().default(true).meta({
      description: 'Send a fresh canary token in the query string and expect a 401 (the URL may reach access logs; the token is short-lived)',
    }),
    network: VerifyNetworkSchema.optional().meta({
      description: 'Where the verify function runs in AWS (Keycloak and the gateway endpoint are private). Omit to run it outside a VPC',
    }),
    canarySecretKmsKeyArn: z.string().min(1).optional().meta({
      description: 'Customer-managed KMS key of the canary secret SecureString (omit for the aws/ssm key)',
    }),
  })
  .meta({ description: 'Live verification of the chain: discovery, keys, canary token, protected-resource metadata, MCP calls, CIMD document' });

export type DesiredVerify = z.output<typeof VerifySchema>;
export type DesiredToolCall = z.output<typeof ToolCallSchema>;
