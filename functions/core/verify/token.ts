import type { ResourceBinding } from '../keycloak/audience-binding';
import type { ChainExpectations } from './expectations';
import { describeObservation, readJsonObject, unreachableFix, UNREACHABLE_DIAGNOSIS, type HttpObservation } from './observation';
import type { Diagnosis } from './diagnoses';
import { checksFor, type Check } from './report';

const c = checksFor('token');

/** Claims the report may show: never the token, never `jti` or `sub`. */
const CLAIM_SUBSET = ['iss', 'aud', 'scope', 'client_id', 'azp', 'iat', 'nbf', 'exp'] as const;
const HEADER_SUBSET = ['alg', 'kid', 'typ'] as const;

export type TokenPayload = Record<string, unknown>;

/**
 * What jose said about the token: verified, or a claim failure after the signature checked out
 * (jose checks the signature first, so its claim errors carry a trustworthy payload), or a failure
 * of the signature or key selection.
 */
export type SignatureOutcome =
  | { verified: true; payload: TokenPayload }
  | { verified: false; signatureValid: true; code: string; claim?: string; payload: TokenPayload }
  | { verified: false; signatureValid: false; code: string; message: string; unreachable?: boolean };

/**
 * The claim subset the report carries (a token is never reported).
 *
 * @example
 * claimSubset({ iss, aud, scope, jti, sub, exp }, { alg: 'RS256', kid }) // { alg, kid, iss, aud, scope, exp }: no jti, no sub
 */
export function claimSubset(payload: TokenPayload, header: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of HEADER_SUBSET) if (header[k] !== undefined) out[k] = header[k];
  for (const k of CLAIM_SUBSET) if (payload[k] !== undefined) out[k] = payload[k];
  return out;
}

/**
 * Judges the token endpoint's answer to the canary's client-credentials request. Returns the
 * access token (kept in memory by the caller, never reported) when there is one.
 *
 * @example
 * checkTokenResponse(obs, 'keygate-canary').check.diagnosis // 'canary-secret-rejected' for a 401 invalid_client
 */
export function checkTokenResponse(obs: HttpObservation, clientId: string, id = 'obtain', context: TokenContext = {}): { check: Check; accessToken?: string } {
  if (obs.kind === 'unreachable') return { check: c.fail(id, describeObservation(obs), unreachableFix(obs.url), { diagnosis: UNREACHABLE_DIAGNOSIS }) };
  const json = readJsonObject(obs.text);
  const body = json.ok ? json.value : {};
  if (obs.status === 200 && typeof body.access_token === 'string') {
    const check = c.pass(id, `client ${clientId} got a ${String(body.token_type ?? 'token')} by client credentials${body.scope ? ` with scope "${String(body.scope)}"` : ''}`);
    return { check, accessToken: body.access_token };
  }
  const error = typeof body.error === 'string' ? body.error : undefined;
  const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
  const evidence = `the token endpoint answered ${obs.status}${error ? ` ${error}${description}` : ''}`;
  const observed = { status: obs.status, ...(error ? { error } : {}) };
  const known: Record<string, [Diagnosis, string]> = {
    invalid_client: ['canary-secret-rejected', `the secret in the canary's SSM parameter does not match client ${clientId}, or the client does not exist: run the realm reconciliation (it creates the client and stores its secret)`],
    unauthorized_client: ['canary-grant-disabled', `enable the client credentials grant (service account) on client ${clientId}`],
    invalid_scope: ['canary-scope-not-allowed', `allow the gateway's scopes to client ${clientId} (optional client scopes); the realm reconciliation does this for the canary`],
  };
  if (error === 'invalid_target') {
    const bound = context.resourceBinding;
    return {
      check: bound
        ? c.fail(id, evidence, `Keycloak found no client named in the token's aud whose resource_url is ${bound.resource}: run the realm reconciliation (it keeps client ${bound.clientId} with that resource_url, and the audience mapper puts ${bound.clientId} into tokens)`, { diagnosis: 'resource-not-accepted', observed })
        : c.fail(
            id,
            `${evidence}: Keycloak runs with resource indicators on, and the realm binds no client to the gateway URL, so every MCP client (they send resource) is refused`,
            'set keycloak.realm.audienceBinding to strategy: resource-indicator with resource: <the gateway URL> (keygate then keeps the resource client), or start Keycloak without --features=resource-indicators',
            { diagnosis: 'resource-indicators-unbound', observed },
          ),
    };
  }
  if (obs.status >= 500 && context.resourceBinding && context.resourceRequested) {
    return {
      check: c.fail(id, `${evidence}: Keycloak 26.7.3 fails a client-credentials request with resource unless the client also gets a refresh token (NullPointerException in ResourceIndicatorsPostProcessor)`, `run the realm reconciliation: keygate sets client_credentials.use_refresh_token on client ${clientId}`, { diagnosis: 'resource-indicator-server-error', observed }),
    };
  }
  if (obs.status >= 500 && context.cimdPolicies?.length && !context.cimdSupported) {
    return { check: c.fail(id, `${evidence}, and the realm's discovery document does not advertise CIMD while the document declares ${context.cimdPolicies.join(', ')}`, CIMD_FEATURE_OFF_FIX, { diagnosis: 'cimd-feature-off', observed }) };
  }
  const [diagnosis, fix]: [Diagnosis, string] = (error && known[error]) || ['token-request-failed', 'check the token endpoint and the canary client'];
  return { check: c.fail(id, evidence, fix, { diagnosis, observed }) };
}

