import { DriftInputError, DriftNotRepairedError } from '../../../../functions/core/errors';
import type { AwsObservation, RealmObservation } from '../../../../functions/core/drift/observations';
import { confirmRepaired, driftMode, mergeDriftReport, RUN_PROVISIONING, type Observed } from '../../../../functions/core/drift/report';
import type { RealmChange } from '../../../../functions/core/keycloak/plan-realm';
import { seedDesired, seedWith } from '../../../support/seed';

const noop = { action: 'noop' as const, reason: 'in-sync', fields: [] };
const aws = (over: Partial<AwsObservation> = {}): AwsObservation => ({
  gateway: { name: 'mcp-gateway-keycloak-demo', gatewayId: 'gw-0123456789', gatewayArn: 'arn:aws:bedrock-agentcore:ap-northeast-1:111122223333:gateway/gw-0123456789', gatewayUrl: 'https://gw.example/mcp', status: 'READY', change: noop },
  targets: [{ name: 'my-mcp-server', targetId: 'T1', status: 'READY', change: noop }],
  unmanagedTargets: [],
  resourcePolicy: { managed: true, vpcEndpointIds: ['vpce-0a1b2c3d4e5f60718'], change: noop },
  ...over,
});
const realm = (changes: RealmChange[] = [], unmanaged = { clientProfiles: [] as string[], clientPolicies: [] as string[] }): RealmObservation => ({
  realm: 'mcp-demo',
  outcome: changes.length ? 'drift' : 'converged',
  changeCount: changes.length,
  summary: [],
  changes,
  unmanaged,
});
const observed = (a = aws(), r = realm()): Observed => ({ aws: a, realm: r, cimd: { observed: false, reason: 'not wired' } });
const disabledPolicy: RealmChange = { action: 'update', kind: 'client-policy', name: 'oauth-2-1-public-client-policy', before: {}, after: {}, reason: 'differs', diff: [{ field: 'enabled', expected: true, actual: false }] };

