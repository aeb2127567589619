import type { DesiredCimd } from '../desired/cimd';

/** Key order of a rendered CIMD document: identity first, then RFC 7591 metadata in registry order. */
export const CIMD_KEY_ORDER = [
  'client_id',
  'client_name',
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'contacts',
  'application_type',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'token_endpoint_auth_signing_alg',
  'scope',
  'jwks_uri',
  'jwks',
  'software_id',
  'software_version',
  'client_secret',
  'client_secret_expires_at',
] as const;

export type CimdDocument = Record<string, unknown> & { client_id: string };

export interface RenderedCimd {
  document: CimdDocument;
  /** The exact bytes keygate publishes: stable key order, 2-space indent, trailing newline. */
  text: string;
  bytes: number;
}

/**
 * Renders the client metadata document deterministically, so that publishing the same document
 * twice writes the same bytes (and a republish is a no-op). `client_id` defaults to the URL.
 *
 * @example
 * renderCimdDocument({ url: 'https://cimd.example.com/oauth/client.json', document: { client_name: 'x' } }).document.client_id
 * // 'https://cimd.example.com/oauth/client.json'
 */
export function renderCimdDocument(cimd: Pick<DesiredCimd, 'url' | 'document'>): RenderedCimd {
  const source: Record<string, unknown> = { ...cimd.document, client_id: cimd.document.client_id ?? cimd.url };
  const document = {} as CimdDocument;
  for (const key of CIMD_KEY_ORDER) {
    if (source[key] !== undefined) (document as Record<string, unknown>)[key] = source[key];
  }
  const text = `${JSON.stringify(document, null, 2)}\n`;
  return { document, text, bytes: Buffer.byteLength(text, 'utf8') };
}
