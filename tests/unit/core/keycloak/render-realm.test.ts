import type ClientPoliciesRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientPoliciesRepresentation';
import type ClientProfilesRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientProfilesRepresentation';
import type ClientScopeRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientScopeRepresentation';
import type ProtocolMapperRepresentation from '@keycloak/keycloak-admin-client/lib/defs/protocolMapperRepresentation';
import type RealmRepresentation from '@keycloak/keycloak-admin-client/lib/defs/realmRepresentation';
import type UserRepresentation from '@keycloak/keycloak-admin-client/lib/defs/userRepresentation';
import { resolveKc49456 } from '../../../../functions/core/keycloak/analysis';
import type * as Keygate from '../../../../functions/core/keycloak/representations';
import { renderRealmState } from '../../../../functions/core/keycloak/render-realm';
import { seedDesired, seedWith } from '../../../support/seed';

// Compile-time proof that keygate's bodies are valid admin-client representations.
type Assignable<T, U extends T> = U;
export type _Realm = Assignable<RealmRepresentation, Keygate.RealmRepresentation>;
export type _User = Assignable<UserRepresentation, Keygate.UserRepresentation>;
export type _Scope = Assignable<ClientScopeRepresentation, Keygate.ClientScopeRepresentation>;
export type _Mapper = Assignable<ProtocolMapperRepresentation, Keygate.ProtocolMapperRepresentation>;
export type _Profiles = Assignable<ClientProfilesRepresentation, Keygate.ClientProfilesRepresentation>;
export type _Policies = Assignable<ClientPoliciesRepresentation, Keygate.ClientPoliciesRepresentation>;

const rendered = () => renderRealmState(seedDesired().keycloak);
const executor = (profile: string, id: string) =>
  rendered().clientProfiles.profiles.find((p) => p.name === profile)!.executors.find((e) => e.executor === id)!.configuration;
const policy = (name: string) => rendered().clientPolicies.policies.find((p) => p.name === name)!;

