import { readFileSync, writeFileSync } from 'node:fs';
import type { DesiredState } from '../../functions/core/desired/document';
import type { KeycloakStandIn } from '../../emulators/keycloak';
import type { AnyWorld } from '../../emulators/world';
import { adminClient, type AdminClient } from '../../scripts/keycloak/admin-client';

/** Where an injected change lives (the drift report's areas, grouped as the rehearsal shows them). */
export type InjectionArea = 'aws' | 'keycloak' | 'cimd';

/**
 * One out-of-band change the rehearsal makes, as a person with console access would, and the drift
 * item (resource and field) detection must report for it.
 */
export interface DriftInjection {
  area: InjectionArea;
  /** What was done, in words. */
  description: string;
  resource: string;
  field: string;
  /** Verification checks this drift breaks while it is live (a report-mode run's verification fails on them). */
  breaks: string[];
  /** On the Keycloak stand-in it edits the realm's state; on a real Keycloak it goes through its admin API, as a console user would. */
  inject(world: AnyWorld): void | Promise<void>;
}

/**
 * Drift in every place keygate owns that the document declares: the gateway's authorizer, the first
 * target's endpoint, the resource policy, the first audience mapper and client policy of the realm,
 * and the published CIMD document. Places the document does not declare are left out (a document
 * without a resource policy gets no policy drift).
 *
 * @example
 * const injections = driftInjections(desired);
 * for (const i of injections) i.inject(world);
 */
export function driftInjections(desired: DesiredState): DriftInjection[] {
  const gateway = desired.gateway.name;
  const out: DriftInjection[] = [
    {
      area: 'aws',
      description: `gateway ${gateway}: Keycloak's default audience "account" added to the allowed audiences`,
      resource: `gateway/${gateway}`,
      field: 'gateway.authorizer.allowedAudiences',
      breaks: [],
      inject: (w) => {
        const live = gatewayOf(w, gateway);
        const config = structuredClone(live.authorizerConfiguration) as { customJWTAuthorizer: { allowedAudience?: string[] } };
        config.customJWTAuthorizer.allowedAudience = [...(config.customJWTAuthorizer.allowedAudience ?? []), 'account'];
        w.agentcore.editGateway(gateway, { authorizerConfiguration: config });
      },
    },
  ];
  const target = desired.targets[0];
  if (target) {
    out.push({
      area: 'aws',
      description: `target ${target.name}: endpoint pointed at another server`,
      resource: `gateway-target/${target.name}`,
      field: `targets[${target.name}].endpoint`,
      breaks: [],
      inject: (w) => {
        const live = gatewayOf(w, gateway).targets.find((t) => t.name === target.name)!;
        const config = structuredClone(live.targetConfiguration) as { mcp: { mcpServer: { endpoint: string } } };
        config.mcp.mcpServer.endpoint = 'https://mcp-server.elsewhere.example/mcp';
        w.agentcore.editTarget(gateway, target.name, { targetConfiguration: config });
      },
    });
  }
  if (desired.resourcePolicy) {
    out.push({
      area: 'aws',
      description: `resource policy of ${gateway} deleted`,
      resource: `resource-policy/${gateway}`,
      field: 'policy',
      breaks: [],
      inject: (w) => w.agentcore.setPolicy(gateway, undefined),
    });
  }
  const realm = desired.keycloak.realm;
  const scope = realm.clientScopes.find((s) => s.audienceMapper);
  if (scope?.audienceMapper) {
    const mapper = scope.audienceMapper.name;
    out.push({
      area: 'keycloak',
      description: `audience mapper ${mapper} on client scope ${scope.name}: audience changed to "someone-else"`,
      resource: `keycloak/audience-mapper/${scope.name}/${mapper}`,
      field: 'config.included.custom.audience',
      // The realm's tokens carry the mapper's audience (the stand-in's realm and a real Keycloak alike),
      // so the gateway refuses the canary token while this drift is live.
      breaks: ['mcp.tools-list', 'token.audience'],
      inject: async (w) => {
        const access = realmAccess(w);
        if ('standIn' in access) {
          const live = access.standIn.realm(realm.name)!.clientScopes.find((s) => s.name === scope.name)!;
          live.protocolMappers.find((m) => m.name === mapper)!.config['included.custom.audience'] = 'someone-else';
          return;
        }
        const base = `/admin/realms/${encodeURIComponent(realm.name)}`;
        const live = ((await access.admin.ok('GET', `${base}/client-scopes`)) as Array<{ id: string; name: string; protocolMappers?: Array<{ id: string; name: string; config: Record<string, string> }> }>).find((s) => s.name === scope.name)!;
        const model = live.protocolMappers!.find((m) => m.name === mapper)!;
        await access.admin.ok('PUT', `${base}/client-scopes/${live.id}/protocol-mappers/models/${model.id}`, { ...model, config: { ...model.config, 'included.custom.audience': 'someone-else' } });
      },
    });
  }
  const policy = realm.clientPolicies[0];
  if (policy) {
    out.push({
      area: 'keycloak',
      description: `client policy ${policy.name} disabled`,
      resource: `keycloak/client-policy/${policy.name}`,
      field: 'enabled',
      breaks: [],
      inject: async (w) => {
        const access = realmAccess(w);
        if ('standIn' in access) {
          access.standIn.realm(realm.name)!.policies.find((p) => p.name === policy.name)!.enabled = false;
          return;
        }
        const path = `/admin/realms/${encodeURIComponent(realm.name)}/client-policies/policies`;
        const { policies } = (await access.admin.ok('GET', path)) as { policies: Array<{ name: string }> };
        await access.admin.ok('PUT', path, { policies: policies.map((p) => (p.name === policy.name ? { ...p, enabled: false } : p)) });
      },
    });
  }
  const cimd = desired.cimd;
  const path = cimd?.publish && 'host' in cimd.publish ? cimd.publish.host?.path : undefined;
  if (cimd && path) {
    out.push({
      area: 'cimd',
      description: `CIMD document ${path} edited on the host: client_name changed`,
      resource: `cimd/${cimd.url}`,
      field: 'client_name',
      // The host serves the edited file: verification's served-copy check sees it.
      breaks: ['cimd.current'],
      inject: (w) => {
        const file = w.hostFile(path);
        writeFileSync(file, `${JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), client_name: 'Edited by hand' }, null, 2)}\n`);
      },
    });
  }
  return out;
}

/** The world's Keycloak: the stand-in (edited in place), or a real one (edited through its admin API). */
type RealmAccess = { standIn: KeycloakStandIn } | { admin: AdminClient };
function realmAccess(w: AnyWorld): RealmAccess {
  if ('realm' in w.keycloak) return { standIn: w.keycloak as unknown as KeycloakStandIn };
  const real = w.keycloakServer;
  if (!real) throw new TypeError('the world has neither the Keycloak stand-in nor a real Keycloak');
  return { admin: adminClient(real.url, real.admin) };
}

const gatewayOf = (w: AnyWorld, name: string) => {
  const live = w.agentcore.state().gateways.find((g) => g.name === name);
  if (!live) throw new Error(`gateway ${name} does not exist in the AgentCore emulator: provisioning must run first`);
  return live;
};

/** `resource field`, the identity of a drift item. */
export const itemKey = (i: { resource: string; field: string }) => `${i.resource} ${i.field}`;
