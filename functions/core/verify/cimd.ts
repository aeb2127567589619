import { describeSeconds, keycloakCacheTime } from '../cimd/cache-time';
import { diffJsonFields } from '../cimd/plan-cimd';
import { anyDomainCovers, hostOf } from '../keycloak/domains';
import { CIMD_MAX_BYTES, cimdUrlProblem, SHARED_SECRET_METHODS } from '../lint/cimd-rules';
import type { ChainExpectations } from './expectations';
import { describeObservation, readJsonObject, unreachableFix, UNREACHABLE_DIAGNOSIS, type HttpObservation } from './observation';
import { checksFor, type Check } from './report';

const c = checksFor('cimd');
const DEPENDENTS = ['client-id', 'secret', 'redirect-uris', 'current'];

/**
 * Judges the client metadata document as the world sees it (checklist C-7…C-9, D-1, D-4, D-13,
 * S-7): served with 200 and JSON, at most 5,000 bytes, `client_id` equal to the URL, no shared
 * secret, redirect URIs inside the trusted domains, and the same content keygate publishes (with the
 * Cache-Control it is served with, and Keycloak's resulting cache time).
 *
 * @example
 * checkCimdDocument(obs, expect).map((c) => c.id)
 * // ['cimd.fetch', 'cimd.client-id', 'cimd.secret', 'cimd.redirect-uris', 'cimd.current']
 */
export function checkCimdDocument(obs: HttpObservation | undefined, expect: ChainExpectations): Check[] {
  const cimd = expect.cimd;
  if (!cimd || !obs) return [c.skip('fetch', 'no cimd section: clients are pre-registered'), ...DEPENDENTS.map((id) => c.skip(id, 'no cimd section'))];
  const skipRest = (why: string) => DEPENDENTS.map((id) => c.skip(id, `not checked: ${why}`));
  if (obs.kind === 'unreachable') return [c.fail('fetch', describeObservation(obs), unreachableFix(obs.url), { diagnosis: UNREACHABLE_DIAGNOSIS }), ...skipRest('no document')];
  if (obs.status >= 300 && obs.status < 400) {
    return [c.fail('fetch', `${obs.url} redirects (${obs.status} to ${obs.headers.location ?? '?'}): authorization servers do not follow redirects for metadata documents`, 'serve the document at its URL directly', { diagnosis: 'cimd-redirect' }), ...skipRest('no document')];
  }
  if (obs.status !== 200) return [c.fail('fetch', `${describeObservation(obs)}, not 200`, 'publish the document (cimd.publish) and check the web server serving it', { diagnosis: 'cimd-unavailable', observed: { status: obs.status } }), ...skipRest('no document')];
  if (obs.bytes > CIMD_MAX_BYTES) {
    return [c.fail('fetch', `the document is ${obs.bytes} bytes, over ${CIMD_MAX_BYTES}: authorization servers stop reading there`, 'shorten the document (cimd.document)', { diagnosis: 'cimd-too-large', observed: { bytes: obs.bytes } }), ...skipRest('document too large')];
  }
  const json = readJsonObject(obs.text);
  if (!json.ok) return [c.fail('fetch', `the document ${json.problem}`, 'serve the JSON document keygate renders (keygate plan shows it)', { diagnosis: 'cimd-not-json' }), ...skipRest('not JSON')];
  const doc = json.value;
  const type = obs.headers['content-type'] ?? '';
  const fetched = /\bjson\b/i.test(type)
    ? c.pass('fetch', `${obs.url} answered 200, ${obs.bytes} bytes of ${type}`)
    : c.warn('fetch', `${obs.url} answered 200 with Content-Type ${JSON.stringify(type || null)}`, 'serve it as application/json', { diagnosis: 'cimd-content-type' });
  const clientId = clientIdCheck(doc, cimd.url);
  // Another client's document (or anything else that is JSON) is not quoted field by field: only the
  // secret check, which repeats no value, looks further.
  if (doc.client_id !== cimd.url) return [fetched, clientId, secretCheck(doc), ...['redirect-uris', 'current'].map((id) => c.skip(id, 'not checked: the served document is not this client\'s (its client_id differs)'))];
  return [fetched, clientId, secretCheck(doc), redirectCheck(doc, cimd), currentCheck(doc, cimd, obs.headers['cache-control'])];
}

