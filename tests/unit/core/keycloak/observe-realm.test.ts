import { KeycloakAdminAccessUnsupportedError, KeycloakSnapshotInvalidError } from '../../../../functions/core/errors';
import { adminConnection, renderObserveOps, snapshotFromResults } from '../../../../functions/core/keycloak/observe-realm';
import { emptyRealmSnapshot, parseSnapshot } from '../../../../functions/core/keycloak/snapshot';
import { seedDesired, seedWith } from '../../../support/seed';

const seed = seedDesired();

describe('renderObserveOps', () => {
  it('reads only what the document names, and keeps the canary client\'s secret on the host', () => {
    const ops = renderObserveOps(seed);
    expect(ops.map((o) => o.id)).toEqual([
      'realm', 'discovery', 'adminDiscovery', 'user:alice', 'clientScopes', 'realmDefaultClientScopes', 'realmOptionalClientScopes',
      'clientProfiles', 'clientPolicies', 'client:keygate-canary', 'clientDefaultScopes:keygate-canary', 'clientOptionalScopes:keygate-canary',
    ]);
    const client = ops.find((o) => o.id === 'client:keygate-canary')!;
    expect(client.pick!.flat()).not.toContain('secret');
    expect(client.bind).toEqual({ var: 'client:keygate-canary', field: 'id' });
    expect(ops.find((o) => o.id === 'user:alice')!.query).toEqual({ username: 'alice', exact: 'true' });
    expect(ops.every((o) => o.absent?.includes(404))).toBe(true);
  });
});

describe('snapshotFromResults', () => {
  it('turns a missing realm into an empty snapshot and takes CIMD support from the admin realm', () => {
    const snapshot = snapshotFromResults(seed, { realm: null, discovery: null, adminDiscovery: { client_id_metadata_document_supported: true } }, 'i-0123456789abcdef0');
    expect(parseSnapshot(snapshot, 'test')).toMatchObject({ exists: false, server: { cimdSupported: true, discoveryRealm: 'master' }, ownership: null, users: [], clients: [] });
  });

  it('reads the ownership record, the selected entries and the names of the others', () => {
    const snapshot = snapshotFromResults(seed, {
      realm: { id: 'r', realm: 'mcp-demo', enabled: true, attributes: { 'keygate.owned': '{"v":1,"clientProfiles":["cimd-profile"]}' } },
      discovery: { client_id_metadata_document_supported: true },
      clientProfiles: { items: [{ name: 'cimd-profile', executors: [] }], others: ['team-x'] },
      clientPolicies: { items: [], others: [] },
      realmOptionalClientScopes: [{ name: 'mcp:tools' }],
      'client:keygate-canary': [{ id: 'c1', clientId: 'keygate-canary', enabled: true }],
      'clientDefaultScopes:keygate-canary': [{ name: 'mcp:tools' }],
    });
    expect(snapshot.ownership).toMatchObject({ clientProfiles: ['cimd-profile'], users: [] });
    expect(snapshot.otherClientProfiles).toEqual(['team-x']);
    expect(snapshot.realmOptionalClientScopes).toEqual(['mcp:tools']);
    expect(snapshot.clients).toEqual([{ id: 'c1', clientId: 'keygate-canary', enabled: true, defaultClientScopes: ['mcp:tools'], optionalClientScopes: [] }]);
    expect(snapshot.server.discoveryRealm).toBe('mcp-demo');
  });

  it('a damaged ownership attribute owns nothing and says why', () => {
    const snapshot = snapshotFromResults(seed, { realm: { enabled: true, attributes: { 'keygate.owned': '{not json' } } });
    expect(snapshot.ownership).toBeNull();
    expect(snapshot.ownershipProblem).toBe('realm attribute keygate.owned is not JSON');
  });
});

describe('adminConnection', () => {
  it('uses the loopback admin URL and names the admin password, never its value', () => {
    expect(adminConnection(seed, 'eu-central-1')).toEqual({
      version: 1,
      admin: { url: 'http://127.0.0.1:8080', realm: 'master', username: 'admin', passwordParameter: '/keygate/mcp-keycloak-agentcore/keycloak-admin-password' },
      region: 'eu-central-1',
    });
  });

  it('refuses kcadm before anything is sent, saying what to do instead', () => {
    const desired = seedWith((raw) => {
      delete raw.keycloak.admin.url;
      raw.keycloak.admin.kcadm = { container: 'keycloak' };
    });
    expect(() => adminConnection(desired, 'eu-central-1')).toThrow(KeycloakAdminAccessUnsupportedError);
    expect(() => adminConnection(desired, 'eu-central-1')).toThrow(/publish Keycloak on the host loopback.*set keycloak.admin.url/i);
  });
});

describe('parseSnapshot', () => {
  it('lists every problem with its path', () => {
    expect(() => parseSnapshot({ format: 'keygate.keycloak-snapshot/1', realm: 'x' }, 'observed.json')).toThrow(/observed\.json: not a keygate Keycloak snapshot \(docs\/keycloak-snapshot\.md\), \d+ problems:\n {2}server: is required .*\n {2}exists: is required/);
  });

  it('names the path within the snapshot and the fix, in words rather than zod\'s', () => {
    // Prepare
    const snapshot = { ...emptyRealmSnapshot('mcp-demo', true), server: { cimdSupported: 'yes', discoveryRealm: null }, users: [{ username: 'alice' }], extra: 1 };
    // Act
    let error: KeycloakSnapshotInvalidError | undefined;
    try {
      parseSnapshot(snapshot, 'observed.json');
    } catch (e) {
      error = e as KeycloakSnapshotInvalidError;
    }
    // Assess
    expect(error).toBeInstanceOf(KeycloakSnapshotInvalidError);
    expect(error!.problems).toEqual([
      { path: 'server.cimdSupported', message: 'must be a boolean, not string "yes"', fix: 'see "server.cimdSupported" in the Fields table of docs/keycloak-snapshot.md' },
      { path: 'users[0].id', message: 'is required', fix: 'see "users[]" in the Fields table of docs/keycloak-snapshot.md' },
      { path: 'extra', message: expect.stringMatching(/^unknown key/), fix: 'remove it: a snapshot holds only the fields docs/keycloak-snapshot.md lists' },
    ]);
    expect(error!.message).not.toMatch(/Invalid input|expected boolean, received/);
    expect(error!.message).toMatch(/A complete minimal snapshot is in docs\/keycloak-snapshot\.md/);
  });
});
