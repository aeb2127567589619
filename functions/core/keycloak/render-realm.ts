import type {
  DesiredAudienceMapper,
  DesiredClientPolicy,
  DesiredClientProfile,
  DesiredClientScope,
  DesiredKeycloak,
  DesiredUser,
} from '../desired/keycloak';
import { effectivePolicyProfiles, resolveKc49456, type Kc49456Resolution } from './analysis';
import type {
  ClientPoliciesRepresentation,
  ClientPolicyRepresentation,
  ClientProfileRepresentation,
  ClientProfilesRepresentation,
  ClientScopeRepresentation,
  ConfigValue,
  ProtocolMapperRepresentation,
  RealmRepresentation,
  UserRepresentation,
} from './representations';

/**
 * Keycloak stores executor and condition configuration as raw JSON and reads booleans from either
 * `true` or `"true"`; its built-in profiles and the admin console write strings, so keygate writes
 * strings too and normalizes both forms before comparing.
 */
function configValue(value: boolean | string | readonly string[]): ConfigValue {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return typeof value === 'string' ? value : [...value];
}

function renderConfiguration(configuration: Record<string, boolean | string | readonly string[] | undefined>): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [key, value] of Object.entries(configuration)) if (value !== undefined) out[key] = configValue(value);
  return out;
}

export function renderRealm(keycloak: DesiredKeycloak): RealmRepresentation {
  return { realm: keycloak.realm.name, enabled: true };
}

/** The user without credentials: the password is read on the host from SSM and added there. */
export function renderUser(user: DesiredUser): UserRepresentation {
  return {
    username: user.username,
    enabled: user.enabled,
    emailVerified: user.emailVerified,
    ...(user.email !== undefined ? { email: user.email } : {}),
    ...(user.firstName !== undefined ? { firstName: user.firstName } : {}),
    ...(user.lastName !== undefined ? { lastName: user.lastName } : {}),
  };
}

export function renderClientScope(scope: DesiredClientScope): ClientScopeRepresentation {
  return {
    name: scope.name,
    ...(scope.description !== undefined ? { description: scope.description } : {}),
    protocol: 'openid-connect',
    attributes: {
      'include.in.token.scope': configValue(scope.includeInTokenScope) as string,
      'display.on.consent.screen': configValue(scope.displayOnConsentScreen) as string,
      ...(scope.consentScreenText !== undefined ? { 'consent.screen.text': scope.consentScreenText } : {}),
    },
  };
}

/** `oidc-audience-mapper` with a custom audience (keycloak-admin-reference §2.2). */
export function renderAudienceMapper(mapper: DesiredAudienceMapper): ProtocolMapperRepresentation {
  return {
    name: mapper.name,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-audience-mapper',
    config: {
      'included.custom.audience': mapper.audience,
      'access.token.claim': configValue(mapper.addToAccessToken) as string,
      'introspection.token.claim': configValue(mapper.addToIntrospection) as string,
      'id.token.claim': configValue(mapper.addToIdToken) as string,
      'lightweight.claim': configValue(mapper.addToLightweightToken) as string,
    },
  };
}

export function renderClientProfile(profile: DesiredClientProfile): ClientProfileRepresentation {
  return {
    name: profile.name,
    ...(profile.description !== undefined ? { description: profile.description } : {}),
    executors: profile.executors.map((e) => ({ executor: e.executor, configuration: renderConfiguration(e.configuration) })),
  };
}

export function renderClientPolicy(policy: DesiredClientPolicy, resolution?: Kc49456Resolution): ClientPolicyRepresentation {
  return {
    name: policy.name,
    ...(policy.description !== undefined ? { description: policy.description } : {}),
    enabled: true,
    conditions: policy.conditions.map((c) => ({ condition: c.condition, configuration: renderConfiguration(c.configuration) })),
    profiles: resolution ? effectivePolicyProfiles(policy, resolution) : [...policy.profiles],
  };
}

/** Only the profiles keygate declares; the reconciler merges them into the realm's list by name. */
export function renderClientProfiles(keycloak: DesiredKeycloak): ClientProfilesRepresentation {
  return { profiles: keycloak.realm.clientProfiles.map(renderClientProfile) };
}

/** Only the policies keygate declares, with the #49456 workaround applied when it is active. */
export function renderClientPolicies(keycloak: DesiredKeycloak): ClientPoliciesRepresentation {
  const resolution = resolveKc49456(keycloak);
  return { policies: keycloak.realm.clientPolicies.map((p) => renderClientPolicy(p, resolution)) };
}

export interface RenderedRealm {
  realm: RealmRepresentation;
  users: Array<{ user: UserRepresentation; password: { parameterName: string; set: 'at-creation' | 'every-run' } }>;
  clientScopes: Array<{ scope: ClientScopeRepresentation; type: DesiredClientScope['type']; audienceMapper?: ProtocolMapperRepresentation }>;
  clientProfiles: ClientProfilesRepresentation;
  clientPolicies: ClientPoliciesRepresentation;
  workarounds: { kc49456: Kc49456Resolution };
}

/**
 * Everything keygate writes into the realm, as admin REST bodies, in the order the seed article
 * configures it by hand: realm, users, client scopes with their audience mapper, client profiles,
 * client policies (after the profiles they reference).
 */
export function renderRealmState(keycloak: DesiredKeycloak): RenderedRealm {
  return {
    realm: renderRealm(keycloak),
    users: keycloak.realm.users.map((u) => ({
      user: renderUser(u),
      password: { parameterName: u.passwordParameter, set: u.resetPassword ? 'every-run' : 'at-creation' },
    })),
    clientScopes: keycloak.realm.clientScopes.map((s) => ({
      scope: renderClientScope(s),
      type: s.type,
      ...(s.audienceMapper ? { audienceMapper: renderAudienceMapper(s.audienceMapper) } : {}),
    })),
    clientProfiles: renderClientProfiles(keycloak),
    clientPolicies: renderClientPolicies(keycloak),
    workarounds: { kc49456: resolveKc49456(keycloak) },
  };
}