describe('Keycloak representations for the seed', () => {
  it('realm mcp-demo, enabled', () => {
    expect(rendered().realm).toEqual({ realm: 'mcp-demo', enabled: true });
  });

  it('user alice without any credential in the body', () => {
    const [alice] = rendered().users;
    expect(alice!.user).toEqual({ username: 'alice', enabled: true, emailVerified: true, email: 'alice@agentcore-keycloak-example.com', firstName: 'Alice', lastName: 'Demo' });
    expect(alice!.password).toEqual({ parameterName: '/keygate/mcp-keycloak-agentcore/users/alice', set: 'at-creation' });
    expect(JSON.stringify(alice!.user)).not.toMatch(/credential|password/i);
  });

  describe('client scope mcp:tools', () => {
    const scope = () => rendered().clientScopes[0]!;
    it('is an openid-connect scope of realm type optional', () => {
      expect(scope().scope.name).toBe('mcp:tools');
      expect(scope().scope.protocol).toBe('openid-connect');
      expect(scope().type).toBe('optional');
    });
    it('include.in.token.scope = "true"', () => expect(scope().scope.attributes['include.in.token.scope']).toBe('true'));
    it('display.on.consent.screen = "true"', () => expect(scope().scope.attributes['display.on.consent.screen']).toBe('true'));
  });

  describe('audience mapper aud-agentcore-gateway', () => {
    const mapper = () => rendered().clientScopes[0]!.audienceMapper!;
    it('is an oidc-audience-mapper', () => {
      expect(mapper().name).toBe('aud-agentcore-gateway');
      expect(mapper().protocol).toBe('openid-connect');
      expect(mapper().protocolMapper).toBe('oidc-audience-mapper');
    });
    it('included.custom.audience = mcp-gateway-demo', () => expect(mapper().config['included.custom.audience']).toBe('mcp-gateway-demo'));
    it('access.token.claim = "true"', () => expect(mapper().config['access.token.claim']).toBe('true'));
    it('introspection.token.claim = "true"', () => expect(mapper().config['introspection.token.claim']).toBe('true'));
    it('id.token.claim = "false"', () => expect(mapper().config['id.token.claim']).toBe('false'));
    it('lightweight.claim = "false"', () => expect(mapper().config['lightweight.claim']).toBe('false'));
    it('sets no included.client.audience (it would take precedence)', () => expect(mapper().config).not.toHaveProperty('included.client.audience'));
  });

  describe('CIMD profile executor client-id-metadata-document', () => {
    const cfg = () => executor('cimd-profile', 'client-id-metadata-document');
    it('cimd-allow-http-scheme = "false"', () => expect(cfg()['cimd-allow-http-scheme']).toBe('false'));
    it('cimd-allow-permitted-domains', () => expect(cfg()['cimd-allow-permitted-domains']).toEqual(['cimd.agentcore-keycloak-example.com', '127.0.0.1']));
    it('cimd-restrict-same-domain = "false"', () => expect(cfg()['cimd-restrict-same-domain']).toBe('false'));
    it('cimd-required-properties', () => expect(cfg()['cimd-required-properties']).toEqual(['client_id', 'client_name', 'redirect_uris']));
    it('only-allow-confidential-client = "false"', () => expect(cfg()['only-allow-confidential-client']).toBe('false'));
    it('has exactly these five keys', () => expect(Object.keys(cfg()).sort()).toEqual(['cimd-allow-http-scheme', 'cimd-allow-permitted-domains', 'cimd-required-properties', 'cimd-restrict-same-domain', 'only-allow-confidential-client']));
  });

  describe('OAuth 2.1 public-client profile without DPoP', () => {
    const profile = () => rendered().clientProfiles.profiles.find((p) => p.name === 'oauth-2-1-for-public-client-no-dpop')!;
    it('has pkce-enforcer, reject-implicit-grant, reject-ropc-grant, secure-redirect-uris-enforcer in that order, no DPoP', () => {
      expect(profile().executors.map((e) => e.executor)).toEqual(['pkce-enforcer', 'reject-implicit-grant', 'reject-ropc-grant', 'secure-redirect-uris-enforcer']);
    });
    it('pkce-enforcer auto-configure = "true"', () => expect(executor(profile().name, 'pkce-enforcer')).toEqual({ 'auto-configure': 'true' }));
    it('reject-implicit-grant auto-configure = "true"', () => expect(executor(profile().name, 'reject-implicit-grant')).toEqual({ 'auto-configure': 'true' }));
    it('reject-ropc-grant auto-configure = "true"', () => expect(executor(profile().name, 'reject-ropc-grant')).toEqual({ 'auto-configure': 'true' }));
    const redirect = () => executor(profile().name, 'secure-redirect-uris-enforcer');
    it('allow-ipv4-loopback-address = "true"', () => expect(redirect()['allow-ipv4-loopback-address']).toBe('true'));
    it('allow-ipv6-loopback-address = "true"', () => expect(redirect()['allow-ipv6-loopback-address']).toBe('true'));
    it('allow-private-use-uri-scheme = "true"', () => expect(redirect()['allow-private-use-uri-scheme']).toBe('true'));
    it('allow-http-scheme = "true"', () => expect(redirect()['allow-http-scheme']).toBe('true'));
    it('allow-wildcard-context-path = "false"', () => expect(redirect()['allow-wildcard-context-path']).toBe('false'));
    it('oauth-2-1-compliant = "true"', () => expect(redirect()['oauth-2-1-compliant']).toBe('true'));
    it('allow-open-redirect = "false"', () => expect(redirect()['allow-open-redirect']).toBe('false'));
    it('writes all seven flags even when the document omits them', () => {
      const cfg = renderRealmState(
        seedWith((r) => (r.keycloak.realm.clientProfiles[1].executors[3].configuration = {})).keycloak,
      ).clientProfiles.profiles[1]!.executors[3]!.configuration;
      expect(cfg).toEqual({
        'allow-ipv4-loopback-address': 'false',
        'allow-ipv6-loopback-address': 'false',
        'allow-private-use-uri-scheme': 'false',
        'allow-http-scheme': 'false',
        'allow-wildcard-context-path': 'false',
        'oauth-2-1-compliant': 'false',
        'allow-open-redirect': 'false',
      });
    });
  });

  describe('client policies', () => {
    it('CIMD policy: client-id-uri with client-id-uri-scheme and client-id-uri-allow-permitted-domains', () => {
      const cimd = policy('cimd-policy');
      expect(cimd.conditions).toEqual([
        { condition: 'client-id-uri', configuration: { 'client-id-uri-scheme': ['https'], 'client-id-uri-allow-permitted-domains': ['cimd.agentcore-keycloak-example.com'], 'is-negative-logic': 'false' } },
      ]);
    });
    it('public-client policy: client-access-type with type ["public"]', () => {
      expect(policy('oauth-2-1-public-client-policy').conditions).toEqual([{ condition: 'client-access-type', configuration: { type: ['public'], 'is-negative-logic': 'false' } }]);
      expect(policy('oauth-2-1-public-client-policy').profiles).toEqual(['oauth-2-1-for-public-client-no-dpop']);
    });
    it('always sends enabled: true', () => {
      expect(rendered().clientPolicies.policies.map((p) => p.enabled)).toEqual([true, true]);
    });
    it('applies the #49456 workaround on Keycloak 26.6.1: the CIMD policy also uses the OAuth 2.1 profile', () => {
      expect(policy('cimd-policy').profiles).toEqual(['cimd-profile', 'oauth-2-1-for-public-client-no-dpop']);
      expect(rendered().workarounds.kc49456).toMatchObject({ mode: 'auto', active: true, additions: [{ policy: 'cimd-policy', profile: 'oauth-2-1-for-public-client-no-dpop' }] });
    });
    it('leaves the CIMD policy alone from Keycloak 26.7.0 on (auto)', () => {
      const kc = seedWith((r) => (r.keycloak.version = '26.7.0')).keycloak;
      expect(renderRealmState(kc).clientPolicies.policies[0]!.profiles).toEqual(['cimd-profile']);
      expect(resolveKc49456(kc)).toMatchObject({ active: false, reason: 'auto: Keycloak 26.7.0 has the fix (26.7.0 or newer)' });
    });
    it('honours an explicit on for a fixed version', () => {
      const kc = seedWith((r) => {
        r.keycloak.version = '26.8.0';
        r.keycloak.realm.workarounds.kc49456 = 'on';
      }).keycloak;
      expect(renderRealmState(kc).clientPolicies.policies[0]!.profiles).toEqual(['cimd-profile', 'oauth-2-1-for-public-client-no-dpop']);
    });
  });
});
