import {
  cimdExecutorsOf,
  cimdPolicies,
  effectivePolicyProfiles,
  KC49456_FIXED_IN,
  profileNamed,
  publicClientPolicies,
  redirectEnforcerOf,
  resolveKc49456,
} from '../keycloak/analysis';
import { resourceBinding } from '../keycloak/audience-binding';
import { isBuiltinProfile } from '../keycloak/builtins';
import { compareVersions } from '../keycloak/version';
import { DEFAULT_ADMIN_URL } from '../desired/keycloak';
import { loopbackRedirect } from './cimd-rules';
import type { Rule } from './types';

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

export const keycloakRules: Rule[] = [
  {
    id: 'audience-mapper-not-allowed',
    severity: 'error',
    summary: "An audience mapper's audience is not among the gateway's allowed audiences.",
    check(d, report) {
      const allowed = d.gateway.authorizer.allowedAudiences;
      // With resource indicators the resource client's audience is replaced by the resource in every bound token.
      const bound = resourceBinding(d.keycloak.realm)?.clientId;
      d.keycloak.realm.clientScopes.forEach((s, i) => {
        const audience = s.audienceMapper?.audience;
        if (audience !== undefined && audience !== bound && allowed.length > 0 && !allowed.includes(audience)) {
          report(['keycloak', 'realm', 'clientScopes', i, 'audienceMapper', 'audience'], `"${audience}" is not in gateway.authorizer.allowedAudiences (${allowed.join(', ')}): the gateway would reject every token`, `set the mapper audience to one of ${allowed.map((a) => `"${a}"`).join(', ')}, or add "${audience}" to gateway.authorizer.allowedAudiences`);
        }
      });
    },
  },
  {
    id: 'scope-not-defined',
    severity: 'error',
    summary: 'A gateway allowed scope is not a client scope declared in the realm.',
    check(d, report) {
      const names = new Set(d.keycloak.realm.clientScopes.map((s) => s.name));
      d.gateway.authorizer.allowedScopes.forEach((scope, i) => {
        if (!names.has(scope)) report(['gateway', 'authorizer', 'allowedScopes', i], `"${scope}" is not a client scope of realm ${d.keycloak.realm.name}: no token can carry it`, `declare it under keycloak.realm.clientScopes (name: "${scope}", includeInTokenScope: true)`);
      });
    },
  },
  {
    id: 'scope-not-in-token',
    severity: 'error',
    summary: 'A gateway allowed scope is declared without "include in token scope", so the `scope` claim lacks it.',
    check(d, report) {
      const allowed = new Set(d.gateway.authorizer.allowedScopes);
      d.keycloak.realm.clientScopes.forEach((s, i) => {
        if (allowed.has(s.name) && !s.includeInTokenScope) {
          report(['keycloak', 'realm', 'clientScopes', i, 'includeInTokenScope'], `is off for "${s.name}", which the gateway requires: the access token's scope claim will not contain it`, 'set includeInTokenScope: true');
        }
      });
    },
  },
  {
    id: 'policy-profile-unknown',
    severity: 'error',
    summary: 'A client policy references a profile that is neither declared nor a Keycloak built-in.',
    check(d, report) {
      const realm = d.keycloak.realm;
      realm.clientPolicies.forEach((p, i) => {
        p.profiles.forEach((name, j) => {
          if (!profileNamed(realm, name) && !isBuiltinProfile(name)) {
            report(['keycloak', 'realm', 'clientPolicies', i, 'profiles', j], `profile "${name}" is neither declared in keycloak.realm.clientProfiles nor a Keycloak built-in profile: Keycloak rejects the policy`, 'declare the profile, or fix the name');
          }
        });
      });
    },
  },
  {
    id: 'profile-name-builtin',
    severity: 'error',
    summary: 'A declared client profile reuses the name of a Keycloak built-in profile (Keycloak rejects it).',
    check(d, report) {
      d.keycloak.realm.clientProfiles.forEach((p, i) => {
        if (isBuiltinProfile(p.name)) report(['keycloak', 'realm', 'clientProfiles', i, 'name'], `"${p.name}" is a Keycloak built-in profile name`, `copy it under a new name, for example "${p.name}-custom"`);
      });
    },
  },
  {
    id: 'keycloak-name-duplicate',
    severity: 'error',
    summary: 'A user, client scope, client profile or client policy name is declared twice.',
    check(d, report) {
      const realm = d.keycloak.realm;
      const lists: Array<[string, Array<{ name?: string; username?: string }>]> = [
        ['users', realm.users],
        ['clientScopes', realm.clientScopes],
        ['clientProfiles', realm.clientProfiles],
        ['clientPolicies', realm.clientPolicies],
      ];
      for (const [key, items] of lists) {
        const seen = new Set<string>();
        items.forEach((item, i) => {
          const name = (item.name ?? item.username)!;
          if (seen.has(name)) report(['keycloak', 'realm', key, i], `"${name}" is declared twice in ${key}`, 'keep one entry per name');
          seen.add(name);
        });
      }
    },
  },
  {
    id: 'kc49456-workaround-missing',
    severity: 'error',
    summary: 'Keycloak older than 26.7.0 without the #49456 workaround: CIMD clients escape the redirect URI checks.',
    check(d, report) {
      const kc = d.keycloak;
      if (compareVersions(kc.version, KC49456_FIXED_IN) >= 0) return;
      const realm = kc.realm;
      const resolution = resolveKc49456(kc);
      cimdPolicies(realm).forEach((policy) => {
        const i = realm.clientPolicies.indexOf(policy);
        const enforced = effectivePolicyProfiles(policy, resolution).some((name) => redirectEnforcerOf(profileNamed(realm, name)));
        if (enforced) return;
        const publicProfiles = publicClientPolicies(realm).flatMap((p) => p.profiles).filter((n) => redirectEnforcerOf(profileNamed(realm, n)));
        if (publicProfiles.length && !resolution.active) {
          report(['keycloak', 'realm', 'workarounds', 'kc49456'], `is "${resolution.mode}" on Keycloak ${kc.version}: CIMD clients matched by policy "${policy.name}" bypass secure-redirect-uris-enforcer (keycloak/keycloak#49456)`, 'set workarounds.kc49456 to auto or on, or add the public-client profile to the CIMD policy yourself');
        } else {
          report(['keycloak', 'realm', 'clientPolicies', i, 'profiles'], `CIMD policy "${policy.name}" gets no secure-redirect-uris-enforcer on Keycloak ${kc.version} (keycloak/keycloak#49456), and no public-client policy provides one to add`, 'declare an OAuth 2.1 public-client profile with secure-redirect-uris-enforcer and a client-access-type public policy using it');
        }
      });
    },
  },
  {
    id: 'cimd-profile-order',
    severity: 'error',
    summary: 'A CIMD policy lists a profile with secure-redirect-uris-enforcer before its CIMD profile: a first CIMD login fails with "Invalid parameter: clientId".',
    check(d, report) {
      const realm = d.keycloak.realm;
      cimdPolicies(realm).forEach((policy) => {
        const i = realm.clientPolicies.indexOf(policy);
        const cimdAt = policy.profiles.findIndex((name) => cimdExecutorsOf(profileNamed(realm, name)).length > 0);
        const enforcerAt = policy.profiles.findIndex((name) => redirectEnforcerOf(profileNamed(realm, name)));
        if (cimdAt < 0 || enforcerAt < 0 || enforcerAt > cimdAt) return;
        // Profiles run in list order; the enforcer looks the client up, which the CIMD executor has not created yet
        // (observed on 26.7.3: keycloak-real/cimd-behaviour.test.ts).
        report(
          ['keycloak', 'realm', 'clientPolicies', i, 'profiles'],
          `policy "${policy.name}" runs "${policy.profiles[enforcerAt]}" (secure-redirect-uris-enforcer) before "${policy.profiles[cimdAt]}" (client-id-metadata-document): the enforcer looks for a client the CIMD executor has not created yet, and a first CIMD login fails with "Invalid parameter: clientId"`,
          `list "${policy.profiles[cimdAt]}" first: [${[policy.profiles[cimdAt], ...policy.profiles.filter((_, k) => k !== cimdAt)].map((n) => `"${n}"`).join(', ')}]`,
        );
      });
    },
  },
  {
    id: 'http-scheme-allowed',
    severity: 'warning',
    summary: 'An executor or condition allows the http scheme (development only).',
    check(d, report) {
      const realm = d.keycloak.realm;
      const httpLoopbackCallback = (d.cimd?.document.redirect_uris ?? []).some((uri) => loopbackRedirect(uri)?.scheme === 'http');
      realm.clientProfiles.forEach((p, i) => {
        p.executors.forEach((e, j) => {
          const base = ['keycloak', 'realm', 'clientProfiles', i, 'executors', j, 'configuration'];
          if (e.executor === 'client-id-metadata-document' && e.configuration['cimd-allow-http-scheme']) {
            report([...base, 'cimd-allow-http-scheme'], `profile "${p.name}" accepts http client_id and metadata URLs`, 'turn it off outside development: CIMD documents must be served over https');
          }
          // An http loopback callback is accepted only with allow-http-scheme (observed on 26.7.3): needed
          // while the CIMD document calls back on http loopback, so no warning then.
          if (e.executor === 'secure-redirect-uris-enforcer' && e.configuration['allow-http-scheme'] && !httpLoopbackCallback) {
            report([...base, 'allow-http-scheme'], `profile "${p.name}" accepts http redirect URIs, and no declared redirect URI needs it`, 'turn it off unless a client calls back on http loopback (http://127.0.0.1/…): only such a callback needs it, since allow-ipv4-loopback-address / allow-ipv6-loopback-address do not cover http');
          }
        });
      });
      realm.clientPolicies.forEach((p, i) => {
        p.conditions.forEach((c, j) => {
          if (c.condition === 'client-id-uri' && c.configuration['client-id-uri-scheme'].includes('http')) {
            report(['keycloak', 'realm', 'clientPolicies', i, 'conditions', j, 'configuration', 'client-id-uri-scheme'], `policy "${p.name}" matches http client_id URLs`, 'use ["https"] outside development');
          }
        });
      });
    },
  },
  {
    id: 'kcadm-unsupported',
    severity: 'error',
    summary: '`keycloak.admin.kcadm` is set: not supported yet, keygate reaches Keycloak through the loopback admin URL (`keycloak.admin.url`) only.',
    check(d, report) {
      // Refused here, before anything runs: the realm step would otherwise stop with
      // KeycloakAdminAccessUnsupportedError only after the gateway and its targets exist.
      if (d.keycloak.admin.kcadm !== undefined) {
        report(['keycloak', 'admin', 'kcadm'], 'is not supported yet: the realm reconciler reaches Keycloak only through the admin REST API on the host\'s loopback, never through kcadm.sh (docker exec)', `remove keycloak.admin.kcadm and set keycloak.admin.url to the loopback admin URL (default ${DEFAULT_ADMIN_URL}); for Keycloak in Docker, publish its port on the host loopback (docker run -p 127.0.0.1:8080:8080 …)`);
      }
    },
  },
  {
    id: 'keycloak-admin-access',
    severity: 'error',
    summary: "Keycloak's admin URL (`keycloak.admin.url`) is not a loopback address.",
    check(d, report) {
      const url = d.keycloak.admin.url;
      if (url === undefined) return;
      let host: string | undefined;
      try {
        host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      } catch {
        host = undefined;
      }
      if (!host || !['127.0.0.1', 'localhost', '::1'].includes(host)) {
        report(['keycloak', 'admin', 'url'], `"${url}" is not a loopback URL: keygate reaches the admin API on the host only, never over the network`, 'use http://127.0.0.1:<port> (the port Keycloak listens on inside the host)');
      }
    },
  },
  {
    id: 'instance-id-invalid',
    severity: 'error',
    summary: 'keycloak.instanceId is not an EC2 instance id.',
    check(d, report) {
      if (!INSTANCE_ID.test(d.keycloak.instanceId)) report(['keycloak', 'instanceId'], `"${d.keycloak.instanceId}" is not an EC2 instance id`, 'use the id of the host that runs Keycloak, i- followed by 8 or 17 hex digits');
    },
  },
];
