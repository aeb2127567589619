import { createServer, type Server } from 'node:http';
import { hostOf } from '../../../functions/core/keycloak/domains';
import { authorize } from '../../support/foreign-objects';
import { TRUSTED_DOMAIN_CASES } from '../../support/trusted-domains';
import { realKeycloak, type RealKeycloak } from '../../support/real-keycloak';
import { startRealRealmHarness, type RealRealmHarness } from '../../support/realm-harness';

// What only a real Keycloak settles about CIMD, each observed on 26.7.3 with a real authorization
// request (Keycloak fetches the document from a loopback host and registers a client) and written into
// docs/MANAGED.md, docs/desired-state.md and the lint rules:
// - registered loopback redirect URIs with a port are refused under oauth-2-1-compliant; without a port
//   they match a request on any port (the seed's document and redirect-uri-loopback-port follow this);
// - an http loopback callback needs allow-http-scheme=true (http-scheme-allowed's advice);
// - trusted domains: `*.d` also matches `d`, and matching is case-sensitive (lint's domainCovers);
// - the CIMD profile must come before the OAuth 2.1 profile in a CIMD policy (cimd-profile-order).

let kc: RealKeycloak;
/** The loopback web server the documents are fetched from (nginx on the seed's host). */
let host: { url: string; server: Server };
const realms: string[] = [];
let clients = 0;

