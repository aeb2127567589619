import { start, type KeycloakStandIn } from '../../../emulators/keycloak';
import server from '../../../emulators/keycloak/keycloak-26.7.3.json';

// The Keycloak admin stand-in over HTTP as the host sees it: what the fast tests rely on besides the
// contract with the real server (tests/integration/keycloak-real/contract.test.ts), and its controls.

let kc: KeycloakStandIn;
let token: string;
const BUILTINS: Array<{ name: string }> = server.globalProfiles;

async function login(password = 'pw'): Promise<Response> {
  return fetch(`${kc.url}/realms/master/protocol/openid-connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password }) });
}
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; location: string | null }> {
  const res = await fetch(`${kc.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, location: res.headers.get('location') };
}
const profile = (name: string, executor = 'pkce-enforcer') => ({ name, executors: [{ executor, configuration: { 'auto-configure': 'true' } }] });
const policy = (name: string, profiles: string[], extra: object = {}) => ({ name, conditions: [{ condition: 'client-access-type', configuration: { type: ['public'] } }], profiles, ...extra });

beforeAll(async () => {
  kc = await start({ admin: { username: 'admin', password: 'pw' } });
  token = ((await (await login()).json()) as { access_token: string }).access_token;
});
afterAll(async () => kc.close());

describe('admin login and realms', () => {
  it('rejects a wrong password and requests without a valid token', async () => {
    expect((await login('nope')).status).toBe(400);
    const res = await fetch(`${kc.url}/admin/realms`);
    expect(res.status).toBe(401);
  });

  it('creates a realm disabled unless enabled is sent; 409 on a duplicate; 404 for a missing realm', async () => {
    const created = await call('POST', '/admin/realms', { realm: 'si-1' });
    expect(created.status).toBe(201);
    expect(created.location).toBe(`${kc.url}/admin/realms/si-1`);
    expect((await call('GET', '/admin/realms/si-1')).json).toMatchObject({ realm: 'si-1', enabled: false });
    expect((await call('POST', '/admin/realms', { realm: 'si-1', enabled: true })).status).toBe(409);
    expect(await call('GET', '/admin/realms/none')).toMatchObject({ status: 404, json: { error: 'Realm not found.' } });
  });

  it('a realm PUT replaces the attribute set when it sends one, keeps WebAuthn unless it names it, and resets the device flow lifespan', async () => {
    await call('POST', '/admin/realms', { realm: 'si-attrs', enabled: true, attributes: { a: '1' } });
    kc.realm('si-attrs')!.webAuthnPolicyRpEntityName = 'team-rp';
    kc.realm('si-attrs')!.oauth2DeviceCodeLifespan = 1234;
    await call('PUT', '/admin/realms/si-attrs', { attributes: { b: '2' } });
    expect((await call('GET', '/admin/realms/si-attrs')).json).toMatchObject({ attributes: { b: '2' }, webAuthnPolicyRpEntityName: 'team-rp', oauth2DeviceCodeLifespan: 600, enabled: true });
    expect((await call('PUT', '/admin/realms/si-attrs', { clientPolicies: { policies: [{ name: 'x', conditions: [{ condition: 'no-such' }], profiles: [] }] } })).status).toBe(500);
    expect((await call('PUT', '/admin/realms/si-attrs', { clientPolicies: { policies: [] } })).status).toBe(204);
  });
});

describe('client scopes, mappers, default scope lists', () => {
  it('answers 409 for a duplicate scope name and lists mappers inside scopes', async () => {
    await call('POST', '/admin/realms', { realm: 'si-scopes', enabled: true });
    const created = await call('POST', '/admin/realms/si-scopes/client-scopes', { name: 'mcp:tools', protocol: 'openid-connect' });
    expect(created.status).toBe(201);
    const id = created.location!.split('/').pop()!;
    expect((await call('POST', '/admin/realms/si-scopes/client-scopes', { name: 'mcp:tools', protocol: 'openid-connect' })).status).toBe(409);
    expect((await call('POST', `/admin/realms/si-scopes/client-scopes/${id}/protocol-mappers/models`, { name: 'aud', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: {} })).status).toBe(201);
    expect((await call('POST', `/admin/realms/si-scopes/client-scopes/${id}/protocol-mappers/models`, { name: 'x', protocolMapper: 'no-such-mapper' })).status).toBe(404);
    const scopes = (await call('GET', '/admin/realms/si-scopes/client-scopes')).json as Array<{ name: string; protocolMappers: unknown[] }>;
    expect(scopes.find((s) => s.name === 'mcp:tools')!.protocolMappers).toHaveLength(1);
    expect((await call('PUT', `/admin/realms/si-scopes/default-optional-client-scopes/${id}`)).status).toBe(204);
    expect((await call('GET', '/admin/realms/si-scopes/default-optional-client-scopes')).json).toContainEqual({ id, name: 'mcp:tools', protocol: 'openid-connect' });
  });

  it('new realms carry Keycloak\'s built-in scopes and clients', async () => {
    await call('POST', '/admin/realms', { realm: 'si-builtins', enabled: true });
    expect(((await call('GET', '/admin/realms/si-builtins/default-default-client-scopes')).json as Array<{ name: string }>).map((s) => s.name)).toEqual(['acr', 'basic', 'email', 'profile', 'roles', 'web-origins', 'role_list', 'saml_organization', 'AuthnContextClassRef']);
    expect(((await call('GET', '/admin/realms/si-builtins/clients')).json as Array<{ clientId: string }>).map((c) => c.clientId)).toContain('admin-cli');
  });
});

describe('client profiles and policies', () => {
  beforeAll(async () => {
    await call('POST', '/admin/realms', { realm: 'si-cp', enabled: true });
  });

  it('PUT replaces the whole list; globals only with include-global-profiles=true, as captured from 26.7.3', async () => {
    await call('PUT', '/admin/realms/si-cp/client-policies/profiles', { profiles: [profile('a'), profile('b')] });
    await call('PUT', '/admin/realms/si-cp/client-policies/profiles', { profiles: [profile('b')] });
    expect((await call('GET', '/admin/realms/si-cp/client-policies/profiles')).json).toEqual({ profiles: [profile('b')] });
    const all = (await call('GET', '/admin/realms/si-cp/client-policies/profiles?include-global-profiles=true')).json;
    expect(all.globalProfiles.map((p: { name: string }) => p.name)).toEqual(BUILTINS.map((p) => p.name));
  });

  it.each([
    ['a built-in name', [profile('oauth-2-1-for-public-client')], /'oauth-2-1-for-public-client' is duplicated as a global profile/],
    ['an unknown executor', [profile('x', 'no-such-executor')], /does not have valid provider/],
    ['a duplicate name', [profile('x'), profile('x')], /duplicated: x/],
  ])('rejects profiles with %s (400, nothing stored)', async (_what, profiles, message) => {
    const res = await call('PUT', '/admin/realms/si-cp/client-policies/profiles', { profiles });
    expect(res.status).toBe(400);
    expect(res.json.errorMessage).toMatch(message);
    expect((await call('GET', '/admin/realms/si-cp/client-policies/profiles')).json).toEqual({ profiles: [profile('b')] });
  });

  it('rejects a policy naming a profile not yet saved; stores a policy without enabled as disabled', async () => {
    expect((await call('PUT', '/admin/realms/si-cp/client-policies/policies', { policies: [policy('p', ['not-saved'])] })).json.errorMessage).toBe('Policy p contains invalid profile not-saved');
    expect((await call('PUT', '/admin/realms/si-cp/client-policies/policies', { policies: [policy('p', ['b', 'oauth-2-1-for-public-client'])] })).status).toBe(204);
    expect((await call('GET', '/admin/realms/si-cp/client-policies/policies')).json.policies[0].enabled).toBe(false);
  });

  it('accepts CIMD provider ids only with the CIMD feature on, and says so in discovery', async () => {
    const cimd = { name: 'cimd', executors: [{ executor: 'client-id-metadata-document', configuration: {} }] };
    kc.setFeature('cimd', false);
    expect((await call('PUT', '/admin/realms/si-cp/client-policies/profiles', { profiles: [cimd] })).status).toBe(400);
    expect(((await (await fetch(`${kc.url}/realms/si-cp/.well-known/openid-configuration`)).json()) as any).client_id_metadata_document_supported).toBeUndefined();
    kc.setFeature('cimd', true);
    expect((await call('PUT', '/admin/realms/si-cp/client-policies/profiles', { profiles: [profile('b'), cimd] })).status).toBe(204);
    expect(((await (await fetch(`${kc.url}/realms/si-cp/.well-known/openid-configuration`)).json()) as any).client_id_metadata_document_supported).toBe(true);
  });
});

describe('controls', () => {
  it('down refuses connections and nothing changes; up serves the same state on the same port', async () => {
    await kc.setDown(true);
    await expect(fetch(`${kc.url}/admin/realms`)).rejects.toThrow();
    await kc.setDown(false);
    expect((await call('GET', '/admin/realms/si-cp')).status).toBe(200);
  });
});
