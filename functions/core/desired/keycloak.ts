import * as z from 'zod/mini';
import { nonEmpty, parameterName, stringSet } from './common';

// Provider ids and configuration keys are Keycloak's own (keycloak-admin-reference.md §1.3), so a
// profile in this document reads exactly like the admin REST body it becomes. Booleans are JSON
// booleans here; the renderer writes what Keycloak stores.

const flag = (fallback: boolean, description?: string) =>
  description ? z._default(z.boolean(), fallback).check(z.meta({ description })) : z._default(z.boolean(), fallback);

export const CimdExecutorSchema = z.strictObject({
  executor: z.literal('client-id-metadata-document'),
  configuration: z.strictObject({
    'cimd-allow-http-scheme': flag(false, 'Allow http client_id and metadata URLs (development only)'),
    'cimd-allow-permitted-domains': stringSet().check(
      z.meta({
        description: 'Trusted domains for the client_id host and every URL in the document (empty denies every domain)',
      }),
    ),
    'cimd-restrict-same-domain': flag(false),
    'cimd-required-properties': z._default(stringSet(), []),
    'only-allow-confidential-client': flag(false),
  }),
});

const autoConfigure = z._default(z.strictObject({ 'auto-configure': flag(true) }), { 'auto-configure': true });

export const PkceEnforcerSchema = z.strictObject({ executor: z.literal('pkce-enforcer'), configuration: autoConfigure });
export const RejectImplicitGrantSchema = z.strictObject({
  executor: z.literal('reject-implicit-grant'),
  configuration: autoConfigure,
});
export const RejectRopcGrantSchema = z.strictObject({ executor: z.literal('reject-ropc-grant'), configuration: autoConfigure });

export const SecureRedirectUrisEnforcerSchema = z.strictObject({
  executor: z.literal('secure-redirect-uris-enforcer'),
  configuration: z.strictObject({
    'allow-ipv4-loopback-address': flag(false),
    'allow-ipv6-loopback-address': flag(false),
    'allow-private-use-uri-scheme': flag(false),
    'allow-http-scheme': flag(false),
    'allow-wildcard-context-path': flag(false),
    'oauth-2-1-compliant': flag(false, 'Rejects fragments, wildcards and localhost redirect URIs (use 127.0.0.1)'),
    'allow-open-redirect': flag(false),
    'allow-permitted-domains': z.optional(stringSet()),
  }),
});

export const DpopBindEnforcerSchema = z.strictObject({
  executor: z.literal('dpop-bind-enforcer'),
  configuration: z._default(
    z.strictObject({
      'auto-configure': flag(true),
      'enforce-authorization-code-binding-to-dpop': flag(false),
      'allow-only-refresh-token-binding': flag(false),
    }),
    { 'auto-configure': true, 'enforce-authorization-code-binding-to-dpop': false, 'allow-only-refresh-token-binding': false },
  ),
});

export const ExecutorSchema = z.discriminatedUnion('executor', [
  CimdExecutorSchema,
  PkceEnforcerSchema,
  RejectImplicitGrantSchema,
  RejectRopcGrantSchema,
  SecureRedirectUrisEnforcerSchema,
  DpopBindEnforcerSchema,
]);

export const ClientIdUriConditionSchema = z.strictObject({
  condition: z.literal('client-id-uri'),
  configuration: z.strictObject({
    'client-id-uri-scheme': z._default(stringSet(), ['https']),
    'client-id-uri-allow-permitted-domains': stringSet().check(
      z.meta({
        description: 'Trusted domains for the client_id URL host (empty: the condition never matches)',
      }),
    ),
    'is-negative-logic': flag(false),
  }),
});

export const ClientAccessTypeConditionSchema = z.strictObject({
  condition: z.literal('client-access-type'),
  configuration: z.strictObject({
    type: z.array(z.enum(['confidential', 'public', 'bearer-only'])).check(z.minLength(1)),
    'is-negative-logic': flag(false),
  }),
});

