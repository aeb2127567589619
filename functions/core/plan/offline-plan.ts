import { renderCimdDocument } from '../cimd/render-cimd';
import type { DesiredCimd } from '../desired/cimd';
import type { DesiredState } from '../desired/document';
import { DEFAULT_ADMIN_URL } from '../desired/keycloak';
import { renderCreateGateway, renderCreateTarget } from '../gateway/render-gateway';
import type { CreateGatewayRequest, CreateGatewayTargetRequest } from '../gateway/wire';
import { renderRealmState, type RenderedRealm } from '../keycloak/render-realm';
import type { Finding } from '../lint';
import { renderResourcePolicyDocument, type PolicyDocument } from '../policy/render-resource-policy';

/** Values an offline plan cannot know; shown the way `terraform plan` shows "(known after apply)". */
export const KNOWN_LATER = {
  roleArn: '(known after deploy: the GatewayRole of the keygate stack)',
  gatewayId: '(known after CreateGateway)',
  gatewayArn: '(known after CreateGateway)',
  clientToken: '(derived from the request at apply time)',
  owner: '(the keygate stack name, known at deploy)',
  vpcEndpointId: (parameterName: string) => `(value of SSM parameter ${parameterName})`,
} as const;

export interface OfflinePlan {
  gateway: { action: 'create'; request: CreateGatewayRequest };
  targets: Array<{ name: string; action: 'create'; after: 'gateway READY'; request: CreateGatewayTargetRequest }>;
  resourcePolicy: null | {
    action: 'put';
    after: 'gateway READY';
    vpcEndpointSource: { parameterName: string } | { ids: string[] };
    rotationGracePeriodSeconds: number;
    policy: PolicyDocument;
  };
  keycloak: {
    instanceId: string;
    version: string;
    admin: { via: 'rest' | 'kcadm'; url: string; realm: string; username: string; passwordParameter: string };
  } & RenderedRealm;
  cimd: null | {
    url: string;
    document: Record<string, unknown>;
    bytes: number;
    publish: NonNullable<DesiredCimd['publish']> | null;
  };
  findings: Finding[];
}

/**
 * What keygate would create for this document against an empty account and an empty realm, with
 * the exact AgentCore wire fields and Keycloak admin REST bodies. Pure: no AWS, no Keycloak.
 */
export function buildOfflinePlan(desired: DesiredState, findings: Finding[]): OfflinePlan {
  const roleArn = desired.gateway.roleArn ?? KNOWN_LATER.roleArn;
  const source = desired.resourcePolicy?.vpcEndpoint;
  const admin = desired.keycloak.admin;
  return {
    gateway: { action: 'create', request: renderCreateGateway(desired.gateway, { roleArn, clientToken: KNOWN_LATER.clientToken, owner: KNOWN_LATER.owner }) },
    targets: desired.targets.map((t) => ({
      name: t.name,
      action: 'create',
      after: 'gateway READY',
      request: renderCreateTarget(t, { gatewayId: KNOWN_LATER.gatewayId, clientToken: KNOWN_LATER.clientToken }),
    })),
    resourcePolicy:
      desired.resourcePolicy && source
        ? {
            action: 'put',
            after: 'gateway READY',
            vpcEndpointSource: source.parameterName !== undefined ? { parameterName: source.parameterName } : { ids: [...(source.ids ?? [])] },
            rotationGracePeriodSeconds: desired.resourcePolicy.rotationGracePeriodSeconds,
            policy: renderResourcePolicyDocument(
              KNOWN_LATER.gatewayArn,
              source.parameterName !== undefined ? [KNOWN_LATER.vpcEndpointId(source.parameterName)] : (source.ids ?? []),
            ),
          }
        : null,
    keycloak: {
      instanceId: desired.keycloak.instanceId,
      version: desired.keycloak.version,
      admin: {
        via: admin.kcadm ? 'kcadm' : 'rest',
        url: admin.kcadm ? admin.kcadm.serverUrl : (admin.url ?? DEFAULT_ADMIN_URL),
        realm: admin.realm,
        username: admin.username,
        passwordParameter: admin.passwordParameter,
      },
      ...renderRealmState(desired.keycloak),
    },
    cimd: desired.cimd
      ? (() => {
          const rendered = renderCimdDocument(desired.cimd);
          return { url: desired.cimd.url, document: rendered.document, bytes: rendered.bytes, publish: desired.cimd.publish ?? null };
        })()
      : null,
    findings,
  };
}

export { DEFAULT_ADMIN_URL };
