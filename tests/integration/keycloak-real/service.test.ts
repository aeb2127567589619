import { readFileSync, statSync } from 'node:fs';
import { CONNECTION_ENV, realKeycloak, type RealKeycloak } from '../../support/real-keycloak';

// The real Keycloak test service itself: the run's one server, reachable on loopback, its admin
// password made for this run and kept in a file only the owner can read.

let kc: RealKeycloak;
beforeAll(async () => {
  kc = await realKeycloak();
});

describe('the real Keycloak test service', () => {
  it('is Keycloak 26.7.3 on loopback, ready, with CIMD advertised', async () => {
    // Act
    const health = await fetch(`${kc.managementUrl}/health/ready`);
    const discovery = await (await fetch(`${kc.url}/realms/master/.well-known/openid-configuration`)).json();
    const info = await kc.ok('GET', '/admin/serverinfo');
    // Assess
    expect(kc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(health.status).toBe(200);
    expect(discovery).toMatchObject({ issuer: `${kc.url}/realms/master`, client_id_metadata_document_supported: true });
    expect(info.systemInfo.version).toBe('26.7.3');
    expect(info.profileInfo.experimentalFeatures).toContain('CIMD');
  });

  it('has a per-run admin password that only this user can read, and refuses others', async () => {
    const file = process.env[CONNECTION_ENV]!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).admin.password).toHaveLength(24);
    const wrong = await fetch(`${kc.url}/realms/master/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
    // 400 invalid_grant (RFC 6749 §5.2), not 401: measured on 26.7.3.
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid user credentials' });
    expect(await kc.token()).toMatch(/^ey/);
  });

  it('gives each test a fresh realm of its own', async () => {
    const a = await kc.freshRealm('service');
    const b = await kc.freshRealm('service');
    expect(a).not.toBe(b);
    expect(await kc.ok('GET', `/admin/realms/${a}`)).toMatchObject({ realm: a, enabled: true });
    await kc.deleteRealm(a);
    expect((await kc.call('GET', `/admin/realms/${a}`)).status).toBe(404);
    await kc.deleteRealm(b);
  });
});
