import { renderCreateGateway } from '../../../../functions/core/gateway/render-gateway';
import { gatewayRoleArn, OWNER_TAG_KEY, planGateway, type ObservedGateway } from '../../../../functions/core/gateway/plan-gateway';
import { buildOfflinePlan } from '../../../../functions/core/plan/offline-plan';
import { seedDesired, seedWith } from '../../../support/seed';

const ROLE = 'arn:aws:iam::111122223333:role/keygate-dev-GatewayRole-ABC';
const OWNER = 'keygate-dev';
const OWNED = { 'managed-by': 'keygate', [OWNER_TAG_KEY]: OWNER };

/** What GetGateway returns for a gateway created from `desired`: the request plus the server's fields. */
function observedFrom(desired = seedDesired().gateway, extra: Record<string, unknown> = {}): ObservedGateway {
  const { clientToken: _t, tags: _tags, ...body } = renderCreateGateway(desired, { roleArn: ROLE, clientToken: 'x'.repeat(40), owner: 'keygate-dev' });
  return {
    ...body,
    gatewayId: 'mcp-gateway-keycloak-demo-abcdefghij',
    gatewayArn: 'arn:aws:bedrock-agentcore:eu-central-1:111122223333:gateway/mcp-gateway-keycloak-demo-abcdefghij',
    gatewayUrl: 'https://mcp-gateway-keycloak-demo-abcdefghij.gateway.bedrock-agentcore.eu-central-1.amazonaws.com/mcp',
    status: 'READY',
    workloadIdentityDetails: { workloadIdentityArn: 'arn:aws:bedrock-agentcore:eu-central-1:111122223333:workload-identity-directory/default/workload-identity/x' },
    ...extra,
  } as ObservedGateway;
}