/** A document for a new client on the loopback host: its own path, so each registration is a first one. */
function documentWith(redirectUris: string[]): string {
  const path = `/clients/${++clients}.json`;
  const url = `${host.url}${path}`;
  documents.set(path, { client_id: url, client_name: `client ${clients}`, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' });
  return url;
}
const documents = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  kc = await realKeycloak();
  const server = createServer((req, res) => {
    const document = documents.get((req.url ?? '').split('?')[0]!);
    res.writeHead(document ? 200 : 404, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(document ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
});
// Keycloak keeps its connections to the document host alive: close them, or close() waits for them.
// Deleting the realms took over 30 s on a loaded machine.
afterAll(async () => {
  host?.server.closeAllConnections();
  await new Promise((resolve) => host?.server.close(resolve));
  for (const realm of realms) await kc.deleteRealm(realm);
}, 120_000);

/** The seed's realm, provisioned by keygate through the real path, its CIMD policy also taking http loopback documents. */
async function seedRealm(label: string, version: string): Promise<RealRealmHarness> {
  const h = await startRealRealmHarness(kc, label, {
    edit: (raw) => {
      raw.keycloak.version = version;
      const cimd = raw.keycloak.realm.clientProfiles[0].executors[0].configuration;
      cimd['cimd-allow-http-scheme'] = true;
      const condition = raw.keycloak.realm.clientPolicies[0].conditions[0].configuration;
      condition['client-id-uri-scheme'] = ['https', 'http'];
      condition['client-id-uri-allow-permitted-domains'] = [...condition['client-id-uri-allow-permitted-domains'], '127.0.0.1'];
    },
  });
  realms.push(h.realm);
  const { runMachine } = await import('../../support/local-machine');
  const run = await runMachine('reconcile-realm.asl.json', { desiredState: h.desired }, { pendingIntervalMs: 1000 });
  if (run.error) throw new Error(`provisioning ${h.realm}: ${run.error.name}: ${run.error.cause}`);
  await h.close();
  return h;
}

describe.each([
  ['26.7.3 (no #49456 workaround)', '26.7.3', ['cimd-profile']],
  ['26.6.1 (the #49456 workaround appends the OAuth 2.1 profile)', '26.6.1', ['cimd-profile', 'oauth-2-1-for-public-client-no-dpop']],
])('the seed\'s realm as keygate provisions it for Keycloak %s, on a real 26.7.3', (_label, version, cimdProfiles) => {
  let realm: string;
  beforeAll(async () => {
    realm = (await seedRealm(`cimd-${version.replace(/\./g, '')}`, version)).realm;
    expect((await kc.ok('GET', `/admin/realms/${realm}/client-policies/policies`)).policies[0].profiles).toEqual(cimdProfiles);
  });
  const exists = async (clientId: string) => (await kc.ok('GET', `/admin/realms/${realm}/clients?clientId=${encodeURIComponent(clientId)}`)).length === 1;

  it('refuses to register a document whose loopback redirect URI has a port (the seed article\'s form)', async () => {
    const clientId = documentWith(['http://127.0.0.1:6274/oauth/callback']);
    expect(await authorize(kc.url, realm, clientId, 'http://127.0.0.1:6274/oauth/callback')).toMatchObject({ status: 400, message: 'Invalid Redirect Uri: invalid loopback address' });
    expect(await exists(clientId)).toBe(false);
  });

  it('registers a port-less loopback redirect URI, which then matches a request on any port, but not one without a port', async () => {
    const clientId = documentWith(['http://127.0.0.1/oauth/callback']);
    expect(await authorize(kc.url, realm, clientId, 'http://127.0.0.1:6274/oauth/callback')).toMatchObject({ status: 200 });
    expect(await exists(clientId)).toBe(true);
    expect(await authorize(kc.url, realm, clientId, 'http://127.0.0.1:50123/oauth/callback')).toMatchObject({ status: 200 });
    // Refused either way: with the #49456 shape on an error page (400), without it by a redirect carrying the error (302).
    const portless = await authorize(kc.url, realm, clientId, 'http://127.0.0.1/oauth/callback');
    expect(portless.status === 400 ? portless.message : new URL(portless.location!).searchParams.get('error_description')).toBe('Invalid Redirect Uri: invalid loopback address');
  });
});

/** A realm with a CIMD profile and policy for loopback documents, and the seed's OAuth 2.1 public-client profile, set through the admin API. */
async function realmWith(label: string, opts: { allowHttp?: boolean; cimdDomains?: string[]; conditionDomains?: string[]; cimdPolicyProfiles?: string[] } = {}): Promise<string> {
  const realm = await kc.freshRealm(label);
  realms.push(realm);
  const cimd = { name: 'cimd-profile', executors: [{ executor: 'client-id-metadata-document', configuration: { 'cimd-allow-http-scheme': 'true', 'cimd-allow-permitted-domains': opts.cimdDomains ?? ['127.0.0.1'], 'cimd-restrict-same-domain': 'false', 'cimd-required-properties': ['client_id'], 'only-allow-confidential-client': 'false' } }] };
  const oauth21 = {
    name: 'oauth-2-1-for-public-client-no-dpop',
    executors: [
      { executor: 'pkce-enforcer', configuration: { 'auto-configure': 'true' } },
      { executor: 'secure-redirect-uris-enforcer', configuration: { 'allow-ipv4-loopback-address': 'true', 'allow-ipv6-loopback-address': 'true', 'allow-private-use-uri-scheme': 'true', 'allow-http-scheme': String(opts.allowHttp ?? true), 'allow-wildcard-context-path': 'false', 'oauth-2-1-compliant': 'true', 'allow-open-redirect': 'false' } },
    ],
  };
  await kc.ok('PUT', `/admin/realms/${realm}/client-policies/profiles`, { profiles: [cimd, oauth21] });
  await kc.ok('PUT', `/admin/realms/${realm}/client-policies/policies`, {
    policies: [
      { name: 'cimd-policy', enabled: true, conditions: [{ condition: 'client-id-uri', configuration: { 'client-id-uri-scheme': ['http', 'https'], 'client-id-uri-allow-permitted-domains': opts.conditionDomains ?? ['127.0.0.1'] } }], profiles: opts.cimdPolicyProfiles ?? ['cimd-profile'] },
      { name: 'oauth-2-1-public-client-policy', enabled: true, conditions: [{ condition: 'client-access-type', configuration: { type: ['public'] } }], profiles: ['oauth-2-1-for-public-client-no-dpop'] },
    ],
  });
  return realm;
}

describe('allow-http-scheme on the OAuth 2.1 redirect enforcer', () => {
  it('false: an http loopback callback is refused, even registered without a port (the loopback options do not cover http)', async () => {
    const realm = await realmWith('no-http', { allowHttp: false });
    expect(await authorize(kc.url, realm, documentWith(['http://127.0.0.1/oauth/callback']), 'http://127.0.0.1:6274/oauth/callback')).toMatchObject({ status: 400, message: 'Invalid Redirect Uri: invalid loopback address' });
  });

  it('true: the same callback is accepted', async () => {
    const realm = await realmWith('http');
    expect(await authorize(kc.url, realm, documentWith(['http://127.0.0.1/oauth/callback']), 'http://127.0.0.1:6274/oauth/callback')).toMatchObject({ status: 200 });
  });
});

describe('trusted domains: the client-id-uri condition and the CIMD executor (the table lint\'s matcher is held to)', () => {
  // A client_id on an unresolvable host tells how far Keycloak got: "Client not found." when the
  // condition did not match, "domain not allowed" when the executor refused the host, "Client
  // Metadata fetch failed" when both accepted it and Keycloak tried to fetch the document.
  const set = async (realm: string, cimdDomains: string[], conditionDomains: string[]) => {
    await kc.ok('PUT', `/admin/realms/${realm}/client-policies/profiles`, { profiles: [{ name: 'cimd-profile', executors: [{ executor: 'client-id-metadata-document', configuration: { 'cimd-allow-http-scheme': 'true', 'cimd-allow-permitted-domains': cimdDomains, 'cimd-required-properties': ['client_id'] } }] }] });
    await kc.ok('PUT', `/admin/realms/${realm}/client-policies/policies`, { policies: [{ name: 'cimd-policy', enabled: true, conditions: [{ condition: 'client-id-uri', configuration: { 'client-id-uri-scheme': ['http'], 'client-id-uri-allow-permitted-domains': conditionDomains } }], profiles: ['cimd-profile'] }] });
  };
  let realm: string;
  beforeAll(async () => {
    realm = await kc.freshRealm('domains');
    realms.push(realm);
  });

  it.each(TRUSTED_DOMAIN_CASES)('the condition: $entry covers $clientId: $covered', async ({ entry, clientId, covered }) => {
    await set(realm, [entry], [entry]);
    expect((await authorize(kc.url, realm, clientId, 'http://127.0.0.1:6274/oauth/callback')).message).toBe(covered ? 'Client Metadata fetch failed' : 'Client not found.');
  });

  it.each(TRUSTED_DOMAIN_CASES)('the executor: $entry covers $clientId: $covered', async ({ entry, clientId, covered }) => {
    await set(realm, [entry], [hostOf(clientId)!]);
    expect((await authorize(kc.url, realm, clientId, 'http://127.0.0.1:6274/oauth/callback')).message).toBe(covered ? 'Client Metadata fetch failed' : 'Invalid Client ID: domain not allowed.');
  });
});

describe('the order of profiles in a CIMD policy (the #49456 workaround\'s shape)', () => {
  it('OAuth 2.1 profile first: a first login fails with "Invalid parameter: clientId" (the enforcer runs before the client exists)', async () => {
    const realm = await realmWith('order-bad', { cimdPolicyProfiles: ['oauth-2-1-for-public-client-no-dpop', 'cimd-profile'] });
    expect(await authorize(kc.url, realm, documentWith(['http://127.0.0.1/oauth/callback']), 'http://127.0.0.1:6274/oauth/callback')).toMatchObject({ status: 400, message: 'Invalid parameter: clientId' });
  });

  it('CIMD profile first: the same login works', async () => {
    const realm = await realmWith('order-good', { cimdPolicyProfiles: ['cimd-profile', 'oauth-2-1-for-public-client-no-dpop'] });
    expect(await authorize(kc.url, realm, documentWith(['http://127.0.0.1/oauth/callback']), 'http://127.0.0.1:6274/oauth/callback')).toMatchObject({ status: 200 });
  });
});