export const ConditionSchema = z.discriminatedUnion('condition', [ClientIdUriConditionSchema, ClientAccessTypeConditionSchema]);

export const ClientProfileSchema = z.strictObject({
  name: nonEmpty(),
  description: z.optional(z.string()),
  executors: z.array(ExecutorSchema).check(z.minLength(1, { error: 'a profile needs at least one executor' })),
});

export const ClientPolicySchema = z.strictObject({
  name: nonEmpty(),
  description: z.optional(z.string()),
  conditions: z.array(ConditionSchema).check(z.minLength(1, { error: 'a policy needs at least one condition' })),
  profiles: z.array(nonEmpty()).check(z.minLength(1, { error: 'a policy needs at least one profile' })),
});

export const AudienceMapperSchema = z.strictObject({
  name: nonEmpty(),
  audience: nonEmpty().check(z.meta({ description: "Included Custom Audience: must be one of the gateway's allowed audiences" })),
  addToAccessToken: flag(true),
  addToIntrospection: flag(true),
  addToIdToken: flag(false),
  addToLightweightToken: flag(false),
});

export const ClientScopeSchema = z.strictObject({
  name: nonEmpty(),
  description: z.optional(z.string()),
  type: z._default(z.enum(['default', 'optional', 'none']), 'optional').check(
    z.meta({
      description: 'Realm default client scope type (membership of the realm default/optional lists)',
    }),
  ),
  includeInTokenScope: flag(true, 'Put the scope name into the access token "scope" claim (the gateway checks it)'),
  displayOnConsentScreen: flag(true),
  consentScreenText: z.optional(z.string()),
  audienceMapper: z.optional(AudienceMapperSchema),
});

export const UserSchema = z.strictObject({
  username: nonEmpty(),
  email: z.optional(z.string()),
  emailVerified: flag(true),
  firstName: z.optional(z.string()),
  lastName: z.optional(z.string()),
  enabled: flag(true),
  passwordParameter: parameterName({ holds: "the user's password", example: '/keygate/mcp-keycloak-agentcore/users/alice', secureString: true }).check(
    z.meta({
      description: 'Full NAME (leading /) of the SSM SecureString holding the initial password',
    }),
  ),
  resetPassword: flag(false, 'Set the password on every run, not only at creation (a password cannot be read back)'),
});

export const CanaryClientSchema = z
  .strictObject({
    clientId: z._default(nonEmpty(), 'keygate-canary'),
    secretParameter: parameterName({ holds: 'the client secret', example: '/keygate/mcp-keycloak-agentcore/canary-client-secret', secureString: true }).check(
      z.meta({
        description: 'Full NAME (leading /) of the SSM SecureString holding the client secret (set on the host when keygate creates the client)',
      }),
    ),
  })
  .check(
    z.meta({
      description:
        "Optional confidential client (client credentials only) that verification uses to get a token; it is allowed the gateway's scopes",
    }),
  );

export const AudienceBindingSchema = z
  .strictObject({
    strategy: z._default(z.enum(['audience-mapper', 'resource-indicator']), 'audience-mapper').check(
      z.meta({
        description:
          "audience-mapper: the client scope's audience mapper puts a fixed audience into every token (the seed's workaround). resource-indicator: RFC 8707, Keycloak 26.7+ started with --features=resource-indicators (experimental): a token requested with resource=<the gateway URL> carries exactly that URL as aud",
      }),
    ),
    resource: z.optional(nonEmpty()).check(
      z.meta({
        description: "The resource tokens are bound to: the gateway's MCP URL, as its protected-resource metadata announces it (required with resource-indicator)",
      }),
    ),
    clientId: z.optional(nonEmpty()).check(
      z.meta({
        description:
          "The resource-server client keygate keeps for it (bearer-only, attribute resource_url = resource). Keycloak finds the resource through this client in the token's aud, so an audience mapper must put this clientId into access tokens. Default: the first audience mapper's audience",
      }),
    ),
  })
  .check(z.meta({ description: 'How access tokens are bound to the gateway (MCP: audience-bound tokens, RFC 8707)' }));