describe('planGateway', () => {
  it('creates a missing gateway, tagged with the owner', () => {
    const plan = planGateway({ desired: seedDesired().gateway, roleArn: ROLE, owner: OWNER });
    expect(plan).toMatchObject({ action: 'create', reason: 'missing', after: { name: 'mcp-gateway-keycloak-demo', roleArn: ROLE, tags: OWNED } });
  });

  it('is a noop for the gateway it created, server-added fields included', () => {
    const plan = planGateway({ desired: seedDesired().gateway, roleArn: ROLE, owner: OWNER, observed: { gateway: observedFrom(), tags: OWNED } });
    expect(plan).toEqual({ action: 'noop', kind: 'gateway', name: 'mcp-gateway-keycloak-demo', reason: 'in-sync', gatewayId: 'mcp-gateway-keycloak-demo-abcdefghij' });
  });

  it.each([
    ['a repeated audience', (o: any) => (o.authorizerConfiguration.customJWTAuthorizer.allowedAudience = ['mcp-gateway-demo', 'mcp-gateway-demo'])],
    ['empty client list sent as absent', (o: any) => (o.authorizerConfiguration.customJWTAuthorizer.allowedClients = [])],
    ['the default IP address type left out', (o: any) => delete o.authorizerConfiguration.customJWTAuthorizer.privateEndpoint.managedVpcResource.endpointIpAddressType],
    ['a description set in the console while the document declares none', (o: any) => (o.description = 'set in the console')],
    ['a server default protocol configuration', (o: any) => (o.protocolConfiguration = { mcp: { supportedVersions: ['2025-06-18'] } })],
    ['an unmanaged authorizer member', (o: any) => (o.authorizerConfiguration.customJWTAuthorizer.advertisedScopeMapping = { 'mcp:tools': 'tools' })],
  ])('normalizes %s: no change', (_name, edit) => {
    const desired = seedWith((raw) => delete raw.gateway.description).gateway;
    const observed = observedFrom(desired);
    edit(observed);
    expect(planGateway({ desired, roleArn: ROLE, owner: OWNER, observed: { gateway: observed, tags: OWNED } }).action).toBe('noop');
  });

  it('compares subnets, security groups and scopes as sets', () => {
    const desired = seedWith((raw) => {
      raw.gateway.authorizer.privateEndpoint.managedVpcResource.subnetIds = ['subnet-a1', 'subnet-b2'];
      raw.gateway.authorizer.privateEndpoint.managedVpcResource.securityGroupIds = ['sg-1', 'sg-2'];
    }).gateway;
    const observed = observedFrom(desired) as any;
    observed.authorizerConfiguration.customJWTAuthorizer.privateEndpoint.managedVpcResource.subnetIds = ['subnet-b2', 'subnet-a1'];
    observed.authorizerConfiguration.customJWTAuthorizer.privateEndpoint.managedVpcResource.securityGroupIds = ['sg-2', 'sg-1'];
    expect(planGateway({ desired, roleArn: ROLE, owner: OWNER, observed: { gateway: observed, tags: OWNED } }).action).toBe('noop');
    observed.authorizerConfiguration.customJWTAuthorizer.privateEndpoint.managedVpcResource.securityGroupIds = ['sg-2'];
    expect(planGateway({ desired, roleArn: ROLE, owner: OWNER, observed: { gateway: observed, tags: OWNED } })).toMatchObject({ action: 'update', fields: [{ field: 'gateway.authorizer.privateEndpoint' }] });
  });

  it('updates a changed audience list with the complete document, keeping unmanaged members', () => {
    const unmanaged = { kmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/k', wafConfiguration: { failureMode: 'FAIL_OPEN' }, customTransformConfiguration: { lambda: { arn: 'arn:aws:lambda:eu-central-1:111122223333:function:t' } } };
    const observed = observedFrom(seedDesired().gateway, { ...unmanaged, protocolConfiguration: { mcp: { supportedVersions: ['2025-06-18'] } } });
    (observed as any).authorizerConfiguration.customJWTAuthorizer.advertisedScopeMapping = { 'mcp:tools': 'tools' };
    const desired = seedWith((raw) => (raw.gateway.authorizer.allowedAudiences = ['mcp-gateway-demo', 'other'])).gateway;
    const plan = planGateway({ desired, roleArn: ROLE, owner: OWNER, observed: { gateway: observed, tags: OWNED } });
    expect(plan).toMatchObject({
      action: 'update',
      reason: 'differs',
      fields: [{ field: 'gateway.authorizer.allowedAudiences', expected: ['mcp-gateway-demo', 'other'], actual: ['mcp-gateway-demo'] }],
      after: {
        gatewayIdentifier: 'mcp-gateway-keycloak-demo-abcdefghij',
        name: 'mcp-gateway-keycloak-demo',
        roleArn: ROLE,
        ...unmanaged,
        protocolConfiguration: { mcp: { supportedVersions: ['2025-06-18'] } },
        authorizerConfiguration: { customJWTAuthorizer: { allowedAudience: ['mcp-gateway-demo', 'other'], advertisedScopeMapping: { 'mcp:tools': 'tools' } } },
      },
    });
    expect(plan.action === 'update' && 'clientToken' in plan.after).toBe(false);
  });

  it('names every differing field in document terms', () => {
    const observed = observedFrom(seedDesired().gateway, { roleArn: 'arn:aws:iam::111122223333:role/old', description: 'old words' });
    (observed as any).authorizerConfiguration.customJWTAuthorizer.discoveryUrl = 'https://old.example.com/realms/x/.well-known/openid-configuration';
    const plan = planGateway({ desired: seedDesired().gateway, roleArn: ROLE, owner: OWNER, observed: { gateway: observed, tags: OWNED } });
    expect(plan.action === 'update' && plan.fields.map((f) => f.field)).toEqual(['gateway.roleArn', 'gateway.authorizer.discoveryUrl', 'gateway.description']);
  });

  it('re-applies the document to a FAILED gateway even without a difference', () => {
    const plan = planGateway({ desired: seedDesired().gateway, roleArn: ROLE, owner: OWNER, observed: { gateway: observedFrom(undefined, { status: 'UPDATE_UNSUCCESSFUL' }), tags: OWNED } });
    expect(plan).toMatchObject({ action: 'update', reason: 'failed-status', fields: [] });
  });

  it('refuses a gateway without this stack as owner', () => {
    expect(() => planGateway({ desired: seedDesired().gateway, roleArn: ROLE, owner: OWNER, observed: { gateway: observedFrom(), tags: { 'managed-by': 'keygate' } } })).toThrow(
      expect.objectContaining({ name: 'GatewayNotOwnedError', message: expect.stringContaining('keygate:owner=keygate-dev') }),
    );
  });

  it('refuses an authorizer type change naming the field, or replaces when allowed', () => {
    const observed = observedFrom(undefined, { authorizerType: 'AWS_IAM' });
    expect(() => planGateway({ desired: seedDesired().gateway, roleArn: ROLE, owner: OWNER, observed: { gateway: observed, tags: OWNED } })).toThrow(
      expect.objectContaining({ name: 'GatewayImmutableFieldError', field: 'gateway.authorizer.type', message: expect.stringContaining('gateway.allowReplacement') }),
    );
    const allowed = seedWith((raw) => (raw.gateway.allowReplacement = true)).gateway;
    expect(planGateway({ desired: allowed, roleArn: ROLE, owner: OWNER, observed: { gateway: observed, tags: OWNED } })).toMatchObject({ action: 'replace', gatewayId: observed.gatewayId });
  });

  it('treats an owned gateway under another name as a rename (immutable name)', () => {
    const renamedFrom = { gatewayId: 'old-name-0123456789', name: 'old-name' };
    expect(() => planGateway({ desired: seedDesired().gateway, roleArn: ROLE, owner: OWNER, renamedFrom })).toThrow(expect.objectContaining({ field: 'gateway.name' }));
    const allowed = seedWith((raw) => (raw.gateway.allowReplacement = true)).gateway;
    expect(planGateway({ desired: allowed, roleArn: ROLE, owner: OWNER, renamedFrom })).toMatchObject({ action: 'replace', gatewayId: 'old-name-0123456789', fields: [{ field: 'gateway.name' }] });
  });
});

describe('gatewayRoleArn', () => {
  it('uses the stack role, and refuses a document role the stack may not pass', () => {
    expect(gatewayRoleArn({}, ROLE)).toBe(ROLE);
    expect(gatewayRoleArn({ roleArn: ROLE }, ROLE)).toBe(ROLE);
    expect(() => gatewayRoleArn({ roleArn: 'arn:aws:iam::111122223333:role/other' }, ROLE)).toThrow(expect.objectContaining({ name: 'GatewayRoleMismatchError', message: expect.stringContaining('gateway.roleArn') }));
  });
});

describe('the offline plan (keygate plan)', () => {
  it('shows the CreateGateway request a deployment sends: the same members and tag keys, the owner known at deploy', () => {
    const desired = seedDesired();
    const live = planGateway({ desired: desired.gateway, roleArn: ROLE, owner: OWNER });
    const offline = buildOfflinePlan({ ...desired, gateway: { ...desired.gateway, roleArn: ROLE } }, []).gateway.request;
    expect(live.action).toBe('create');
    const { clientToken: _token, tags, ...body } = offline;
    if (live.action !== 'create') throw new Error(`expected a create, got ${live.action}`);
    const after = live.after as unknown as Record<string, unknown> & { tags: Record<string, string> };
    expect(body).toEqual(Object.fromEntries(Object.entries(after).filter(([k]) => k !== 'tags')));
    expect(Object.keys(tags!).sort()).toEqual(Object.keys(after.tags).sort());
    expect(tags).toMatchObject({ 'managed-by': 'keygate', [OWNER_TAG_KEY]: expect.stringContaining('stack name') });
  });
});
