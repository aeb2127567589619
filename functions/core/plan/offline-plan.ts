import { renderCimdDocument } from '../cimd/render-cimd';
import type { DesiredCimd } from '../desired/cimd';
import type { DesiredState } from '../desired/document';
import { DEFAULT_ADMIN_URL } from '../desired/keycloak';
import { renderCreateGateway, renderCreateTarget } from '../gateway/render-gateway';
import type { CreateGatewayRequest, CreateGatewayTargetRequest } from '../gateway/wire';
import { renderCanaryClient, type CanaryClientRepresentation } from '../keycloak/render-client';
import { renderRealmState, type RenderedRealm } from '../keycloak/render-realm';
import { OWNERSHIP_ATTRIBUTE } from '../keycloak/snapshot';
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
    /**
     * How an endpoint change is rolled out: with a parameter, keygate follows its changes and allows the
     * old and the new endpoint for the grace period; with literal ids there is no rotation (null): a
     * change of the ids is a deploy, and `rotationGracePeriodSeconds` does not apply.
     */
    rotation: null | { parameterName: string; gracePeriodSeconds: number };
    policy: PolicyDocument;
  };
  keycloak: {
    instanceId: string;
    version: string;
    admin: { via: 'rest' | 'kcadm'; url: string; realm: string; username: string; passwordParameter: string };
    /** keygate's canary client (verification's client-credentials client), when the document declares one. */
    canaryClient: null | { client: CanaryClientRepresentation; secret: { parameterName: string; set: 'at-creation' } };
    /** The realm attribute recording what keygate created (it deletes nothing else; docs/MANAGED.md). */
    ownershipRecord: { attribute: typeof OWNERSHIP_ATTRIBUTE };
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
  const canary = desired.keycloak.realm.canaryClient;
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
            rotation: source.parameterName !== undefined ? { parameterName: source.parameterName, gracePeriodSeconds: desired.resourcePolicy.rotationGracePeriodSeconds } : null,
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
      canaryClient: canary ? { client: renderCanaryClient(canary, desired.gateway.authorizer.allowedScopes), secret: { parameterName: canary.secretParameter, set: 'at-creation' } } : null,
      ownershipRecord: { attribute: OWNERSHIP_ATTRIBUTE },
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
