import type { ChainExpectations } from './expectations';
import { describeObservation, readJsonObject, unreachableFix, UNREACHABLE_DIAGNOSIS, type HttpObservation } from './observation';
import { checksFor, type Check } from './report';

const rs = checksFor('protected-resource');
const denied = checksFor('denied');

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1): a scheme followed
 * by comma-separated `name=value` pairs, where values are tokens or quoted strings with `\` escapes.
 * Parameter names are case-insensitive and returned in lower case.
 *
 * @example
 * parseWwwAuthenticate('Bearer error="invalid_token", resource_metadata="https://gw/.well-known/oauth-protected-resource"')
 * // { scheme: 'Bearer', params: { error: 'invalid_token', resource_metadata: 'https://gw/.well-known/oauth-protected-resource' } }
 */
export function parseWwwAuthenticate(header: string): Challenge | undefined {
  const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+|$)/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  let rest = header.slice(m[0].length);
  const pair = /^\s*,?\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([!#$%&'*+.^_`|~0-9A-Za-z/:-]+))\s*/;
  for (let p = pair.exec(rest); p; p = pair.exec(rest)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    rest = rest.slice(p[0].length);
  }
  return { scheme: m[1]!, params };
}

const challengeOf = (obs: HttpObservation) => (obs.kind === 'response' && obs.headers['www-authenticate'] ? parseWwwAuthenticate(obs.headers['www-authenticate']) : undefined);

/**
 * Where the protected-resource metadata is, per the challenge or, failing that, the root well-known URL (MCP C-3).
 *
 * @example
 * resourceMetadataUrl(obs401WithoutHeader, 'https://gw.example.com/mcp') // { url: 'https://gw.example.com/.well-known/oauth-protected-resource', source: 'well-known' }
 */
export function resourceMetadataUrl(obs: HttpObservation, gatewayUrl: string): { url: string; source: 'header' | 'well-known' } {
  const fromHeader = challengeOf(obs)?.params.resource_metadata;
  if (fromHeader) return { url: fromHeader, source: 'header' };
  return { url: new URL('/.well-known/oauth-protected-resource', gatewayUrl).href, source: 'well-known' };
}

/**
 * Judges the answer to an MCP `initialize` sent without a token (checklist RS-3, RS-5, RS-9): it
 * must be a 401 whose `WWW-Authenticate: Bearer` challenge names the protected-resource metadata.
 * Yields `rs.challenge` and `denied.no-token`.
 *
 * @example
 * checkUnauthenticated(obs).map((c) => c.id) // ['rs.challenge', 'denied.no-token']
 */
export function checkUnauthenticated(obs: HttpObservation): Check[] {
  if (obs.kind === 'unreachable') {
    return [
      rs.fail('challenge', describeObservation(obs), unreachableFix(obs.url), { diagnosis: UNREACHABLE_DIAGNOSIS }),
      denied.skip('no-token', 'not checked: the gateway did not answer'),
    ];
  }
  const observed = { status: obs.status, 'www-authenticate': obs.headers['www-authenticate'] ?? null };
  if (obs.status >= 200 && obs.status < 300) {
    const fix = 'give the gateway a CUSTOM_JWT authorizer (gateway.authorizer) and check that nothing in front of it answers for it';
    return [
      rs.fail('challenge', `an initialize without a token got ${obs.status}, not a 401 challenge`, fix, { diagnosis: 'unauthenticated-accepted', observed }),
      denied.fail('no-token', `an initialize without a token got ${obs.status}: anyone can call the tools`, fix, { diagnosis: 'unauthenticated-accepted', observed }),
    ];
  }
  if (obs.status === 403) {
    const fix = 'run verification inside the VPC so that calls reach the gateway through its VPC endpoint (verify.network), or check the gateway resource policy';
    const evidence = 'an initialize without a token got 403 before any token check: the gateway resource policy denies this network path';
    return [rs.fail('challenge', evidence, fix, { diagnosis: 'resource-policy-denied', observed }), denied.skip('no-token', 'not checked: the resource policy answered first')];
  }
  if (obs.status !== 401) {
    return [
      rs.fail('challenge', `an initialize without a token got ${obs.status}, not 401`, `check that ${obs.url} is the gateway's MCP URL (it ends with /mcp)`, { diagnosis: 'unexpected-status', observed }),
      denied.fail('no-token', `an initialize without a token got ${obs.status}, not 401`, `check that ${obs.url} is the gateway's MCP URL`, { diagnosis: 'unexpected-status', observed }),
    ];
  }
  const noToken = denied.pass('no-token', 'an initialize without a token got 401', '', { observed });
  const challenge = challengeOf(obs);
  if (!challenge || challenge.scheme.toLowerCase() !== 'bearer') {
    return [
      rs.fail('challenge', `the 401 carries no Bearer challenge (WWW-Authenticate: ${JSON.stringify(obs.headers['www-authenticate'] ?? null)})`, 'check for a proxy or firewall rule in front of the gateway that rewrites 401 responses', { diagnosis: 'challenge-missing', observed }),
      noToken,
    ];
  }
  if (!challenge.params.resource_metadata) {
    return [
      rs.fail(
        'challenge',
        'the 401 Bearer challenge has no resource_metadata: MCP clients cannot discover the authorization server from it',
        'check for a proxy in front of the gateway that rewrites WWW-Authenticate; AgentCore adds resource_metadata for CUSTOM_JWT gateways (MCP clients then fall back to /.well-known/oauth-protected-resource)',
        { diagnosis: 'resource-metadata-missing', observed },
      ),
      noToken,
    ];
  }
  if (!challenge.params.scope) {
    return [rs.warn('challenge', `401 with resource_metadata=${challenge.params.resource_metadata} but no scope parameter (RFC 6750 §3 SHOULD)`, 'set gateway.authorizer.allowedScopes so that the gateway names the scopes it needs', { diagnosis: 'challenge-scope-missing', observed }), noToken];
  }
  return [rs.pass('challenge', `401 with Bearer resource_metadata=${challenge.params.resource_metadata} scope="${challenge.params.scope}"`, '', { observed }), noToken];
}