function clientIdCheck(doc: Record<string, unknown>, url: string): Check {
  const problem = cimdUrlProblem(url);
  if (problem) return c.fail('client-id', `the document URL ${url} ${problem}`, 'serve the document at an https URL with a path', { diagnosis: 'cimd-url-invalid' });
  if (doc.client_id === url) return c.pass('client-id', `client_id equals the document URL ${url}`);
  const found = typeof doc.client_id === 'string' ? `a client_id of ${doc.client_id.length} characters` : doc.client_id === undefined ? 'no client_id' : `a client_id that is not a string`;
  return c.fail('client-id', `the served document has ${found}, not the document URL ${url} (not quoted: it is not this client's document): the authorization server rejects it`, 'publish the document keygate renders (client_id is filled in from cimd.url)', { diagnosis: 'cimd-client-id-mismatch' });
}

function secretCheck(doc: Record<string, unknown>): Check {
  const method = doc.token_endpoint_auth_method;
  const secretKeys = Object.keys(doc).filter((k) => k === 'client_secret' || k === 'client_secret_expires_at');
  const problems = [...secretKeys.map((k) => `carries ${k}`), ...(typeof method === 'string' && SHARED_SECRET_METHODS.includes(method) ? [`uses token_endpoint_auth_method ${method}`] : [])];
  if (!problems.length) return c.pass('secret', `no shared secret (token_endpoint_auth_method ${JSON.stringify(method ?? 'unset')})`);
  // The value itself is never repeated: a published secret is already public, the report need not spread it further.
  return c.fail('secret', `the served document ${problems.join(' and ')}: a public document can hold no secret, and CIMD forbids shared-secret authentication`, 'remove the secret from the published document, use token_endpoint_auth_method "none" (or private_key_jwt), and rotate the leaked secret', { diagnosis: 'cimd-client-secret' });
}

function redirectCheck(doc: Record<string, unknown>, cimd: NonNullable<ChainExpectations['cimd']>): Check {
  const uris = doc.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0) return c.fail('redirect-uris', 'the document has no redirect_uris (MCP requires them)', 'add redirect_uris to cimd.document', { diagnosis: 'cimd-redirect-uris-missing' });
  if (!cimd.trustConfigured) return c.pass('redirect-uris', `${uris.length} redirect URI${uris.length === 1 ? '' : 's'} (no CIMD executor trust list to check them against)`);
  const outside = uris.filter((u) => {
    const host = typeof u === 'string' ? hostOf(u) : undefined;
    return !host || !anyDomainCovers(cimd.trustedDomains, host);
  });
  if (!outside.length) return c.pass('redirect-uris', `every redirect URI host is a trusted domain (${cimd.trustedDomains.join(', ')})`);
  return c.fail(
    'redirect-uris',
    `redirect URI${outside.length === 1 ? '' : 's'} ${outside.map((u) => JSON.stringify(u)).join(', ')} outside the trusted domains ${JSON.stringify(cimd.trustedDomains)}: Keycloak refuses the client`,
    'publish the document keygate renders, or add the host to cimd-allow-permitted-domains if it is intended',
    { diagnosis: 'cimd-redirect-untrusted', observed: { outside } },
  );
}

/**
 * The served JSON must equal the declared document (not only be valid): anything else is a stale copy
 * or an edit on the host, and Keycloak registers clients from what is served. Keycloak caches what it
 * fetched by the served Cache-Control within its min/max cache time, so a correction reaches clients
 * only that long after it is served: the evidence says how long.
 */
function currentCheck(doc: Record<string, unknown>, cimd: NonNullable<ChainExpectations['cimd']>, cacheControl: string | undefined): Check {
  const differing = diffJsonFields(cimd.document, doc)
    .map((f) => f.field)
    .sort();
  const cache = keycloakCacheTime(cacheControl, cimd.keycloakCache);
  const servedWith = `served with Cache-Control ${JSON.stringify(cacheControl ?? null)}`;
  const keycloakWait = `Keycloak keeps a fetched copy for ${describeSeconds(cache.seconds)} (${cache.basis}; min-cache-time ${cimd.keycloakCache.minSeconds} s, max-cache-time ${cimd.keycloakCache.maxSeconds} s)`;
  const observed = { cacheControl: cacheControl ?? null, keycloakCacheSeconds: cache.seconds, keycloakCacheBasis: cache.basis };
  if (!differing.length) return c.pass('current', `the served document equals the one keygate renders; ${servedWith}: ${keycloakWait}, so clients see a change that long after it is served`, '', { observed });
  return c.fail(
    'current',
    `the served document differs from the declared one in ${differing.join(', ')} (a stale copy or an edit on the host); ${servedWith}: ${keycloakWait}, so clients see the declared document only that long after it is served`,
    `publish the declared document (provisioning and drift repair do, through cimd.publish), clear any cache in front of it, then allow Keycloak's cache time (${describeSeconds(cache.seconds)}) before clients see it`,
    { diagnosis: 'cimd-stale', observed: { differing, ...observed } },
  );
}
