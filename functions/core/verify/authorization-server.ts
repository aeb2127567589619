import { eraOf } from '../gateway/mcp-versions';
import type { ChainExpectations } from './expectations';
import { describeObservation, isHttps, readJsonObject, unreachableFix, UNREACHABLE_DIAGNOSIS, type HttpObservation } from './observation';
import { checksFor, type Check } from './report';

const c = checksFor('authorization-server');

/** The endpoints of the discovery document keygate uses afterwards. */
export interface AuthorizationServerMetadata {
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  /** Whether discovery advertises client_id_metadata_document_supported (the CIMD feature is on). */
  cimdSupported: boolean;
}

/** Every URL-valued member of OIDC Discovery / RFC 8414 metadata that must be https (checklist S-6). */
const ENDPOINT_KEYS = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'registration_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'end_session_endpoint',
  'pushed_authorization_request_endpoint',
  'device_authorization_endpoint',
  'backchannel_authentication_endpoint',
] as const;

const REQUIRED_KEYS = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;

/**
 * Judges the discovery document at the configured URL (checklist AS-4, S-6, S-9/S-10, AS-2):
 * issuer equality, https endpoints, PKCE S256, the CIMD flag. Returns the endpoints for the next
 * steps when the document is usable.
 *
 * @example
 * checkDiscovery(observation, expectations).checks.map((c) => `${c.id} ${c.status}`)
 * // ['as.discovery pass', 'as.issuer pass', 'as.https pass', 'as.pkce pass', 'as.cimd pass']
 */
export function checkDiscovery(obs: HttpObservation, expect: ChainExpectations): { checks: Check[]; metadata?: AuthorizationServerMetadata } {
  const dependents = ['issuer', 'https', 'pkce', 'cimd'];
  const skipRest = (why: string) => dependents.map((id) => c.skip(id, `not checked: ${why}`));
  if (obs.kind === 'unreachable') {
    return { checks: [c.fail('discovery', describeObservation(obs), unreachableFix(obs.url), { diagnosis: UNREACHABLE_DIAGNOSIS }), ...skipRest('no discovery document')] };
  }
  if (obs.status !== 200) {
    return {
      checks: [
        c.fail('discovery', `${describeObservation(obs)}, not 200`, `check gateway.authorizer.discoveryUrl: the realm name and the host must be those Keycloak serves (/realms/<realm>${'/.well-known/openid-configuration'})`, {
          diagnosis: 'discovery-unavailable',
          observed: { status: obs.status },
        }),
        ...skipRest('no discovery document'),
      ],
    };
  }
  const json = readJsonObject(obs.text);
  if (!json.ok) {
    return { checks: [c.fail('discovery', `the discovery document ${json.problem}`, 'point gateway.authorizer.discoveryUrl at Keycloak itself, not at a login page or a proxy error page', { diagnosis: 'discovery-not-json' }), ...skipRest('no discovery document')] };
  }
  const doc = json.value;
  const missing = REQUIRED_KEYS.filter((k) => typeof doc[k] !== 'string' || doc[k] === '');
  const checks: Check[] = [
    missing.length
      ? c.fail('discovery', `the discovery document lacks ${missing.join(', ')}`, 'point gateway.authorizer.discoveryUrl at an OpenID Provider configuration', { diagnosis: 'discovery-incomplete' })
      : c.pass('discovery', `${obs.url} answered 200 with ${Object.keys(doc).length} metadata members`),
    issuerCheck(doc.issuer, expect),
    httpsCheck(doc),
    pkceCheck(doc.code_challenge_methods_supported),
    cimdFlagCheck(doc.client_id_metadata_document_supported, expect),
    ...(expect.mcpVersions.some((v) => eraOf(v) === 'modern') ? [issParameterCheck(doc.authorization_response_iss_parameter_supported)] : []),
  ];
  const metadata = missing.length
    ? undefined
    : { issuer: doc.issuer as string, tokenEndpoint: doc.token_endpoint as string, jwksUri: doc.jwks_uri as string, cimdSupported: doc.client_id_metadata_document_supported === true };
  return { checks, ...(metadata ? { metadata } : {}) };
}