/**
 * Judges the protected-resource metadata (RFC 9728; checklist RS-1, RS-2, RS-4): `resource` is the
 * gateway's MCP URL exactly, `authorization_servers` lists the Keycloak issuer, and the allowed
 * scopes are advertised.
 *
 * @example
 * checkResourceMetadata(obs, 'header', expectations).map((c) => c.id)
 * // ['rs.metadata', 'rs.resource', 'rs.authorization-servers', 'rs.scopes']
 */
export function checkResourceMetadata(obs: HttpObservation, source: 'header' | 'well-known', expect: ChainExpectations & { gatewayUrl: string }): Check[] {
  const skipRest = (why: string) => ['resource', 'authorization-servers', 'scopes'].map((id) => rs.skip(id, `not checked: ${why}`));
  const where = source === 'header' ? 'the resource_metadata URL of the 401 challenge' : 'the root well-known URL (the challenge named none)';
  if (obs.kind === 'unreachable') return [rs.fail('metadata', `${where}: ${describeObservation(obs)}`, unreachableFix(obs.url), { diagnosis: UNREACHABLE_DIAGNOSIS }), ...skipRest('no metadata')];
  const json = obs.status === 200 ? readJsonObject(obs.text) : undefined;
  if (!json?.ok) {
    const problem = json ? `the body ${json.problem}` : `it answered ${obs.status}`;
    return [rs.fail('metadata', `${where} ${obs.url}: ${problem}`, 'the gateway serves its metadata unauthenticated at /.well-known/oauth-protected-resource; check the URL and anything in front of the gateway', { diagnosis: 'resource-metadata-unavailable', observed: { status: obs.status } }), ...skipRest('no metadata')];
  }
  const prm = json.value;
  const servers = Array.isArray(prm.authorization_servers) ? prm.authorization_servers : [];
  const scopes = Array.isArray(prm.scopes_supported) ? (prm.scopes_supported as unknown[]) : [];
  const unadvertised = expect.scopes.filter((s) => !scopes.includes(s));
  return [
    rs.pass('metadata', `${where} ${obs.url} answered 200`, '', { observed: { resource: prm.resource, authorization_servers: prm.authorization_servers, scopes_supported: prm.scopes_supported } }),
    prm.resource === expect.gatewayUrl && expect.resourceBinding && prm.resource !== expect.resourceBinding.resource
      ? rs.fail(
          'resource',
          `resource is ${expect.gatewayUrl}, but keycloak.realm.audienceBinding.resource is ${expect.resourceBinding.resource}: MCP clients send the metadata's resource, and Keycloak answers invalid_target to a resource no client's resource_url equals`,
          `set keycloak.realm.audienceBinding.resource to "${String(prm.resource)}" and run the realm reconciliation (it updates the resource client's resource_url)`,
          { diagnosis: 'resource-indicator-mismatch', observed: { resource: prm.resource, bound: expect.resourceBinding.resource } },
        )
      : prm.resource === expect.gatewayUrl
      ? rs.pass('resource', `resource is ${expect.gatewayUrl}${expect.resourceBinding ? ', the resource tokens are bound to' : ''}`)
      : rs.fail(
          'resource',
          `resource is ${JSON.stringify(prm.resource ?? null)}, not the gateway's MCP URL ${expect.gatewayUrl}: an MCP client must not use this metadata (RFC 9728 §3.3)`,
          'verify the URL the gateway reports (GetGateway gatewayUrl); a trailing slash or another host counts as different',
          { diagnosis: 'resource-mismatch' },
        ),
    servers.includes(expect.issuer)
      ? rs.pass('authorization-servers', `authorization_servers lists ${expect.issuer}`)
      : rs.fail(
          'authorization-servers',
          `authorization_servers is ${JSON.stringify(prm.authorization_servers ?? null)}, without the Keycloak issuer ${expect.issuer}`,
          'AgentCore publishes the issuer behind gateway.authorizer.discoveryUrl: correct the discovery URL (or Keycloak\'s hostname) and update the gateway',
          { diagnosis: 'authorization-server-mismatch' },
        ),
    unadvertised.length === 0
      ? rs.pass('scopes', expect.scopes.length ? `scopes_supported includes ${expect.scopes.join(', ')}` : 'the gateway allows no particular scope')
      : rs.warn('scopes', `scopes_supported ${JSON.stringify(prm.scopes_supported ?? null)} lacks ${unadvertised.join(', ')}: MCP clients request the advertised scopes`, 'check gateway.authorizer.allowedScopes and any advertised scope mapping', { diagnosis: 'scopes-not-advertised' }),
  ];
}
