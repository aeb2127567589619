import * as z from 'zod/mini';
import { CimdSchema } from './cimd';
import { DriftSchema } from './drift';
import { GatewaySchema, TargetSchema } from './gateway';
import { KeycloakSchema } from './keycloak';
import { ResourcePolicySchema } from './resource-policy';
import { VerifySchema } from './verify';

/**
 * The desired-state document: everything keygate manages, in one place.
 * An absent optional section means "keygate does not manage this".
 */
export const DesiredStateSchema = z
  .strictObject({
    version: z.literal(1, { error: 'must be 1 (the only document version keygate knows)' }),
    gateway: GatewaySchema,
    targets: z.array(TargetSchema).check(z.minLength(1, { error: 'declare at least one MCP server target' })),
    resourcePolicy: z.optional(ResourcePolicySchema),
    keycloak: KeycloakSchema,
    cimd: z.optional(CimdSchema),
    drift: z._default(DriftSchema, { schedule: 'rate(15 minutes)', mode: 'report' }),
    verify: z.prefault(VerifySchema, {}),
  })
  .check(z.meta({ title: 'keygate desired state', description: 'https://github.com/keygate/keygate docs/desired-state.md' }));

export type DesiredState = z.output<typeof DesiredStateSchema>;
export type DesiredStateInput = z.input<typeof DesiredStateSchema>;