describe('mergeDriftReport', () => {
  it('a clean system: no items, next is clean, nothing to repair', () => {
    // Act
    const merged = mergeDriftReport(seedDesired(), 'repair', observed());
    // Assess
    expect(merged).toMatchObject({ next: 'clean', repair: { aws: false, keycloak: false, cimd: false, targets: [] }, gatewayUrl: 'https://gw.example/mcp' });
    expect(merged.report).toMatchObject({ outcome: 'clean', items: [], counts: { drift: 0, repaired: 0, unmanaged: 0 }, notObserved: [{ area: 'cimd', reason: 'not wired' }] });
  });

  it('one item per differing field, with a stable id and the change that repairs it', () => {
    const a = aws({ gateway: { ...aws().gateway, change: { action: 'update', reason: 'differs', fields: [{ field: 'gateway.authorizer.allowedAudiences', expected: ['a'], actual: ['a', 'b'] }, { field: 'gateway.roleArn', expected: 'r1', actual: 'r2' }] } } });
    const { report } = mergeDriftReport(seedDesired(), 'report', observed(a));
    expect(report.items).toEqual([
      {
        id: 'gateway/mcp-gateway-keycloak-demo#gateway.authorizer.allowedAudiences',
        area: 'gateway',
        resource: 'gateway/mcp-gateway-keycloak-demo',
        field: 'gateway.authorizer.allowedAudiences',
        expected: ['a'],
        actual: ['a', 'b'],
        change: { action: 'update', kind: 'gateway', name: 'mcp-gateway-keycloak-demo', reason: 'differs', via: 'UpdateGateway (Ensure Gateway)', summary: 'update gateway mcp-gateway-keycloak-demo (differs)' },
      },
      expect.objectContaining({ id: 'gateway/mcp-gateway-keycloak-demo#gateway.roleArn' }),
    ]);
  });

  it('a missing resource is one item on (exists); a failed status is one item on status', () => {
    const a = aws({
      targets: [{ name: 'my-mcp-server', targetId: null, status: null, change: { action: 'create', reason: 'missing', fields: [] } }],
      gateway: { ...aws().gateway, status: 'FAILED', change: { action: 'update', reason: 'failed-status', fields: [] } },
    });
    const items = mergeDriftReport(seedDesired(), 'report', observed(a)).report.items;
    expect(items.map((i) => [i.resource, i.field, i.expected, i.actual, i.change.via])).toEqual([
      ['gateway/mcp-gateway-keycloak-demo', 'status', 'READY', 'FAILED', 'UpdateGateway (Ensure Gateway)'],
      ['gateway-target/my-mcp-server', '(exists)', true, false, 'CreateGatewayTarget (Ensure Gateway Target)'],
    ]);
  });

  it('report mode never asks for a repair; repair mode repairs only the areas that drifted, and only the drifted targets', () => {
    const desired = seedWith((raw) => raw.targets.push({ ...raw.targets[0], name: 'second', endpoint: 'https://second.example/mcp' }));
    const a = aws({ targets: [{ name: 'my-mcp-server', targetId: 'T1', status: 'READY', change: noop }, { name: 'second', targetId: 'T2', status: 'READY', change: { action: 'update', reason: 'differs', fields: [{ field: 'targets[second].endpoint', expected: 'x', actual: 'y' }] } }] });
    expect(mergeDriftReport(desired, 'report', observed(a)).next).toBe('report');
    const merged = mergeDriftReport(desired, 'repair', observed(a));
    expect(merged.next).toBe('repair');
    expect(merged.repair).toMatchObject({ aws: true, keycloak: false });
    expect(merged.repair.targets.map((t) => t.name)).toEqual(['second']);
    expect(mergeDriftReport(desired, 'repair', observed(aws(), realm([disabledPolicy]))).repair).toMatchObject({ aws: false, keycloak: true, targets: [] });
  });

  it('realm changes become items per diff field, worded like the reconciler; a password reset on every run is not drift', () => {
    const reset: RealmChange = { action: 'update', kind: 'user-password', name: 'alice', before: null, after: { passwordParameter: '/p' }, reason: 'reset-requested' };
    const missingMapper: RealmChange = { action: 'create', kind: 'audience-mapper', name: 'mcp:tools/aud', before: null, after: { name: 'aud', config: { 'included.custom.audience': 'x', 'access.token.claim': 'true' } }, reason: 'missing' };
    const { report, next } = mergeDriftReport(seedDesired(), 'report', observed(aws(), realm([disabledPolicy, reset, missingMapper])));
    expect(next).toBe('report');
    expect(report.items.map((i) => [i.resource, i.field, i.expected, i.actual, i.change.summary])).toEqual([
      ['keycloak/client-policy/oauth-2-1-public-client-policy', 'enabled', true, false, '~ client policy oauth-2-1-public-client-policy: enabled false → true'],
      ['keycloak/audience-mapper/mcp:tools/aud', '(exists)', true, false, '+ audience mapper aud on client scope mcp:tools: aud "x" in access token'],
    ]);
  });

  it('lists undeclared targets and other teams\' profiles and policies as unmanaged, never as drift', () => {
    const a = aws({ unmanagedTargets: [{ name: 'legacy-tools', targetId: 'T9', status: 'READY' }] });
    const { report, next } = mergeDriftReport(seedDesired(), 'repair', observed(a, realm([], { clientProfiles: ['team-profile'], clientPolicies: ['team-policy'] })));
    expect(next).toBe('clean');
    expect(report.unmanaged.map((u) => [u.area, u.resource])).toEqual([
      ['gateway-target', 'gateway-target/legacy-tools'],
      ['keycloak', 'keycloak/client-profile/team-profile'],
      ['keycloak', 'keycloak/client-policy/team-policy'],
    ]);
    expect(report.counts).toEqual({ drift: 0, repaired: 0, unmanaged: 3 });
  });

  it('takes CIMD drift from publish-cimd-document in observe mode once the join point is wired', () => {
    const url = 'https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json';
    const cimd = { outcome: 'drifted' as const, url, destination: 'host i-0123456789abcdef0:/opt/cimd/public/oauth/client-metadata.json', plan: { action: 'update' as const, reason: 'differs', fields: [{ field: 'redirect_uris', expected: ['a'], actual: ['b'] }] } };
    const merged = mergeDriftReport(seedDesired(), 'repair', { aws: aws(), realm: realm(), cimd });
    expect(merged.report.items.map((i) => [i.area, i.resource, i.field, i.change.via])).toEqual([['cimd', `cimd/${url}`, 'redirect_uris', `Publish CIMD Document (publish-cimd-document) to ${cimd.destination}`]]);
    expect(merged.report.notObserved).toEqual([]);
    expect(merged.repair.cimd).toBe(true);
    const skipped = mergeDriftReport(seedDesired(), 'repair', { aws: aws(), realm: realm(), cimd: { outcome: 'skipped', reason: 'cimd.publish is absent' } });
    expect(skipped).toMatchObject({ next: 'clean', report: { items: [], notObserved: [{ area: 'cimd', reason: 'cimd.publish is absent' }] } });
  });
});

