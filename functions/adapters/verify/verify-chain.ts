import { decodeJwt, type RemoteJWKSet } from 'jose';
import type { DesiredState } from '../../core/desired/document';
import { checkDiscovery, checkJwks, tokenEndpointRefusal } from '../../core/verify/authorization-server';
import { checkCimdDocument } from '../../core/verify/cimd';
import { expectationsFor, type ChainExpectations } from '../../core/verify/expectations';
import { checkDeniedScope, checkQueryToken, checkToolCall, checkToolList } from '../../core/verify/mcp';
import type { HttpObservation } from '../../core/verify/observation';
import { checkResourceMetadata, checkUnauthenticated, resourceMetadataUrl } from '../../core/verify/protected-resource';
import { buildReport, checksFor, forMcpVersion, type Check, type VerificationReport } from '../../core/verify/report';
import { cimdPolicies } from '../../core/keycloak/analysis';
import { checkAlgorithm, checkClaims, checkSignature, checkTokenResponse, claimSubset } from '../../core/verify/token';
import { redact, REDACTED } from '../../platform/redact';
import { observe, withDeadline, type FetchLike } from '../http/fetch';
import { loadKeySet, remoteKeySet, tokenHeader, verifyToken } from './jwt';
import { listAndCallTools, probeFirstRequest, probeQueryToken } from './mcp-client';
import { requestClientCredentialsToken, type CanaryCredentials } from './token-client';

/**
 * Where the canary secret stands: read (in memory only), or why not. A secret that should exist
 * (the Lambda's SSM parameter) is a failure; one the operator did not give (the CLI) is a skip.
 */
export type CanarySecret = { value: string } | { missing: string; fix: string; severity: 'fail' | 'skip' };

export interface VerifyChainOptions {
  /** The gateway's MCP URL; falls back to `verify.gatewayUrl`. */
  gatewayUrl?: string;
  /** Undefined when the document declares no canary client. */
  canarySecret?: CanarySecret;
  fetch: FetchLike;
  now: () => Date;
  signal?: AbortSignal;
}

const JSON_ACCEPT = { headers: { accept: 'application/json' } };
const TOKEN_CHECKS = ['algorithm', 'signature', 'issuer', 'audience', 'scope', 'lifetime', 'client'];
const MCP_CHECKS = ['tools-list', 'targets', 'expected-tools'];
const RS_CHECKS = ['challenge', 'metadata', 'resource', 'authorization-servers', 'scopes'];
const NO_GATEWAY = ['no gateway URL', 'pass --gateway-url (CLI) or set verify.gatewayUrl; provisioning passes the URL it observed'] as const;

/**
 * Walks the live chain the way an MCP client does (checklist §7): discovery and keys, the
 * gateway's 401 challenge and protected-resource metadata, a canary token checked with jose,
 * initialize + tools/list with the official MCP SDK client, the denied calls, and the CIMD
 * document. Every request goes through `fetch`; the report is redacted and holds no token.
 */
