import { z } from 'zod';

const url = () => z.string().min(1);

// The client metadata document is free-form DCR metadata (RFC 7591) in principle. keygate accepts the
// registered names only, so a typo ("redirect_uri") is an error instead of a silently ignored field.
// client_secret and friends are accepted by the schema on purpose: lint rejects them with a clear rule.
export const CimdDocumentSchema = z.strictObject({
  client_id: url().optional().meta({ description: 'Must equal cimd.url; filled in from it when omitted' }),
  client_name: z.string().optional(),
  redirect_uris: z.array(z.string().min(1)).optional(),
  grant_types: z.array(z.string().min(1)).optional(),
  response_types: z.array(z.string().min(1)).optional(),
  token_endpoint_auth_method: z.string().optional(),
  scope: z.string().optional(),
  application_type: z.enum(['web', 'native']).optional(),
  contacts: z.array(z.string()).optional(),
  logo_uri: url().optional(),
  client_uri: url().optional(),
  policy_uri: url().optional(),
  tos_uri: url().optional(),
  jwks_uri: url().optional(),
  jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  post_logout_redirect_uris: z.array(z.string().min(1)).optional(),
  software_id: z.string().optional(),
  software_version: z.string().optional(),
  token_endpoint_auth_signing_alg: z.string().optional(),
  client_secret: z.string().optional(),
  client_secret_expires_at: z.number().optional(),
});

export const CimdPublishSchema = z.union([
  z.strictObject({
    host: z.strictObject({
      path: z.string().min(1).meta({ description: 'Absolute path of the file nginx serves, on the Keycloak host' }),
      mode: z.string().regex(/^0[0-7]{3}$/, { error: 'must be an octal file mode such as 0644' }).default('0644'),
    }),
  }),
  z.strictObject({
    s3: z.strictObject({
      bucket: z.string().min(1),
      key: z.string().min(1),
      cacheControl: z.string().default('no-store'),
    }),
  }),
]);

export const CimdSchema = z.strictObject({
  url: url().meta({ description: 'The https URL the document is served at; it is also the client_id' }),
  document: CimdDocumentSchema,
  publish: CimdPublishSchema.optional().meta({ description: 'Where keygate writes the document; omit to only lint and verify it' }),
});

export type CimdDocumentInput = z.output<typeof CimdDocumentSchema>;
export type DesiredCimd = z.output<typeof CimdSchema>;