export const RealmSchema = z.strictObject({
  name: nonEmpty(),
  allowAdminRealm: flag(
    false,
    "Let keygate reconcile Keycloak's admin realm (master, or keycloak.admin.realm): the realm every administrator logs in to. Off: lint refuses such a name (realm-admin-realm)",
  ),
  canaryClient: z.optional(CanaryClientSchema),
  users: z._default(z.array(UserSchema), []),
  clientScopes: z._default(z.array(ClientScopeSchema), []),
  clientProfiles: z._default(z.array(ClientProfileSchema), []),
  clientPolicies: z._default(z.array(ClientPolicySchema), []),
  audienceBinding: z._default(AudienceBindingSchema, { strategy: 'audience-mapper' }),
  workarounds: z._default(
    z.strictObject({
      kc49456: z._default(z.enum(['auto', 'on', 'off']), 'auto').check(
        z.meta({
          description:
            'keycloak/keycloak#49456: add the public-client profiles to the CIMD policy. auto = on for Keycloak older than 26.7.0',
        }),
      ),
    }),
    { kc49456: 'auto' },
  ),
});

/** Where the admin REST API listens on the Keycloak host when the document does not say. */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8080';

export const KeycloakAdminSchema = z.strictObject({
  url: z.optional(nonEmpty()).check(
    z.meta({
      description: "Loopback admin URL on the host, for example http://127.0.0.1:8080 (the default when kcadm is not set)",
    }),
  ),
  kcadm: z.optional(
    z.strictObject({
      container: nonEmpty().check(z.meta({ description: 'Docker container running Keycloak' })),
      path: z._default(nonEmpty(), '/opt/keycloak/bin/kcadm.sh'),
      serverUrl: z._default(nonEmpty(), 'http://localhost:8080'),
    }),
  ),
  realm: z._default(nonEmpty(), 'master'),
  username: nonEmpty(),
  passwordParameter: parameterName({ holds: 'the admin password', example: '/keygate/mcp-keycloak-agentcore/keycloak-admin-password', secureString: true }).check(
    z.meta({
      description: 'Full NAME (leading /) of the SSM SecureString with the admin password',
    }),
  ),
});

export const KeycloakSchema = z.strictObject({
  version: z
    .string()
    .check(
      z.regex(/^\d+\.\d+\.\d+$/, { error: 'must be a Keycloak version such as 26.6.1' }),
      z.meta({ description: 'Keycloak server version; drives version-specific workarounds' }),
    ),
  instanceId: z.string().check(z.meta({ description: 'EC2 instance id of the host that runs Keycloak (managed by SSM)' })),
  admin: KeycloakAdminSchema,
  realm: RealmSchema,
});

export type CimdExecutor = z.output<typeof CimdExecutorSchema>;
export type SecureRedirectUrisEnforcer = z.output<typeof SecureRedirectUrisEnforcerSchema>;
export type DesiredExecutor = z.output<typeof ExecutorSchema>;
export type DesiredCondition = z.output<typeof ConditionSchema>;
export type DesiredClientProfile = z.output<typeof ClientProfileSchema>;
export type DesiredClientPolicy = z.output<typeof ClientPolicySchema>;
export type DesiredAudienceMapper = z.output<typeof AudienceMapperSchema>;
export type DesiredClientScope = z.output<typeof ClientScopeSchema>;
export type DesiredUser = z.output<typeof UserSchema>;
export type DesiredCanaryClient = z.output<typeof CanaryClientSchema>;
export type DesiredRealm = z.output<typeof RealmSchema>;
export type DesiredAudienceBinding = z.output<typeof AudienceBindingSchema>;
export type DesiredKeycloakAdmin = z.output<typeof KeycloakAdminSchema>;
export type DesiredKeycloak = z.output<typeof KeycloakSchema>;