/**
 * Why the canary secret must not be sent to the token endpoint the discovery document names, or
 * undefined when it may. The secret goes only to an https token endpoint on the origin of the
 * discovery URL the document declares (Keycloak serves it under its issuer,
 * `<issuer>/protocol/openid-connect/token`): Keycloak behind a load balancer without
 * KC_PROXY_HEADERS advertises http:// endpoints, and a wrong or tampered discovery document can name
 * another host; neither may receive a client secret. A wrong `issuer` alone does not stop the
 * token checks, so that token.issuer can still show what the tokens carry.
 *
 * @example
 * tokenEndpointRefusal({ issuer, tokenEndpoint: 'http://auth.example.com/realms/r/protocol/openid-connect/token', jwksUri }, expect)
 * // ['the canary secret was not sent: the token endpoint http://auth.example.com/… is not https (as.https)', 'fix the as.https check first: …']
 */
export function tokenEndpointRefusal(metadata: AuthorizationServerMetadata, expect: ChainExpectations): [why: string, fix: string] | undefined {
  const notSent = 'the canary secret was not sent';
  if (!isHttps(metadata.tokenEndpoint)) {
    return [
      `${notSent}: the token endpoint ${metadata.tokenEndpoint} is not https (as.https)`,
      'fix the as.https check first: behind a TLS-terminating load balancer set KC_PROXY_HEADERS=xforwarded and KC_HOSTNAME=https://<public host>',
    ];
  }
  const origin = new URL(expect.discoveryUrl).origin;
  if (new URL(metadata.tokenEndpoint).origin !== origin) {
    return [
      `${notSent}: the token endpoint ${metadata.tokenEndpoint} is not on ${origin}, the origin of gateway.authorizer.discoveryUrl`,
      'Keycloak serves its token endpoint under its issuer: check KC_HOSTNAME (and KC_HOSTNAME_BACKCHANNEL_DYNAMIC), or gateway.authorizer.discoveryUrl',
    ];
  }
  return undefined;
}

function issuerCheck(issuer: unknown, expect: ChainExpectations): Check {
  if (issuer === expect.issuer) return c.pass('issuer', `issuer is ${expect.issuer}, the discovery URL without /.well-known/openid-configuration`);
  const expected = new URL(expect.issuer);
  return c.fail(
    'issuer',
    `issuer is ${JSON.stringify(issuer)}, expected ${JSON.stringify(expect.issuer)}: the gateway and MCP clients reject tokens whose iss differs from the issuer behind the discovery URL`,
    `Keycloak derives the issuer from its hostname: start it with KC_HOSTNAME=${expected.origin} (and KC_PROXY_HEADERS=xforwarded behind the load balancer), or correct gateway.authorizer.discoveryUrl`,
    { diagnosis: 'issuer-mismatch', observed: { issuer, expected: expect.issuer } },
  );
}

function httpsCheck(doc: Record<string, unknown>): Check {
  const present = ENDPOINT_KEYS.filter((k) => doc[k] !== undefined);
  const plain = present.filter((k) => !isHttps(doc[k]));
  if (!plain.length) return c.pass('https', `all ${present.length} endpoints are https`);
  return c.fail(
    'https',
    `not https: ${plain.map((k) => `${k}=${JSON.stringify(doc[k])}`).join(', ')}`,
    'Keycloak builds endpoint URLs from the request it sees: behind a TLS-terminating load balancer set KC_PROXY_HEADERS=xforwarded and KC_HOSTNAME=https://<public host>',
    { diagnosis: 'endpoint-not-https', observed: Object.fromEntries(plain.map((k) => [k, doc[k]])) },
  );
}

function pkceCheck(methods: unknown): Check {
  if (Array.isArray(methods) && methods.includes('S256')) {
    return c.pass('pkce', `code_challenge_methods_supported is ${JSON.stringify(methods)}`);
  }
  return c.fail(
    'pkce',
    methods === undefined
      ? 'the discovery document has no code_challenge_methods_supported: MCP clients must refuse this authorization server (MCP 2025-11-25 authorization, PKCE)'
      : `code_challenge_methods_supported is ${JSON.stringify(methods)}, without S256: MCP clients must refuse this authorization server`,
    'use an authorization server that supports PKCE with S256 and advertises it (Keycloak does; a proxy rewriting the discovery document may not), and enforce it with the pkce-enforcer executor',
    { diagnosis: 'pkce-s256-missing', observed: { code_challenge_methods_supported: methods ?? null } },
  );
}

