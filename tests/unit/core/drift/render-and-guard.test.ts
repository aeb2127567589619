import { DRIFT_LEASE_SECONDS, DRIFT_RUN_TIMEOUT_SECONDS, leaseFor, leaseHolder, skippedReport } from '../../../../functions/core/drift/guard';
import { causeText, driftMetricValues } from '../../../../functions/core/drift/metrics';
import { driftSubject, MAX_SUBJECT_LENGTH, renderDriftReport, showValue } from '../../../../functions/core/drift/render';
import { DRIFT_REPORT_FORMAT, type DriftReport } from '../../../../functions/core/drift/report';
import { loadAsl } from '../../../support/asl';
import { seedDesired } from '../../../support/seed';

const report = (over: Partial<DriftReport> = {}): DriftReport => ({
  format: DRIFT_REPORT_FORMAT,
  gateway: 'mcp-gateway-keycloak-demo',
  realm: 'mcp-demo',
  mode: 'repair',
  outcome: 'repaired',
  items: [
    {
      id: 'keycloak/client-policy/p#enabled',
      area: 'keycloak',
      resource: 'keycloak/client-policy/p',
      field: 'enabled',
      expected: true,
      actual: false,
      change: { action: 'update', kind: 'client-policy', name: 'p', reason: 'differs', via: 'the realm reconciler', summary: '~ client policy p: enabled false → true' },
    },
  ],
  unmanaged: [{ area: 'gateway-target', resource: 'gateway-target/legacy', note: 'not declared' }],
  notObserved: [{ area: 'cimd', reason: 'not wired' }],
  counts: { drift: 1, repaired: 1, unmanaged: 1 },
  ...over,
});

describe('renderDriftReport', () => {
  it('prints each item with expected, found and the repair, then the unmanaged ones and the verdict', () => {
    expect(renderDriftReport(report({ executionId: 'arn:…:drift-1', observedAt: '2026-11-21T10:00:00.000Z' }))).toBe(
      [
        'keygate drift report: gateway mcp-gateway-keycloak-demo, realm mcp-demo, mode repair',
        'execution arn:…:drift-1 at 2026-11-21T10:00:00.000Z',
        '',
        'DRIFT  keycloak/client-policy/p  enabled',
        '       expected  true',
        '       found     false',
        '       repair    ~ client policy p: enabled false → true via the realm reconciler',
        'UNMANAGED  gateway-target/legacy  not declared',
        'NOT OBSERVED  cimd: not wired',
        '',
        'Result: drift found and repaired (observed again: no drift left) (1 drift item, 1 repaired, 1 unmanaged)',
        '',
      ].join('\n'),
    );
  });

  it('names a failed repair with its error and cause', () => {
    const text = renderDriftReport(report({ outcome: 'repair-failed', failure: { error: 'GatewayNotConvergedError', cause: 'gateway gw-1: gateway.authorizer.allowedAudiences' } }));
    expect(text).toContain('FAILED  GatewayNotConvergedError: gateway gw-1: gateway.authorizer.allowedAudiences\n');
    expect(text).toContain('Result: drift found; the repair FAILED');
  });

  it('cuts long values and shows absent ones', () => {
    expect(showValue('x'.repeat(500))).toHaveLength(240);
    expect([showValue(null), showValue(undefined), showValue(['a'])]).toEqual(['(none)', '(absent)', '["a"]']);
  });
});

describe('driftSubject', () => {
  it('is short, one line, ASCII, and says what happened', () => {
    expect(driftSubject(report())).toBe('keygate drift: 1 item repaired on mcp-gateway-keycloak-demo');
    expect(driftSubject(report({ outcome: 'drift', counts: { drift: 3, repaired: 0, unmanaged: 0 } }))).toBe('keygate drift: 3 items drifted on mcp-gateway-keycloak-demo');
    expect(driftSubject(report({ outcome: 'needs-provisioning' }))).toBe('keygate drift: gateway mcp-gateway-keycloak-demo missing, run provisioning');
    const long = driftSubject(report({ gateway: `gw-${'é'.repeat(120)}` }));
    expect(long.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(long).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('metrics', () => {
  it('every observed run emits all four values', () => {
    expect(driftMetricValues(report())).toEqual({ DriftItems: 1, RepairedItems: 1, UnmanagedItems: 1, RepairFailed: 0 });
    expect(driftMetricValues(report({ outcome: 'repair-failed', counts: { drift: 1, repaired: 0, unmanaged: 0 } }))).toEqual({ DriftItems: 1, RepairedItems: 0, UnmanagedItems: 0, RepairFailed: 1 });
  });

  it.each([
    ['{"errorType":"GatewayNotConvergedError","errorMessage":"gateway gw-1: x"}', 'gateway gw-1: x'],
    [JSON.stringify({ Error: 'KeycloakRealmNotConvergedError', Cause: '{"errorType":"KeycloakRealmNotConvergedError","errorMessage":"client policy p (enabled)"}' }), 'KeycloakRealmNotConvergedError: client policy p (enabled)'],
    ['plain text', 'plain text'],
    [undefined, ''],
  ])('causeText(%s)', (cause, text) => {
    expect(causeText(cause)).toBe(text);
  });
});

describe('the drift lease', () => {
  it('expires after the run timeout plus a margin, in ISO UTC and epoch seconds', () => {
    const lease = leaseFor('arn:x:execution:drift:1', new Date('2026-11-21T10:00:00Z'));
    const expires = Date.parse('2026-11-21T10:00:00Z') + DRIFT_LEASE_SECONDS * 1000;
    expect(DRIFT_LEASE_SECONDS).toBe(DRIFT_RUN_TIMEOUT_SECONDS + 300);
    expect(lease).toEqual({ lockId: 'drift', owner: 'arn:x:execution:drift:1', acquiredAt: '2026-11-21T10:00:00.000Z', expiresAt: new Date(expires).toISOString(), expiresAtEpoch: expires / 1000 });
  });

  it('outlasts the state machine TimeoutSeconds (a timed-out run runs no Catch and cannot release)', () => {
    expect(loadAsl('drift.asl.json')).toMatchObject({ TimeoutSeconds: DRIFT_RUN_TIMEOUT_SECONDS });
    expect(DRIFT_LEASE_SECONDS).toBeGreaterThan(DRIFT_RUN_TIMEOUT_SECONDS);
  });

  it('names the holder of a lease by its execution ARN', () => {
    expect(leaseHolder({ owner: 'arn:aws:states:ap-northeast-1:111122223333:execution:keygate-dev-DriftStateMachine:run-1', acquiredAt: '2026-11-21T10:00:00.000Z' })).toEqual({ stateMachine: 'keygate-dev-DriftStateMachine', name: 'run-1', startDate: '2026-11-21T10:00:00.000Z' });
  });

  it('a skipped run reports what it yielded to and nothing else', () => {
    const running = [{ stateMachine: 'keygate-dev-ProvisionStateMachine', name: 'p-1', startDate: '2026-11-21T10:00:00.000Z' }];
    expect(skippedReport(seedDesired(), 'repair', 'skipped: provisioning in progress', running)).toMatchObject({ outcome: 'skipped: provisioning in progress', items: [], unmanaged: [], running, counts: { drift: 0 } });
  });
});
