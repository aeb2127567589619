import { GatewayNotReadyError, GatewayTargetNotReadyError } from '../../../../functions/core/errors';
import { planAwsDrift, type AwsReadings } from '../../../../functions/core/drift/observations';
import { OWNER_TAG_KEY } from '../../../../functions/core/gateway/plan-gateway';
import { renderCreateTarget, renderGatewayBody } from '../../../../functions/core/gateway/render-gateway';
import { buildResourcePolicy } from '../../../../functions/core/policy/render-resource-policy';
import { seedDesired, seedWith } from '../../../support/seed';

// The AWS side of a drift run, planned with the provisioning planners from what was read.

const ROLE = 'arn:aws:iam::111122223333:role/keygate-dev-GatewayRole';
const STACK = { roleArn: ROLE, owner: 'keygate-dev' };
const ARN = 'arn:aws:bedrock-agentcore:ap-northeast-1:111122223333:gateway/gw-0123456789';
const VPCE = ['vpce-0a1b2c3d4e5f60718'];
const desired = seedDesired();

/** What AgentCore returns for a gateway and target created exactly as the document says. */
function converged(): AwsReadings {
  const gateway = { ...renderGatewayBody(desired.gateway, { roleArn: ROLE }), gatewayId: 'gw-0123456789', gatewayArn: ARN, gatewayUrl: 'https://gw/mcp', status: 'READY' };
  const { clientToken: _t, gatewayIdentifier: _g, ...target } = renderCreateTarget(desired.targets[0]!, { gatewayId: 'gw-0123456789', clientToken: 'x' });
  return {
    gateway: { gateway, tags: { [OWNER_TAG_KEY]: 'keygate-dev' } },
    targets: [{ name: 'my-mcp-server', observed: { ...target, targetId: 'T1', status: 'READY' } }],
    otherTargets: [],
    policy: { text: JSON.stringify(buildResourcePolicy(ARN, VPCE)), vpcEndpointIds: VPCE },
  };
}

describe('planAwsDrift', () => {
  it('plans nothing for what provisioning created', () => {
    // Act
    const o = planAwsDrift(desired, STACK, converged());
    // Assess
    expect([o.gateway.change.action, ...o.targets.map((t) => t.change.action), o.resourcePolicy.change?.action]).toEqual(['noop', 'noop', 'noop']);
    expect(o.gateway).toMatchObject({ gatewayId: 'gw-0123456789', gatewayArn: ARN, gatewayUrl: 'https://gw/mcp', status: 'READY' });
  });

  it('keeps only the differing fields, never the request bodies', () => {
    const read = converged();
    (read.gateway!.gateway as Record<string, any>).authorizerConfiguration.customJWTAuthorizer.allowedAudience = ['account'];
    const o = planAwsDrift(desired, STACK, read);
    expect(o.gateway.change).toEqual({ action: 'update', reason: 'differs', fields: [{ field: 'gateway.authorizer.allowedAudiences', expected: ['mcp-gateway-demo'], actual: ['account'] }] });
    expect(JSON.stringify(o)).not.toContain('"after"');
  });

  it('without a gateway: the gateway, every declared target and the policy are missing', () => {
    const o = planAwsDrift(desired, STACK, { targets: [{ name: 'my-mcp-server' }], otherTargets: [] });
    expect(o.gateway).toMatchObject({ gatewayId: null, change: { action: 'create', reason: 'missing' } });
    expect(o.targets).toEqual([{ name: 'my-mcp-server', targetId: null, status: null, change: { action: 'create', reason: 'missing', fields: [] } }]);
    expect(o.resourcePolicy).toMatchObject({ managed: true, change: { action: 'create', fields: [{ field: 'policy', actual: null }] } });
  });

  it('does not read or judge the policy when the document has no resourcePolicy section', () => {
    const o = planAwsDrift(seedWith((raw) => delete raw.resourcePolicy), STACK, { ...converged(), policy: undefined } as never);
    expect(o.resourcePolicy).toEqual({ managed: false, vpcEndpointIds: [], change: null });
  });

  it('lists targets the document does not declare', () => {
    const o = planAwsDrift(desired, STACK, { ...converged(), otherTargets: [{ name: 'legacy', targetId: 'T9', status: 'READY' }] });
    expect(o.unmanagedTargets).toEqual([{ name: 'legacy', targetId: 'T9', status: 'READY' }]);
  });

  it('a gateway or target in the middle of a change is observed again later (retryable NotReady)', () => {
    const updating = converged();
    updating.gateway!.gateway.status = 'UPDATING';
    expect(() => planAwsDrift(desired, STACK, updating)).toThrow(GatewayNotReadyError);
    const creating = converged();
    creating.targets[0]!.observed!.status = 'CREATING';
    expect(() => planAwsDrift(desired, STACK, creating)).toThrow(GatewayTargetNotReadyError);
  });

  it('a gateway or target being deleted (out of band) is observed again later, not reported as a failed status to update', () => {
    const deleting = converged();
    deleting.gateway!.gateway.status = 'DELETING';
    expect(() => planAwsDrift(desired, STACK, deleting)).toThrow(GatewayNotReadyError);
    const targetDeleting = converged();
    targetDeleting.targets[0]!.observed!.status = 'DELETING';
    expect(() => planAwsDrift(desired, STACK, targetDeleting)).toThrow(GatewayTargetNotReadyError);
  });
});