/**
 * MCP 2026-07-28 (changelog minor 7, SEP-2468): authorization servers SHOULD send `iss` in
 * authorization responses (RFC 9207) and clients MUST check it; RFC 9207 §3 has the server say so in
 * its metadata. Only judged for gateways that declare 2026-07-28.
 */
function issParameterCheck(flag: unknown): Check {
  if (flag === true) return c.pass('iss-parameter', 'authorization_response_iss_parameter_supported is true: authorization responses carry iss (RFC 9207), as MCP 2026-07-28 asks');
  return c.warn(
    'iss-parameter',
    `authorization_response_iss_parameter_supported is ${JSON.stringify(flag ?? null)}: MCP 2026-07-28 clients cannot tell this authorization server's responses from another's (RFC 9207, SEP-2468)`,
    'use a Keycloak that sends iss in authorization responses (it advertises authorization_response_iss_parameter_supported), or keep gateway.protocol.supportedVersions at 2025-era versions',
    { diagnosis: 'iss-parameter-not-advertised' },
  );
}

function cimdFlagCheck(flag: unknown, expect: ChainExpectations): Check {
  if (!expect.cimd) return c.skip('cimd', 'no cimd section: clients are pre-registered');
  if (flag === true) return c.pass('cimd', 'client_id_metadata_document_supported is true');
  return c.fail(
    'cimd',
    `client_id_metadata_document_supported is ${JSON.stringify(flag ?? null)}: MCP clients will not use ${expect.cimd.url} as their client_id`,
    'start Keycloak with --features=cimd (experimental in 26.6) and keep a client policy with a client-id-metadata-document profile',
    { diagnosis: 'cimd-not-advertised' },
  );
}

/** A JSON Web Key as the JWKS endpoint lists it (public members only). */
export interface PublicJwk {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  crv?: string;
}

const FAMILY: Record<string, (alg: string) => boolean> = {
  RSA: (alg) => /^(RS|PS)\d{3}$/.test(alg),
  EC: (alg) => /^ES\d{3}$/.test(alg),
  OKP: (alg) => alg === 'EdDSA' || alg === 'Ed25519',
};

/**
 * Judges the key set at `jwks_uri`: it loads and holds a signing key for one of the expected
 * algorithms (keys marked `use: enc` do not count).
 *
 * @example
 * checkJwks({ keys: [{ kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig' }] }, ['RS256'], 'https://kc/certs').status // 'pass'
 */
export function checkJwks(result: { keys: PublicJwk[] } | { error: string; unreachable: boolean }, algorithms: readonly string[], jwksUri: string): Check {
  if ('error' in result) {
    return c.fail('jwks', `the key set at ${jwksUri} did not load: ${result.error}`, result.unreachable ? unreachableFix(jwksUri) : 'jwks_uri must answer 200 with a JSON Web Key Set', {
      diagnosis: result.unreachable ? UNREACHABLE_DIAGNOSIS : 'jwks-unavailable',
    });
  }
  const signing = result.keys.filter((k) => k.use !== 'enc');
  const usable = signing.filter((k) => (k.alg ? algorithms.includes(k.alg) : algorithms.some((a) => FAMILY[k.kty ?? '']?.(a))));
  const listed = signing.map((k) => `${k.kid ?? '(no kid)'} ${k.alg ?? k.kty}`).join(', ');
  if (usable.length) return c.pass('jwks', `${signing.length} signing key${signing.length === 1 ? '' : 's'} at ${jwksUri} (${listed})`, '', { observed: { keys: signing.map((k) => ({ kid: k.kid, alg: k.alg, kty: k.kty })) } });
  return c.fail(
    'jwks',
    `no signing key for ${algorithms.join(', ')} at ${jwksUri} (found: ${listed || 'none'})`,
    `add an active ${algorithms[0]} key to the realm (Realm settings → Keys), or list the realm's algorithm in verify.algorithms`,
    { diagnosis: 'jwks-no-usable-key' },
  );
}