describe('a missing gateway (never provisioned, or torn down)', () => {
  const missing = aws({
    gateway: { name: 'mcp-gateway-keycloak-demo', gatewayId: null, gatewayArn: null, gatewayUrl: null, status: null, change: { action: 'create', reason: 'missing', fields: [] } },
    targets: [{ name: 'my-mcp-server', targetId: null, status: null, change: { action: 'create', reason: 'missing', fields: [] } }],
    resourcePolicy: { managed: true, vpcEndpointIds: [], change: { action: 'create', reason: 'missing', fields: [{ field: 'policy', expected: '(the VPC endpoint policy, once the gateway exists)', actual: null }] } },
  });

  it.each(['report', 'repair'] as const)('%s mode: one item telling to run provisioning, no AWS repair, outcome needs-provisioning', (mode) => {
    // Act
    const merged = mergeDriftReport(seedDesired(), mode, observed(missing));
    // Assess
    expect(merged.report.items).toEqual([
      {
        id: 'gateway/mcp-gateway-keycloak-demo#(exists)',
        area: 'gateway',
        resource: 'gateway/mcp-gateway-keycloak-demo',
        field: '(exists)',
        expected: true,
        actual: null,
        change: { action: 'create', kind: 'gateway', name: 'mcp-gateway-keycloak-demo', reason: 'missing', via: 'provisioning (drift repair never creates a gateway)', summary: RUN_PROVISIONING, by: 'provisioning' },
      },
    ]);
    expect(merged).toMatchObject({ next: 'report', repair: { aws: false, keycloak: false, cimd: false, targets: [] }, report: { outcome: 'needs-provisioning', counts: { drift: 1, repaired: 0 } } });
  });

  it('repair mode still repairs the realm; after it, only the missing gateway may remain', () => {
    // Prepare
    const merged = mergeDriftReport(seedDesired(), 'repair', observed(missing, realm([disabledPolicy])));
    expect(merged).toMatchObject({ next: 'repair', repair: { aws: false, keycloak: true, targets: [] } });
    // Act
    const confirmed = confirmRepaired(merged.report, mergeDriftReport(seedDesired(), 'repair', observed(missing)));
    // Assess
    expect(confirmed).toMatchObject({ outcome: 'needs-provisioning', counts: { drift: 2, repaired: 1 } });
    expect(() => confirmRepaired(merged.report, mergeDriftReport(seedDesired(), 'repair', observed(missing, realm([disabledPolicy]))))).toThrow(/^drift remains after repair \(1 item\): keycloak\/client-policy/);
  });
});

describe('confirmRepaired', () => {
  const before = mergeDriftReport(seedDesired(), 'repair', observed(aws(), realm([disabledPolicy]))).report;

  it('an empty plan after the repair: the first report, marked repaired, with the count', () => {
    expect(confirmRepaired(before, mergeDriftReport(seedDesired(), 'repair', observed()))).toMatchObject({ outcome: 'repaired', counts: { drift: 1, repaired: 1 }, items: before.items });
  });

  it('anything left fails naming resource, field, expected and found', () => {
    const after = mergeDriftReport(seedDesired(), 'repair', observed(aws(), realm([disabledPolicy])));
    expect(() => confirmRepaired(before, after)).toThrow(DriftNotRepairedError);
    expect(() => confirmRepaired(before, after)).toThrow(/^drift remains after repair \(1 item\): keycloak\/client-policy\/oauth-2-1-public-client-policy enabled: expected true, found false\. /);
  });
});

describe('driftMode', () => {
  it.each([
    [{}, 'repair'],
    [undefined, 'repair'],
    [{ mode: 'report' }, 'report'],
    [{ mode: 'repair' }, 'repair'],
    [{ trigger: 'schedule' }, 'repair'],
  ])('%j with drift.mode repair → %s', (request, mode) => {
    expect(driftMode(request, seedDesired())).toBe(mode);
  });

  it('refuses anything else, naming the field and the choices', () => {
    expect(() => driftMode({ mode: 'REPAIR' }, seedDesired())).toThrow(DriftInputError);
    expect(() => driftMode({ mode: 1 }, seedDesired())).toThrow('mode: 1 is not a drift mode: pass "report" (list drift only) or "repair" (apply and re-verify), or leave it out to use drift.mode from the document');
  });
});
