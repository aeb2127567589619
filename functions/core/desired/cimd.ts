import * as z from 'zod/mini';
import { nonEmpty } from './common';

const url = nonEmpty;

// The client metadata document is free-form DCR metadata (RFC 7591) in principle. keygate accepts the
// registered names only, so a typo ("redirect_uri") is an error instead of a silently ignored field.
// client_secret and friends are accepted by the schema on purpose: lint rejects them with a clear rule.
export const CimdDocumentSchema = z.strictObject({
  client_id: z.optional(url()).check(z.meta({ description: 'Must equal cimd.url; filled in from it when omitted' })),
  client_name: z.optional(z.string()),
  redirect_uris: z.optional(z.array(nonEmpty())),
  grant_types: z.optional(z.array(nonEmpty())),
  response_types: z.optional(z.array(nonEmpty())),
  token_endpoint_auth_method: z.optional(z.string()),
  scope: z.optional(z.string()),
  application_type: z.optional(z.enum(['web', 'native'])),
  contacts: z.optional(z.array(z.string())),
  logo_uri: z.optional(url()),
  client_uri: z.optional(url()),
  policy_uri: z.optional(url()),
  tos_uri: z.optional(url()),
  jwks_uri: z.optional(url()),
  jwks: z.optional(z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())) })),
  post_logout_redirect_uris: z.optional(z.array(nonEmpty())),
  software_id: z.optional(z.string()),
  software_version: z.optional(z.string()),
  token_endpoint_auth_signing_alg: z.optional(z.string()),
  client_secret: z.optional(z.string()),
  client_secret_expires_at: z.optional(z.number()),
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
      path: z.string().check(
        z.regex(HOST_PATH, { error: 'must be an absolute file path without . or .. segments, such as /opt/cimd/public/oauth/client-metadata.json' }),
        z.refine((p) => !p.endsWith(PREVIOUS_SUFFIX), { error: `must not end with ${PREVIOUS_SUFFIX} (keygate keeps its rollback copy under that name)` }),
        z.meta({ description: 'Absolute path of the file nginx serves, on the Keycloak host' }),
      ),
      mode: z._default(
        z
          .string({ error: (issue) => (typeof issue.input === 'number' ? unquotedMode(issue.input) : undefined) })
          .check(z.regex(/^0[0-7]{3}$/, { error: 'must be an octal file mode such as 0644' })),
        '0644',
      ),
    }),
  }),
  z.strictObject({
    s3: z.strictObject({
      bucket: nonEmpty(),
      key: z
        .string()
        .check(
          z.minLength(1),
          z.refine((k) => !k.endsWith(PREVIOUS_SUFFIX), { error: `must not end with ${PREVIOUS_SUFFIX} (keygate keeps its rollback copy under that name)` }),
        ),
      cacheControl: z._default(z.string(), 'no-store'),
    }),
  }),
]);

/** Keycloak's server options `--spi-client-policy-executor--client-id-metadata-document--min-cache-time` / `--max-cache-time`. */
export const KEYCLOAK_CIMD_CACHE_DEFAULTS = { minSeconds: 300, maxSeconds: 259_200 } as const;

const seconds = () => z.number().check(z.int(), z.minimum(0));

export const CimdSchema = z.strictObject({
  url: url().check(z.meta({ description: 'The https URL the document is served at; it is also the client_id' })),
  document: CimdDocumentSchema,
  publish: z.optional(CimdPublishSchema).check(z.meta({ description: 'Where keygate writes the document; omit to only lint and verify it' })),
  keycloakCache: z
    .prefault(
      z
        .strictObject({
          minSeconds: z
            ._default(seconds(), KEYCLOAK_CIMD_CACHE_DEFAULTS.minSeconds)
            .check(z.meta({ description: 'Keycloak option --spi-client-policy-executor--client-id-metadata-document--min-cache-time' })),
          maxSeconds: z
            ._default(seconds(), KEYCLOAK_CIMD_CACHE_DEFAULTS.maxSeconds)
            .check(z.meta({ description: 'Keycloak option --spi-client-policy-executor--client-id-metadata-document--max-cache-time' })),
        })
        .check(z.refine((c) => c.minSeconds <= c.maxSeconds, { error: 'minSeconds must not exceed maxSeconds', path: ['minSeconds'] })),
      {},
    )
    .check(z.meta({ description: "The cache bounds Keycloak runs with (keygate does not set them): how long a published change takes to reach clients" })),
});

export type CimdDocumentInput = z.output<typeof CimdDocumentSchema>;
export type DesiredCimd = z.output<typeof CimdSchema>;