/** What the token check knows of the realm beyond the answer: CIMD policies declared, and whether discovery advertises CIMD. */
export interface TokenContext {
  cimdPolicies?: string[];
  cimdSupported?: boolean;
  /** The document's resource-indicator binding, when it has one. */
  resourceBinding?: ResourceBinding;
  /** Whether the request carried `resource`. */
  resourceRequested?: boolean;
}

/**
 * Keycloak started without its CIMD feature while the realm stores client-id-uri policies: every
 * client-policy event in the realm fails with HTTP 500 (observed on 26.7.3: token and authorization
 * requests of every client), and the policies can then only be deleted, not disabled (a policy PUT
 * is validated whole, and client-id-uri is unknown without the feature).
 */
export const CIMD_FEATURE_OFF_FIX =
  "start Keycloak with --features=cimd again (the realm stores client-id-uri policies, and without the feature every token and authorization request in the realm fails with HTTP 500, for every client); or delete those policies (Keycloak refuses to disable them while the feature is off)";

/**
 * Judges the signing algorithm in the token header against `verify.algorithms`.
 *
 * @example
 * checkAlgorithm({ alg: 'ES256' }, ['RS256']).diagnosis // 'unexpected-algorithm'
 */
export function checkAlgorithm(header: Record<string, unknown>, algorithms: readonly string[]): Check {
  const alg = header.alg;
  if (typeof alg === 'string' && algorithms.includes(alg)) return c.pass('algorithm', `signed with ${alg}${header.kid ? ` (kid ${String(header.kid)})` : ''}`);
  return c.fail(
    'algorithm',
    `signed with ${JSON.stringify(alg ?? null)}, expected ${algorithms.join(' or ')}`,
    `the realm's default signature algorithm changed or another key is active: set it back (Realm settings → Tokens → Default signature algorithm), or list ${String(alg)} in verify.algorithms if it is intended`,
    { diagnosis: 'unexpected-algorithm', observed: claimSubset({}, header) },
  );
}

/**
 * Judges what jose reported about the signature and key selection.
 *
 * @example
 * checkSignature({ verified: false, signatureValid: false, code: 'ERR_JWKS_NO_MATCHING_KEY', message: 'no key' }, 'https://kc/certs').diagnosis
 * // 'signing-key-unknown'
 */
export function checkSignature(outcome: SignatureOutcome, jwksUri: string): Check {
  if (outcome.verified || outcome.signatureValid) return c.pass('signature', `the signature verifies against ${jwksUri} (jose jwtVerify)`);
  if (outcome.unreachable) return c.fail('signature', `the key set could not be fetched: ${outcome.message}`, unreachableFix(jwksUri), { diagnosis: UNREACHABLE_DIAGNOSIS });
  const byCode: Record<string, [Diagnosis, string]> = {
    ERR_JWKS_NO_MATCHING_KEY: ['signing-key-unknown', "the token's kid is not in the key set at jwks_uri: the token comes from another realm or Keycloak instance, or its key was rotated away"],
    ERR_JWKS_MULTIPLE_MATCHING_KEYS: ['signing-key-ambiguous', 'give every realm key a distinct kid'],
    ERR_JWS_SIGNATURE_VERIFICATION_FAILED: ['signature-invalid', 'the token was not signed by a key at jwks_uri: check that the token endpoint and jwks_uri belong to the same realm'],
  };
  const [diagnosis, fix]: [Diagnosis, string] = byCode[outcome.code] ?? ['token-unverifiable', 'the token is not a signed JWT the realm keys verify: check the realm keys and the token format'];
  return c.fail('signature', `jose rejected the token: ${outcome.code} (${outcome.message})`, fix, { diagnosis });
}

