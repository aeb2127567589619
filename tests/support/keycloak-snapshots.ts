import type { DesiredState } from '../../functions/core/desired/document';
import { renderCanaryClient } from '../../functions/core/keycloak/render-client';
import { renderRealmState } from '../../functions/core/keycloak/render-realm';
import { emptyRealmSnapshot, type ObservedRealm, type Ownership } from '../../functions/core/keycloak/snapshot';

/** A deterministic id per object, so that tests can name them. */
export const idOf = (kind: string, name: string) => `${kind}-${name.replace(/[^a-z0-9]+/gi, '-')}`;

/**
 * The snapshot of a realm where keygate created everything the document declares and nothing else
 * changed: what the observe step reads right after a converging apply.
 */
export function convergedSnapshot(desired: DesiredState, edit: (s: ObservedRealm) => void = () => undefined): ObservedRealm {
  const kc = desired.keycloak;
  const rendered = renderRealmState(kc);
  const snapshot = emptyRealmSnapshot(kc.realm.name, true);
  snapshot.server.discoveryRealm = kc.realm.name;
  snapshot.exists = true;
  snapshot.enabled = true;
  snapshot.users = rendered.users.map(({ user }) => ({ ...user, id: idOf('user', user.username) }));
  snapshot.clientScopes = rendered.clientScopes.map(({ scope, audienceMapper }) => ({
    ...scope,
    id: idOf('scope', scope.name),
    protocolMappers: audienceMapper ? [{ ...audienceMapper, id: idOf('mapper', audienceMapper.name) }] : [],
  }));
  snapshot.realmDefaultClientScopes = ['acr', 'basic', 'email', 'profile', 'roles', 'web-origins', ...rendered.clientScopes.filter((s) => s.type === 'default').map((s) => s.scope.name)];
  snapshot.realmOptionalClientScopes = ['address', 'microprofile-jwt', 'offline_access', 'phone', ...rendered.clientScopes.filter((s) => s.type === 'optional').map((s) => s.scope.name)];
  snapshot.clientProfiles = structuredClone(rendered.clientProfiles.profiles) as unknown as ObservedRealm['clientProfiles'];
  snapshot.clientPolicies = structuredClone(rendered.clientPolicies.policies) as unknown as ObservedRealm['clientPolicies'];
  const canary = kc.realm.canaryClient;
  if (canary) {
    const { defaultClientScopes, name, description, ...flags } = renderCanaryClient(canary, desired.gateway.authorizer.allowedScopes);
    snapshot.clients = [{ ...flags, id: idOf('client', canary.clientId), defaultClientScopes: ['acr', 'basic', ...defaultClientScopes], optionalClientScopes: ['address'] }];
  }
  snapshot.ownership = ownershipOf(desired);
  edit(snapshot);
  return snapshot;
}

/** The ownership record keygate writes after creating everything the document declares. */
export function ownershipOf(desired: DesiredState): Ownership {
  const realm = desired.keycloak.realm;
  return {
    v: 1,
    realmCreated: true,
    users: realm.users.map((u) => ({ name: u.username, id: idOf('user', u.username) })).sort((a, b) => a.name.localeCompare(b.name)),
    clientScopes: realm.clientScopes.map((s) => ({ name: s.name, id: idOf('scope', s.name) })).sort((a, b) => a.name.localeCompare(b.name)),
    audienceMappers: realm.clientScopes.flatMap((s) => (s.audienceMapper ? [{ scope: s.name, name: s.audienceMapper.name, id: idOf('mapper', s.audienceMapper.name) }] : [])),
    clientProfiles: realm.clientProfiles.map((p) => p.name).sort(),
    clientPolicies: realm.clientPolicies.map((p) => p.name).sort(),
    clients: realm.canaryClient ? [{ name: realm.canaryClient.clientId, id: idOf('client', realm.canaryClient.clientId) }] : [],
  };
}