export async function verifyChain(desired: DesiredState, opts: VerifyChainOptions): Promise<VerificationReport> {
  const startedAt = opts.now();
  const expect = expectationsFor(desired, opts.gatewayUrl ? { gatewayUrl: opts.gatewayUrl } : {});
  const timeoutMs = desired.verify.timeoutSeconds * 1000;
  const f = withDeadline(opts.fetch, timeoutMs, opts.signal);
  const sensitive: string[] = [];
  const checks: Check[] = [];

  const discovery = checkDiscovery(await observe(f, expect.discoveryUrl, JSON_ACCEPT), expect);
  checks.push(...discovery.checks);
  const metadata = discovery.metadata;
  const keySet = metadata ? remoteKeySet(metadata.jwksUri, f, timeoutMs) : undefined;
  checks.push(keySet && metadata ? checkJwks(await loadKeySet(keySet), expect.algorithms, metadata.jwksUri) : checksFor('authorization-server').skip('jwks', 'not checked: no discovery document'));

  const gatewayUrl = expect.gatewayUrl;
  if (gatewayUrl) {
    // The first request of each declared version without a token: the challenge (and the metadata it
    // names) once, from the newest version; the refusal once per version.
    const [newest, ...older] = expect.mcpVersions as [string, ...string[]];
    const unauthenticated = await probeFirstRequest(f, gatewayUrl, newest);
    const [challenge, ...noToken] = checkUnauthenticated(unauthenticated);
    checks.push({ ...challenge!, mcpVersion: newest }, ...perVersion(noToken, newest, expect));
    for (const v of older) checks.push(...perVersion(checkUnauthenticated(await probeFirstRequest(f, gatewayUrl, v)).slice(1), v, expect));
    const prm = resourceMetadataUrl(unauthenticated, gatewayUrl);
    checks.push(...checkResourceMetadata(await observe(f, prm.url, JSON_ACCEPT), prm.source, { ...expect, gatewayUrl }));
  } else {
    checks.push(...skipAll('protected-resource', RS_CHECKS, ...NO_GATEWAY), ...skipAll('denied', ['no-token'], ...NO_GATEWAY));
  }

  const canary = canaryOf(desired, opts.canarySecret);
  const refusal = metadata && tokenEndpointRefusal(metadata, expect);
  if ('skip' in canary || !metadata || !keySet || refusal) {
    const [why, fix] = 'skip' in canary ? canary.skip : (refusal ?? ['no token endpoint (discovery failed)', 'fix the authorization server checks first']);
    checks.push(...canaryUnavailable(why, fix, 'problem' in canary, gatewayUrl !== undefined));
  } else {
    sensitive.push(canary.credentials.secret);
    const mint: Mint = async (scope) => {
      // RFC 8707: the resource tokens are bound to (audienceBinding), else the gateway URL as MCP clients send it.
      const resource = expect.resourceBinding?.resource ?? gatewayUrl;
      const obs = await requestClientCredentialsToken(f, metadata.tokenEndpoint, canary.credentials, { ...(scope ? { scope } : {}), ...(resource ? { resource } : {}) });
      const result = checkTokenResponse(obs, canary.credentials.clientId, 'obtain', {
        cimdPolicies: cimdPolicies(desired.keycloak.realm).map((p) => p.name),
        cimdSupported: metadata.cimdSupported,
        ...(expect.resourceBinding ? { resourceBinding: expect.resourceBinding } : {}),
        resourceRequested: resource !== undefined,
      });
      if (result.accessToken) sensitive.push(result.accessToken);
      return { ...result, obs };
    };
    checks.push(...(await canaryChecks(mint, f, keySet, metadata.jwksUri, expect, opts.now)));
  }

  checks.push(...checkCimdDocument(expect.cimd ? await observe(f, expect.cimd.url, JSON_ACCEPT) : undefined, expect));
  const report = buildReport({ issuer: expect.issuer, ...(gatewayUrl ? { gatewayUrl } : {}), checks, failOn: desired.verify.failOn, startedAt, finishedAt: opts.now() });
  return scrub(redact(report), sensitive);
}

type Mint = (scope: string | undefined) => Promise<{ check: Check; accessToken?: string; obs: HttpObservation }>;

/** With a canary token: its claims, the allowed calls, and the denied calls that need a token. */
async function canaryChecks(mint: Mint, f: FetchLike, keySet: RemoteJWKSet, jwksUri: string, expect: ChainExpectations, now: () => Date): Promise<Check[]> {
  const scopes = expect.scopes.join(' ') || undefined;
  const main = await mint(scopes);
  if (!main.accessToken) {
    const why = 'no canary token (token.obtain failed)';
    return [main.check, ...skipAll('token', TOKEN_CHECKS, why), ...skipAll('mcp', MCP_CHECKS, why), ...skipAll('denied', ['scope', 'query-token'], why)];
  }
  const checks = [main.check, ...(await tokenChecks(main.accessToken, keySet, expect, jwksUri, now()))];
  const gatewayUrl = expect.gatewayUrl;
  if (!gatewayUrl) return [...checks, ...skipAll('mcp', MCP_CHECKS, ...NO_GATEWAY), ...skipAll('denied', ['scope', 'query-token'], ...NO_GATEWAY)];
  const denied = await deniedScopeToken(mint, expect);
  // A separate token: the one used for the allowed calls never appears in a URL.
  const probe = expect.queryTokenProbe ? await mint(scopes) : undefined;
  // The allowed and denied calls once per declared MCP version, each spoken by the SDK in that version.
  for (const version of expect.mcpVersions) {
    const called = await listAndCallTools(f, gatewayUrl, main.accessToken, expect.toolCalls, version);
    const round = [...checkToolList(called.list, expect, version)];
    expect.toolCalls.forEach((call, i) => {
      const outcome = called.calls[i];
      round.push(outcome ? checkToolCall(call, outcome) : checksFor('mcp').skip(`call.${call.tool}`, 'not called: tools/list failed'));
    });
    round.push(denied.accessToken ? checkDeniedScope({ requested: denied.requested, scope: decodeJwt(denied.accessToken).scope }, await probeFirstRequest(f, gatewayUrl, version, denied.accessToken), expect) : denied.unavailable!);
    if (!probe) round.push(checksFor('denied').skip('query-token', 'verify.queryTokenProbe is false'));
    else round.push(probe.accessToken ? checkQueryToken(await probeQueryToken(f, gatewayUrl, probe.accessToken, version)) : checksFor('denied').skip('query-token', 'not checked: no second token'));
    checks.push(...perVersion(round, version, expect));
  }
  return checks;
}

