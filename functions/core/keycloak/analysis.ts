import type {
  CimdExecutor,
  DesiredClientPolicy,
  DesiredClientProfile,
  DesiredKeycloak,
  DesiredRealm,
  SecureRedirectUrisEnforcer,
} from '../desired/keycloak';
import { compareVersions } from './version';

/** First Keycloak release with the #49456 fix (secure-redirect-uris-enforcer applied to CIMD clients). */
export const KC49456_FIXED_IN = '26.7.0';

/** Policies that match CIMD clients: a positive `client-id-uri` condition. */
export function cimdPolicies(realm: DesiredRealm): DesiredClientPolicy[] {
  return realm.clientPolicies.filter((p) =>
    p.conditions.some((c) => c.condition === 'client-id-uri' && !c.configuration['is-negative-logic']),
  );
}

/** Policies that match public clients: a positive `client-access-type` condition including `public`. */
export function publicClientPolicies(realm: DesiredRealm): DesiredClientPolicy[] {
  return realm.clientPolicies.filter((p) =>
    p.conditions.some(
      (c) => c.condition === 'client-access-type' && !c.configuration['is-negative-logic'] && c.configuration.type.includes('public'),
    ),
  );
}

export function profileNamed(realm: DesiredRealm, name: string): DesiredClientProfile | undefined {
  return realm.clientProfiles.find((p) => p.name === name);
}

export function redirectEnforcerOf(profile: DesiredClientProfile | undefined): SecureRedirectUrisEnforcer | undefined {
  return profile?.executors.find((e): e is SecureRedirectUrisEnforcer => e.executor === 'secure-redirect-uris-enforcer');
}

export function cimdExecutorsOf(profile: DesiredClientProfile | undefined): CimdExecutor[] {
  return profile?.executors.filter((e): e is CimdExecutor => e.executor === 'client-id-metadata-document') ?? [];
}

export interface Kc49456Resolution {
  mode: 'auto' | 'on' | 'off';
  /** Whether keygate adds the public-client profiles to the CIMD policies. */
  active: boolean;
  reason: string;
  /** Profile references keygate adds to CIMD policies because the workaround is active. */
  additions: Array<{ policy: string; profile: string }>;
}

/**
 * keycloak/keycloak#49456: on Keycloak < 26.7.0 the secure-redirect-uris-enforcer is not applied to
 * CIMD public clients during the authorization request, because `client-access-type` abstains on
 * PRE_AUTHORIZATION_REQUEST. The workaround (seed article, step 7) puts the OAuth 2.1 public-client
 * profile into the CIMD policy too, whose `client-id-uri` condition does vote on that event.
 * https://github.com/keycloak/keycloak/issues/49456
 */
export function resolveKc49456(keycloak: DesiredKeycloak): Kc49456Resolution {
  const mode = keycloak.realm.workarounds.kc49456;
  const affected = compareVersions(keycloak.version, KC49456_FIXED_IN) < 0;
  const active = mode === 'on' || (mode === 'auto' && affected);
  const reason =
    mode === 'auto'
      ? affected
        ? `auto: Keycloak ${keycloak.version} is older than ${KC49456_FIXED_IN}`
        : `auto: Keycloak ${keycloak.version} has the fix (${KC49456_FIXED_IN} or newer)`
      : `${mode}: set in the document`;
  const additions: Kc49456Resolution['additions'] = [];
  if (active) {
    const realm = keycloak.realm;
    const redirectProfiles = unique(
      publicClientPolicies(realm).flatMap((p) => p.profiles.filter((name) => redirectEnforcerOf(profileNamed(realm, name)))),
    );
    for (const policy of cimdPolicies(realm)) {
      for (const profile of redirectProfiles) {
        if (!policy.profiles.includes(profile)) additions.push({ policy: policy.name, profile });
      }
    }
  }
  return { mode, active, reason, additions };
}

/** Profiles a policy uses once the workaround (if active) has been applied. */
export function effectivePolicyProfiles(policy: DesiredClientPolicy, resolution: Kc49456Resolution): string[] {
  return [...policy.profiles, ...resolution.additions.filter((a) => a.policy === policy.name).map((a) => a.profile)];
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
