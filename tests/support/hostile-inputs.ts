/**
 * Desired-state documents an attacker with write access to the document (a pull request, the SSM
 * parameter, an execution input) could hand keygate: each used to pass lint and fail (or harm) only
 * after part of the system was changed. Each is the seed with one edit, and the error lint now
 * refuses it with (rule id and document path). Shared by the lint table test, the CLI test and the
 * integration test that proves each is refused before any change.
 */
export interface HostileInput {
  name: string;
  edit: (raw: Record<string, any>) => void;
  rule: string;
  path: string;
}

const ESC = '\u001b';
const RLO = '\u202e';

export const HOSTILE_INPUTS: HostileInput[] = [
  { name: 'realm "master" (the admin realm)', edit: (r) => renameRealm(r, 'master'), rule: 'realm-admin-realm', path: 'keycloak.realm.name' },
  { name: 'realm named like keycloak.admin.realm', edit: (r) => ((r.keycloak.admin.realm = 'ops'), renameRealm(r, 'ops')), rule: 'realm-admin-realm', path: 'keycloak.realm.name' },
  { name: 'realm name with /', edit: (r) => renameRealm(r, 'mcp/demo'), rule: 'realm-name-invalid', path: 'keycloak.realm.name' },
  { name: 'realm name ..', edit: (r) => renameRealm(r, '..'), rule: 'realm-name-invalid', path: 'keycloak.realm.name' },
  { name: 'realm name with ?', edit: (r) => renameRealm(r, 'mcp?demo'), rule: 'realm-name-invalid', path: 'keycloak.realm.name' },
  { name: 'realm name with #', edit: (r) => renameRealm(r, 'mcp#demo'), rule: 'realm-name-invalid', path: 'keycloak.realm.name' },
  { name: 'realm name with a space', edit: (r) => renameRealm(r, 'mcp demo'), rule: 'realm-name-invalid', path: 'keycloak.realm.name' },
  { name: 'client-scope name with a space', edit: (r) => renameScope(r, 'mcp tools'), rule: 'scope-name-invalid', path: 'keycloak.realm.clientScopes[0].name' },
  { name: 'client-scope name with "', edit: (r) => renameScope(r, 'mcp:"tools"'), rule: 'scope-name-invalid', path: 'keycloak.realm.clientScopes[0].name' },
  { name: 'client-scope name with \\', edit: (r) => renameScope(r, 'mcp\\tools'), rule: 'scope-name-invalid', path: 'keycloak.realm.clientScopes[0].name' },
  { name: "allowed scope outside AgentCore's pattern (non-ASCII)", edit: (r) => renameScope(r, 'mcp:tööls'), rule: 'scope-name-invalid', path: 'gateway.authorizer.allowedScopes[0]' },
  { name: 'allowed scope over 255 characters', edit: (r) => renameScope(r, `mcp:${'t'.repeat(252)}`), rule: 'scope-name-invalid', path: 'gateway.authorizer.allowedScopes[0]' },
  { name: 'canary client id admin-cli', edit: (r) => (r.keycloak.realm.canaryClient.clientId = 'admin-cli'), rule: 'keycloak-name-builtin', path: 'keycloak.realm.canaryClient.clientId' },
  { name: 'canary client id account', edit: (r) => (r.keycloak.realm.canaryClient.clientId = 'account'), rule: 'keycloak-name-builtin', path: 'keycloak.realm.canaryClient.clientId' },
  { name: 'client scope named profile', edit: (r) => renameScope(r, 'profile'), rule: 'keycloak-name-builtin', path: 'keycloak.realm.clientScopes[0].name' },
  { name: 'client profile named like a built-in profile', edit: (r) => renameProfile(r, 'oauth-2-1-for-public-client'), rule: 'profile-name-builtin', path: 'keycloak.realm.clientProfiles[1].name' },
  { name: 'username of a service account', edit: (r) => (r.keycloak.realm.users[0].username = 'service-account-keygate-canary'), rule: 'keycloak-name-builtin', path: 'keycloak.realm.users[0].username' },
  { name: 'username of 2 characters', edit: (r) => (r.keycloak.realm.users[0].username = 'al'), rule: 'user-invalid', path: 'keycloak.realm.users[0].username' },
  { name: 'username with < >', edit: (r) => (r.keycloak.realm.users[0].username = 'alice<script>'), rule: 'user-invalid', path: 'keycloak.realm.users[0].username' },
  { name: 'username with a space', edit: (r) => (r.keycloak.realm.users[0].username = 'alice smith'), rule: 'user-invalid', path: 'keycloak.realm.users[0].username' },
  { name: 'email that is not an address', edit: (r) => (r.keycloak.realm.users[0].email = 'not-an-email'), rule: 'user-invalid', path: 'keycloak.realm.users[0].email' },
  { name: 'email used by two users', edit: (r) => r.keycloak.realm.users.push({ ...r.keycloak.realm.users[0], username: 'bob', email: String(r.keycloak.realm.users[0].email).toUpperCase() }), rule: 'user-invalid', path: 'keycloak.realm.users[1].email' },
  { name: 'redirect URI javascript:', edit: (r) => (r.cimd.document.redirect_uris = ['javascript:alert(document.cookie)']), rule: 'redirect-uri-scheme', path: 'cimd.document.redirect_uris[0]' },
  { name: 'redirect URI data:', edit: (r) => (r.cimd.document.redirect_uris = ['data:text/html,<script>alert(1)</script>']), rule: 'redirect-uri-scheme', path: 'cimd.document.redirect_uris[0]' },
  { name: 'discovery URL with user:password@', edit: (r) => (r.gateway.authorizer.discoveryUrl = 'https://admin:hunter2@auth.agentcore-keycloak-example.com/realms/mcp-demo/.well-known/openid-configuration'), rule: 'url-credentials', path: 'gateway.authorizer.discoveryUrl' },
  { name: 'target endpoint on the instance metadata address', edit: (r) => (r.targets[0].endpoint = 'https://169.254.169.254/latest/meta-data/iam/security-credentials/'), rule: 'endpoint-link-local', path: 'targets[0].endpoint' },
  { name: 'target endpoint on the metadata address, written as one number', edit: (r) => (r.targets[0].endpoint = 'https://2852039166/mcp'), rule: 'endpoint-link-local', path: 'targets[0].endpoint' },
  { name: 'target endpoint on the IPv6 metadata address', edit: (r) => (r.targets[0].endpoint = 'https://[fd00:ec2::254]/mcp'), rule: 'endpoint-link-local', path: 'targets[0].endpoint' },
  { name: 'drift.schedule with a singular unit for 15', edit: (r) => (r.drift.schedule = 'rate(15 minute)'), rule: 'drift-schedule-invalid', path: 'drift.schedule' },
  { name: 'drift.schedule as a five-field cron', edit: (r) => (r.drift.schedule = 'cron(*/5 * * * *)'), rule: 'drift-schedule-invalid', path: 'drift.schedule' },
  { name: 'drift.schedule in words', edit: (r) => (r.drift.schedule = 'every 15 minutes'), rule: 'drift-schedule-invalid', path: 'drift.schedule' },
  { name: 'allowed audience no mapper puts into a token', edit: (r) => r.gateway.authorizer.allowedAudiences.push('payments-api'), rule: 'gateway-audience-unmapped', path: 'gateway.authorizer.allowedAudiences[1]' },
  { name: 'an ANSI escape (clear screen) in a user name', edit: (r) => (r.keycloak.realm.users[0].firstName = `Alice${ESC}[2J${ESC}[31mOK`), rule: 'control-characters', path: 'keycloak.realm.users[0].firstName' },
  { name: 'a bidirectional override in a client-scope description', edit: (r) => (r.keycloak.realm.clientScopes[0].description = `tools ${RLO}nimda${ESC}`), rule: 'control-characters', path: 'keycloak.realm.clientScopes[0].description' },
  { name: 'a line break in a client policy name', edit: (r) => (r.keycloak.realm.clientPolicies[0].name = 'cimd-policy\nenabled: false'), rule: 'control-characters', path: 'keycloak.realm.clientPolicies[0].name' },
  { name: 'CIMD published over a system file', edit: (r) => (r.cimd.publish.host.path = '/etc/shadow'), rule: 'cimd-publish-path-outside-directory', path: 'cimd.publish.host.path' },
  { name: "CIMD published over root's authorized_keys", edit: (r) => (r.cimd.publish.host.path = '/root/.ssh/authorized_keys'), rule: 'cimd-publish-path-outside-directory', path: 'cimd.publish.host.path' },
];

/** A valid document whose only finding is the frequent-schedule warning (allowed, with its cost). */
export const FREQUENT_SCHEDULE = (r: Record<string, any>) => (r.drift.schedule = 'rate(1 minute)');

function renameRealm(raw: Record<string, any>, name: string): void {
  raw.keycloak.realm.name = name;
  raw.gateway.authorizer.discoveryUrl = `https://auth.agentcore-keycloak-example.com/realms/${encodeURIComponent(name)}/.well-known/openid-configuration`;
}

function renameScope(raw: Record<string, any>, name: string): void {
  raw.keycloak.realm.clientScopes[0].name = name;
  raw.gateway.authorizer.allowedScopes = [name];
}

function renameProfile(raw: Record<string, any>, name: string): void {
  const old = raw.keycloak.realm.clientProfiles[1].name;
  raw.keycloak.realm.clientProfiles[1].name = name;
  for (const p of raw.keycloak.realm.clientPolicies) p.profiles = p.profiles.map((n: string) => (n === old ? name : n));
}