const audiencesOf = (aud: unknown): string[] => (typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : []);

/**
 * Judges the verified claims: issuer, audience, scope, lifetime and client. `now` is the clock
 * verification runs on.
 *
 * @example
 * checkClaims({ iss, aud: 'account', scope: 'mcp:tools', iat, exp }, expect, now).find((c) => c.id === 'token.audience')?.diagnosis
 * // 'audience-mapper-missing'
 */
export function checkClaims(payload: TokenPayload, expect: ChainExpectations, now: Date): Check[] {
  return [issuerCheck(payload, expect), audienceCheck(payload, expect), scopeCheck(payload, expect), lifetimeCheck(payload, expect, now), clientCheck(payload, expect)];
}

function issuerCheck(p: TokenPayload, expect: ChainExpectations): Check {
  if (p.iss === expect.issuer) return c.pass('issuer', `iss is ${expect.issuer}`);
  return c.fail(
    'issuer',
    `iss is ${JSON.stringify(p.iss ?? null)}, expected ${expect.issuer}: the gateway rejects it`,
    `Keycloak puts its frontend URL in iss: set KC_HOSTNAME=${new URL(expect.issuer).origin} and KC_PROXY_HEADERS=xforwarded so that tokens name the issuer behind gateway.authorizer.discoveryUrl`,
    { diagnosis: 'issuer-mismatch', observed: { iss: p.iss ?? null } },
  );
}

function audienceCheck(p: TokenPayload, expect: ChainExpectations): Check {
  const aud = audiencesOf(p.aud);
  const observed = { aud: p.aud ?? null };
  if (!expect.audiences.length) {
    return c.warn('audience', `aud is ${JSON.stringify(p.aud ?? null)}; the gateway checks no audience, so tokens minted for any service pass`, 'set gateway.authorizer.allowedAudiences to the audience mapper\'s audience', { diagnosis: 'audience-unrestricted', observed });
  }
  const bound = expect.resourceBinding;
  if (bound) {
    // RFC 8707 on Keycloak 26.7: a token requested with resource=<r> carries aud [r] only.
    if (aud.length === 1 && aud[0] === bound.resource && expect.audiences.includes(bound.resource)) return c.pass('audience', `aud ${JSON.stringify(p.aud)} is the resource the token was requested for (RFC 8707)`, '', { observed });
    if (!aud.includes(bound.resource)) {
      const ignored = aud.includes(bound.clientId);
      return c.fail(
        'audience',
        ignored
          ? `the token was requested with resource=${bound.resource} but aud is ${JSON.stringify(p.aud)}: Keycloak ignored the resource indicator (the resource-indicators feature is off)`
          : `aud ${JSON.stringify(p.aud ?? null)} lacks the resource ${bound.resource} the token was requested for`,
        ignored
          ? 'start Keycloak (26.7 or newer) with --features=resource-indicators (experimental), or set keycloak.realm.audienceBinding.strategy: audience-mapper'
          : `run the realm reconciliation: client ${bound.clientId} needs resource_url ${bound.resource}, and an audience mapper must put ${bound.clientId} into the token`,
        { diagnosis: ignored ? 'resource-indicators-off' : 'wrong-audience', observed },
      );
    }
  }
  if (aud.some((a) => expect.audiences.includes(a))) return c.pass('audience', `aud ${JSON.stringify(p.aud)} contains ${expect.audiences.filter((a) => aud.includes(a)).join(', ')}`);
  const mapperFix = `add an audience mapper (Included Custom Audience "${expect.audiences[0]}") to a client scope the client receives: keycloak.realm.clientScopes[].audienceMapper on ${expect.scopes[0] ?? 'the gateway scope'}`;
  if (aud.length === 0 || aud.every((a) => a === 'account')) {
    return c.fail('audience', `aud is ${JSON.stringify(p.aud ?? null)}: only Keycloak's default, without ${expect.audiences.join(' or ')}`, mapperFix, { diagnosis: 'audience-mapper-missing', observed });
  }
  return c.fail(
    'audience',
    `aud ${JSON.stringify(p.aud)} contains none of the gateway's allowed audiences ${JSON.stringify(expect.audiences)}`,
    `make the audience mapper's Included Custom Audience equal one of gateway.authorizer.allowedAudiences (${expect.audiences.join(', ')})`,
    { diagnosis: 'wrong-audience', observed },
  );
}

