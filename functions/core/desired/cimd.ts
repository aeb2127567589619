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

/** keygate keeps the bytes it replaced under `<path>.previous` / `<key>.previous`: one rollback copy. */
export const PREVIOUS_SUFFIX = '.previous';

/**
 * Default of the template parameter CimdPublishDirectory (the seed's nginx web root): the one directory
 * on the Keycloak host keygate may publish under. A test keeps template.yaml's Default equal to it.
 */
export const DEFAULT_CIMD_PUBLISH_DIRECTORY = '/opt/cimd/public';

/** CimdPublishDirectory's AllowedPattern in template.yaml (a test keeps them equal): absolute, no dot-led component, no trailing slash. */
export const CIMD_PUBLISH_DIRECTORY_PATTERN = new RegExp('^(/[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)+$');

/** Whether a (schema-checked, normalized) host path lies strictly inside `directory`. */
export const isInsideDirectory = (path: string, directory: string): boolean => path.startsWith(`${directory}/`);

/** An absolute path without `.`/`..` segments, empty segments or a trailing slash (the executor refuses others). */
const HOST_PATH = /^(\/(?!\.{1,2}(\/|$))[^/\0]+)+$/;

/**
 * `mode: 644` (or 0644) unquoted is the number 644 to YAML 1.2, not an octal string. The message
 * gives the quoted form the writer most likely meant (three octal digits: those, with a leading 0).
 */
function unquotedMode(n: number): string {
  const meant = /^[0-7]{3}$/.test(String(n)) ? `0${n}` : '0644';
  return `must be a quoted string such as '${meant}': unquoted, YAML reads the mode as the number ${n} (write mode: '${meant}')`;
}

export const CimdPublishSchema = z.union([
  z.strictObject({
    host: z.strictObject({
      path: z
        .string()
        .regex(HOST_PATH, { error: 'must be an absolute file path without . or .. segments, such as /opt/cimd/public/oauth/client-metadata.json' })
        .refine((p) => !p.endsWith(PREVIOUS_SUFFIX), { error: `must not end with ${PREVIOUS_SUFFIX} (keygate keeps its rollback copy under that name)` })
        .meta({ description: 'Absolute path of the file nginx serves, on the Keycloak host' }),
      mode: z
        .string({ error: (issue) => (typeof issue.input === 'number' ? unquotedMode(issue.input) : undefined) })
        .regex(/^0[0-7]{3}$/, { error: 'must be an octal file mode such as 0644' })
        .default('0644'),
    }),
  }),
  z.strictObject({
    s3: z.strictObject({
      bucket: z.string().min(1),
      key: z
        .string()
        .min(1)
        .refine((k) => !k.endsWith(PREVIOUS_SUFFIX), { error: `must not end with ${PREVIOUS_SUFFIX} (keygate keeps its rollback copy under that name)` }),
      cacheControl: z.string().default('no-store'),
    }),
  }),
]);

/** Keycloak's server options `--spi-client-policy-executor--client-id-metadata-document--min-cache-time` / `--max-cache-time`. */
export const KEYCLOAK_CIMD_CACHE_DEFAULTS = { minSeconds: 300, maxSeconds: 259_200 } as const;

const seconds = () => z.number().int().min(0);

export const CimdSchema = z.strictObject({
  url: url().meta({ description: 'The https URL the document is served at; it is also the client_id' }),
  document: CimdDocumentSchema,
  publish: CimdPublishSchema.optional().meta({ description: 'Where keygate writes the document; omit to only lint and verify it' }),
  keycloakCache: z
    .strictObject({
      minSeconds: seconds().default(KEYCLOAK_CIMD_CACHE_DEFAULTS.minSeconds).meta({ description: 'Keycloak option --spi-client-policy-executor--client-id-metadata-document--min-cache-time' }),
      maxSeconds: seconds().default(KEYCLOAK_CIMD_CACHE_DEFAULTS.maxSeconds).meta({ description: 'Keycloak option --spi-client-policy-executor--client-id-metadata-document--max-cache-time' }),
    })
    .refine((c) => c.minSeconds <= c.maxSeconds, { error: 'minSeconds must not exceed maxSeconds', path: ['minSeconds'] })
    .prefault({})
    .meta({ description: "The cache bounds Keycloak runs with (keygate does not set them): how long a published change takes to reach clients" }),
});

export type CimdDocumentInput = z.output<typeof CimdDocumentSchema>;
export type DesiredCimd = z.output<typeof CimdSchema>;