const perVersion = (checks: Check[], version: string, expect: ChainExpectations) => forMcpVersion(checks, version, expect.mcpVersions.length > 1);

type Canary = { credentials: CanaryCredentials } | { skip: [string, string]; problem?: true };

function canaryOf(desired: DesiredState, secret: CanarySecret | undefined): Canary {
  const client = desired.keycloak.realm.canaryClient;
  if (!client) return { skip: ['no canary client is declared', 'declare keycloak.realm.canaryClient to verify tokens and MCP calls'] };
  if (!secret) return { skip: ['no canary secret was given', `give the secret stored in ${client.secretParameter}`] };
  if ('missing' in secret) return { skip: [secret.missing, secret.fix], ...(secret.severity === 'fail' ? { problem: true as const } : {}) };
  return { credentials: { clientId: client.clientId, secret: secret.value } };
}

/** Without a secret the token checks cannot run; a secret that should exist but does not is a failure. */
function canaryUnavailable(why: string, fix: string, isProblem: boolean, hasGateway: boolean): Check[] {
  const token = checksFor('token');
  const mcpWhy = hasGateway ? why : 'no gateway URL';
  return [
    isProblem ? token.fail('obtain', why, fix, { diagnosis: 'canary-secret-missing' }) : token.skip('obtain', `not checked: ${why}`, fix),
    ...skipAll('token', TOKEN_CHECKS, why),
    ...skipAll('mcp', MCP_CHECKS, mcpWhy),
    ...skipAll('denied', ['scope', 'query-token'], mcpWhy),
  ];
}

async function tokenChecks(token: string, keySet: RemoteJWKSet, expect: ChainExpectations, jwksUri: string, now: Date): Promise<Check[]> {
  const header = tokenHeader(token) ?? {};
  const outcome = await verifyToken(token, keySet, { issuer: expect.issuer, audiences: expect.audiences, now, clockToleranceSeconds: expect.clockToleranceSeconds });
  const signature = checkSignature(outcome, jwksUri);
  if (!('payload' in outcome)) return [checkAlgorithm(header, expect.algorithms), signature, ...skipAll('token', TOKEN_CHECKS.slice(2), 'the signature did not verify')];
  return [checkAlgorithm(header, expect.algorithms), { ...signature, observed: claimSubset(outcome.payload, header) }, ...checkClaims(outcome.payload, expect, now)];
}

/** The under-scoped token of the negative test, minted once for every protocol version. */
async function deniedScopeToken(mint: Mint, expect: ChainExpectations): Promise<{ requested: string | undefined; accessToken?: string; unavailable?: Check }> {
  let requested: string | undefined = expect.deniedScope;
  let token = await mint(requested);
  // Keycloak refuses an unknown scope with invalid_scope where oidc-provider drops it silently:
  // then a token without any scope parameter is the under-scoped token.
  if (!token.accessToken && token.obs.kind === 'response' && /invalid_scope/.test(token.obs.text)) {
    requested = undefined;
    token = await mint(undefined);
  }
  if (!token.accessToken) {
    return { requested, unavailable: checksFor('denied').warn('scope', `no under-scoped token could be obtained (asked for ${requested ? `scope "${requested}"` : 'no scope'})`, 'check the canary client (token.obtain passed with the gateway scopes)', { diagnosis: 'denied-token-unavailable' }) };
  }
  return { requested, accessToken: token.accessToken };
}

function skipAll(group: Parameters<typeof checksFor>[0], ids: readonly string[], why: string, fix = ''): Check[] {
  const c = checksFor(group);
  return ids.map((id) => c.skip(id, `not checked: ${why}`, fix));
}

/** Belt and braces: no secret or token the run handled may appear anywhere in the report. */
function scrub<T>(value: T, sensitive: readonly string[]): T {
  const needles = sensitive.filter((s) => s.length >= 8);
  if (!needles.length) return value;
  const text = JSON.stringify(value);
  let out = text;
  for (const s of needles) out = out.split(JSON.stringify(s).slice(1, -1)).join(REDACTED);
  return out === text ? value : (JSON.parse(out) as T);
}
