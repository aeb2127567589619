import { renderCreateTarget } from '../../../../functions/core/gateway/render-gateway';
import { planTarget, targetType, type ObservedTarget } from '../../../../functions/core/gateway/plan-target';
import { seedDesired, seedWith } from '../../../support/seed';

const GATEWAY = 'mcp-gateway-keycloak-demo-abcdefghij';

function observedFrom(desired = seedDesired().targets[0]!, extra: Record<string, unknown> = {}): ObservedTarget {
  const { clientToken: _t, gatewayIdentifier: _g, ...body } = renderCreateTarget(desired, { gatewayId: GATEWAY, clientToken: 'x'.repeat(40) });
  return {
    ...body,
    gatewayArn: `arn:aws:bedrock-agentcore:eu-central-1:111122223333:gateway/${GATEWAY}`,
    targetId: 'ABCDEFGHIJ',
    status: 'READY',
    credentialProviderConfigurations: [],
    privateEndpointManagedResources: [{ domain: 'mcp-server.agentcore-keycloak-example.com', resourceGatewayArn: 'arn:aws:vpc-lattice:x' }],
    lastSynchronizedAt: '2026-11-21T10:00:00.000Z',
    protocolType: 'MCP',
    ...extra,
  } as ObservedTarget;
}

describe('planTarget', () => {
  it('creates a missing target in the gateway (by id)', () => {
    expect(planTarget({ desired: seedDesired().targets[0]!, gatewayId: GATEWAY })).toMatchObject({
      action: 'create',
      after: { gatewayIdentifier: GATEWAY, name: 'my-mcp-server', targetConfiguration: { mcp: { mcpServer: { endpoint: 'https://mcp-server.agentcore-keycloak-example.com/mcp' } } } },
    });
  });

  it('is a noop for the target it created, server-added fields included', () => {
    expect(planTarget({ desired: seedDesired().targets[0]!, gatewayId: GATEWAY, observed: observedFrom() })).toMatchObject({ action: 'noop', targetId: 'ABCDEFGHIJ' });
  });

  it('treats an absent listing mode as the DEFAULT the document declares', () => {
    const observed = observedFrom() as any;
    delete observed.targetConfiguration.mcp.mcpServer.listingMode;
    expect(planTarget({ desired: seedDesired().targets[0]!, gatewayId: GATEWAY, observed }).action).toBe('noop');
  });

  it('updates a changed endpoint, carrying over what keygate does not set', () => {
    const observed = observedFrom(undefined, { metadataConfiguration: { allowedRequestHeaders: ['x-tenant'] } }) as any;
    observed.targetConfiguration.mcp.mcpServer.resourcePriority = 10;
    const desired = seedWith((raw) => (raw.targets[0].endpoint = 'https://mcp-server-2.agentcore-keycloak-example.com/mcp')).targets[0]!;
    expect(planTarget({ desired, gatewayId: GATEWAY, observed })).toMatchObject({
      action: 'update',
      reason: 'differs',
      fields: [{ field: 'targets[my-mcp-server].endpoint' }],
      after: {
        gatewayIdentifier: GATEWAY,
        targetId: 'ABCDEFGHIJ',
        name: 'my-mcp-server',
        metadataConfiguration: { allowedRequestHeaders: ['x-tenant'] },
        targetConfiguration: { mcp: { mcpServer: { endpoint: 'https://mcp-server-2.agentcore-keycloak-example.com/mcp', resourcePriority: 10, listingMode: 'DEFAULT' } } },
      },
    });
  });

  it('re-applies a FAILED target', () => {
    expect(planTarget({ desired: seedDesired().targets[0]!, gatewayId: GATEWAY, observed: observedFrom(undefined, { status: 'FAILED', statusReasons: ['no tools'] }) })).toMatchObject({ action: 'update', reason: 'failed-status' });
  });

  it('leaves a target waiting for consent alone when it matches', () => {
    expect(planTarget({ desired: seedDesired().targets[0]!, gatewayId: GATEWAY, observed: observedFrom(undefined, { status: 'CREATE_PENDING_AUTH' }) }).action).toBe('noop');
  });

  it('refuses a same-named target of another type, naming it', () => {
    const observed = observedFrom(undefined, { targetConfiguration: { mcp: { lambda: { lambdaArn: 'arn:aws:lambda:x' } } } });
    expect(targetType(observed as never)).toBe('mcp.lambda');
    expect(() => planTarget({ desired: seedDesired().targets[0]!, gatewayId: GATEWAY, observed })).toThrow(
      expect.objectContaining({ name: 'GatewayImmutableFieldError', field: 'targets[my-mcp-server] target type' }),
    );
  });
});