function scopeCheck(p: TokenPayload, expect: ChainExpectations): Check {
  if (!expect.scopes.length) return c.skip('scope', 'the gateway allows no particular scope');
  const granted = typeof p.scope === 'string' ? p.scope.split(' ').filter(Boolean) : [];
  const missing = expect.scopes.filter((s) => !granted.includes(s));
  if (!missing.length) return c.pass('scope', `scope "${String(p.scope)}" contains ${expect.scopes.join(', ')}`);
  return c.fail(
    'scope',
    p.scope === undefined ? `the token has no scope claim; the gateway needs ${missing.join(', ')}` : `scope "${String(p.scope)}" lacks ${missing.join(', ')}`,
    `turn on "Include in token scope" for client scope ${missing.join(', ')} (keycloak.realm.clientScopes[].includeInTokenScope: true) and allow it to the client`,
    { diagnosis: 'scope-not-in-token', observed: { scope: p.scope ?? null } },
  );
}

function lifetimeCheck(p: TokenPayload, expect: ChainExpectations, now: Date): Check {
  const { exp, iat, nbf } = p;
  const seconds = Math.floor(now.getTime() / 1000);
  const tolerance = expect.clockToleranceSeconds;
  const observed = { iat: iat ?? null, exp: exp ?? null, now: seconds };
  if (typeof exp !== 'number') return c.fail('lifetime', 'the token has no exp claim: the gateway rejects tokens without an expiry', 'use JWT access tokens with an expiry (Keycloak always sets exp)', { diagnosis: 'expiry-missing', observed });
  if (exp <= seconds - tolerance) {
    return c.fail('lifetime', `a freshly issued token expired ${seconds - exp} s ago`, "set the clocks right (Keycloak host and the verifier: NTP/chrony) and check the realm's access token lifespan", { diagnosis: 'token-expired', observed });
  }
  if (typeof nbf === 'number' && nbf > seconds + tolerance) {
    return c.fail('lifetime', `the token is not valid for another ${nbf - seconds} s (nbf)`, 'set the clocks right on the Keycloak host (NTP/chrony)', { diagnosis: 'token-not-yet-valid', observed });
  }
  if (typeof iat !== 'number') return c.warn('lifetime', 'the token has no iat claim, so its lifetime is unknown', 'use an authorization server that sets iat', { diagnosis: 'issued-at-missing', observed });
  const lifetime = exp - iat;
  if (lifetime > expect.maxTokenLifetimeSeconds) {
    return c.warn('lifetime', `the token lives ${lifetime} s, over verify.maxTokenLifetimeSeconds (${expect.maxTokenLifetimeSeconds} s)`, "shorten the realm's Access Token Lifespan (MCP wants short-lived access tokens)", { diagnosis: 'token-long-lived', observed });
  }
  return c.pass('lifetime', `lives ${lifetime} s (at most ${expect.maxTokenLifetimeSeconds} s), ${exp - seconds} s left`);
}

function clientCheck(p: TokenPayload, expect: ChainExpectations): Check {
  if (!expect.allowedClients.length) return c.skip('client', 'the gateway allows any client (allowedClients is empty)');
  if (typeof p.client_id === 'string' && expect.allowedClients.includes(p.client_id)) return c.pass('client', `client_id ${p.client_id} is allowed`);
  const observed = { client_id: p.client_id ?? null, azp: p.azp ?? null };
  if (typeof p.azp === 'string' && expect.allowedClients.includes(p.azp)) {
    // Whether AgentCore reads azp when client_id is absent is UNCONFIRMED (checklist §5.2).
    return c.warn('client', `azp ${p.azp} is allowed but the token has no matching client_id claim, which AgentCore checks`, 'add a client_id claim (Keycloak adds it to service-account tokens)', { diagnosis: 'client-id-claim-missing', observed });
  }
  return c.fail('client', `client ${String(p.client_id ?? p.azp ?? '(none)')} is not in gateway.authorizer.allowedClients ${JSON.stringify(expect.allowedClients)}`, `add ${expect.canaryClientId ?? 'the canary client'} to gateway.authorizer.allowedClients`, { diagnosis: 'client-not-allowed', observed });
}
