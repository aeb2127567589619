import { planGatewayDeletion, planTargetDeletion } from '../../../../functions/core/gateway/plan-deletion';
import { confirmStillReady, gatewayWaitStep, summarizeProvisioning, targetWaitStep, waitDeadline, type TargetOutcome } from '../../../../functions/core/gateway/provisioning';
import { asSet, diffFields, normalizeCustomClaims, normalizePrivateEndpoint } from '../../../../functions/core/gateway/normalize';

const NOW = new Date('2026-11-21T10:00:00.000Z');

describe('gatewayWaitStep', () => {
  it('returns on READY and retries while CREATING or UPDATING', () => {
    expect(gatewayWaitStep({ status: 'READY' }, { gatewayId: 'gw', now: NOW })).toEqual({ status: 'READY' });
    expect(() => gatewayWaitStep({ status: 'CREATING' }, { gatewayId: 'gw', now: NOW })).toThrow(expect.objectContaining({ name: 'GatewayNotReadyError', status: 'CREATING' }));
    expect(() => gatewayWaitStep({ status: 'UPDATING' }, { gatewayId: 'gw', now: NOW })).toThrow(expect.objectContaining({ name: 'GatewayNotReadyError' }));
  });

  it('fails with the status reasons, on an unknown status, and when the gateway is gone', () => {
    expect(() => gatewayWaitStep({ status: 'FAILED', statusReasons: ['Role validation failed'] }, { gatewayId: 'gw', now: NOW })).toThrow(
      expect.objectContaining({ name: 'GatewayFailedError', reasons: ['Role validation failed'], message: expect.stringContaining('Role validation failed') }),
    );
    expect(() => gatewayWaitStep({ status: 'PAUSED' }, { gatewayId: 'gw', now: NOW })).toThrow(expect.objectContaining({ name: 'GatewayFailedError', message: expect.stringContaining('unknown status PAUSED') }));
    expect(() => gatewayWaitStep(undefined, { gatewayId: 'gw', now: NOW })).toThrow(expect.objectContaining({ name: 'GatewayFailedError' }));
  });

  it('stops a pending wait past its deadline with a terminal timeout', () => {
    const deadline = waitDeadline(NOW, 600);
    expect(deadline).toBe('2026-11-21T10:10:00.000Z');
    expect(() => gatewayWaitStep({ status: 'CREATING' }, { gatewayId: 'gw', deadline, now: new Date('2026-11-21T10:10:01Z') })).toThrow(
      expect.objectContaining({ name: 'GatewayWaitTimeoutError', message: expect.stringContaining('readyTimeoutSeconds') }),
    );
  });
});

describe('targetWaitStep', () => {
  const ctx = { name: 'tools', targetId: 'ABCDEFGHIJ', action: 'created' as const, now: NOW };
  it('maps every status through the one readiness vocabulary', () => {
    expect(targetWaitStep({ status: 'READY' }, ctx)).toEqual({ name: 'tools', targetId: 'ABCDEFGHIJ', status: 'READY', action: 'created', outcome: 'ready' });
    expect(targetWaitStep({ status: 'UPDATE_PENDING_AUTH', authorizationData: { oauth2: { authorizationUrl: 'https://idp/auth' } } }, ctx)).toMatchObject({ outcome: 'needs-consent', authorizationUrl: 'https://idp/auth' });
    for (const status of ['CREATING', 'UPDATING', 'SYNCHRONIZING']) expect(() => targetWaitStep({ status }, ctx)).toThrow(expect.objectContaining({ name: 'GatewayTargetNotReadyError' }));
    for (const status of ['FAILED', 'UPDATE_UNSUCCESSFUL', 'SYNCHRONIZE_UNSUCCESSFUL', 'NEW_STATUS']) {
      expect(() => targetWaitStep({ status, statusReasons: ['why'] }, ctx)).toThrow(expect.objectContaining({ name: 'GatewayTargetFailedError', message: expect.stringContaining('why') }));
    }
  });
});

describe('summarizeProvisioning', () => {
  const gateway = { gatewayId: 'gw-0123456789', gatewayArn: 'arn:gw', gatewayUrl: 'https://gw/mcp', action: 'created' as const };
  const ready: TargetOutcome = { name: 'a', targetId: 'AAAAAAAAAA', status: 'READY', action: 'created', outcome: 'ready' };
  it('reports converged with the issue-shaped result', () => {
    expect(summarizeProvisioning(gateway, [ready])).toEqual({
      outcome: 'converged',
      result: { gatewayId: 'gw-0123456789', gatewayArn: 'arn:gw', gatewayUrl: 'https://gw/mcp', action: 'created', targets: [{ name: 'a', targetId: 'AAAAAAAAAA', status: 'READY', action: 'created' }] },
    });
  });
  it('reports needs-consent with what to do', () => {
    const waiting: TargetOutcome = { ...ready, name: 'b', status: 'CREATE_PENDING_AUTH', outcome: 'needs-consent', authorizationUrl: 'https://idp/authorize' };
    expect(summarizeProvisioning(gateway, [ready, waiting])).toMatchObject({ outcome: 'needs-consent', message: expect.stringMatching(/target b .*CREATE_PENDING_AUTH.*https:\/\/idp\/authorize.*run provisioning again/) });
  });
});

describe('deletion planning', () => {
  it('never deletes a target that is still being created, and treats absent as done', () => {
    expect(planTargetDeletion(undefined)).toBe('absent');
    expect(planTargetDeletion({ name: 't', status: 'DELETING' })).toBe('deleting');
    expect(planTargetDeletion({ name: 't', status: 'FAILED' })).toBe('delete');
    expect(() => planTargetDeletion({ name: 't', status: 'CREATING' })).toThrow(expect.objectContaining({ name: 'GatewayTargetNotReadyError' }));
  });

  it('never deletes a gateway with targets: teardown stops, a replacement deletes five at a time', () => {
    const targets = Array.from({ length: 7 }, (_, i) => ({ name: `t${i}`, targetId: `T${i}`, status: i === 0 ? 'CREATING' : 'READY' }));
    expect(planGatewayDeletion(undefined, [], { deleteAllTargets: false })).toEqual({ step: 'absent' });
    expect(planGatewayDeletion({ status: 'READY' }, [], { deleteAllTargets: false })).toEqual({ step: 'delete-gateway' });
    expect(() => planGatewayDeletion({ gatewayId: 'gw', status: 'READY' }, targets, { deleteAllTargets: false })).toThrow(expect.objectContaining({ name: 'GatewayHasTargetsError', targetNames: targets.map((t) => t.name) }));
    expect(planGatewayDeletion({ status: 'READY' }, targets, { deleteAllTargets: true })).toEqual({ step: 'delete-targets', targetIds: ['T1', 'T2', 'T3', 'T4'], remaining: 7 });
    expect(() => planGatewayDeletion({ gatewayId: 'gw', status: 'CREATING' }, [], { deleteAllTargets: false })).toThrow(expect.objectContaining({ name: 'GatewayNotReadyError' }));
  });
});

describe('normalizers', () => {
  it('turn lists without order into sets and fill defaults', () => {
    expect(asSet(['b', 'a', 'b'])).toEqual(['a', 'b']);
    expect(normalizePrivateEndpoint(undefined)).toBeNull();
    expect(normalizePrivateEndpoint({ managedVpcResource: { vpcIdentifier: 'v', subnetIds: ['2', '1'] } })).toEqual(
      normalizePrivateEndpoint({ managedVpcResource: { vpcIdentifier: 'v', subnetIds: ['1', '2'], endpointIpAddressType: 'IPV4', securityGroupIds: [] } }),
    );
    const claim = (list: string[]) => ({ inboundTokenClaimName: 'groups', inboundTokenClaimValueType: 'STRING_ARRAY', authorizingClaimMatchValue: { claimMatchOperator: 'CONTAINS_ANY', claimMatchValue: { matchValueStringList: list } } });
    expect(normalizeCustomClaims([claim(['b', 'a'])])).toEqual(normalizeCustomClaims([claim(['a', 'b'])]));
    expect(diffFields([{ field: 'x', read: (b) => asSet(b.x) }], { x: ['1'] }, { x: ['1', '2'] })).toEqual([{ field: 'x', expected: ['1'], actual: ['1', '2'] }]);
  });
});

describe('confirmStillReady (the last look before provisioning reports success)', () => {
  const ready = { status: 'READY' };
  const targets = (observed: Array<Record<string, unknown> | undefined>) => observed.map((o, i) => ({ name: `t${i + 1}`, targetId: `T${i + 1}`, observed: o as never }));

  it('confirms a READY gateway and READY targets, with their statuses', () => {
    expect(confirmStillReady({ gatewayId: 'gw', gateway: ready, targets: targets([ready, ready]) })).toEqual({
      gateway: { gatewayId: 'gw', status: 'READY' },
      targets: [{ name: 't1', targetId: 'T1', status: 'READY' }, { name: 't2', targetId: 'T2', status: 'READY' }],
    });
  });

  it('names every resource that failed, went away or waits for consent again after READY, with its status reasons', () => {
    // Act
    const run = () =>
      confirmStillReady({
        gatewayId: 'gw',
        gateway: { status: 'UPDATE_UNSUCCESSFUL', statusReasons: ['KMS key disabled'] },
        targets: targets([{ status: 'FAILED', statusReasons: ['tools/list timed out'] }, undefined, { status: 'UPDATE_PENDING_AUTH' }, { status: 'SYNCHRONIZING' }]),
      });
    // Assess
    expect(run).toThrow(
      expect.objectContaining({
        name: 'GatewayChangedAfterReadyError',
        changes: ['gateway gw is UPDATE_UNSUCCESSFUL: KMS key disabled', 'target t1 (T1) is FAILED: tools/list timed out', 'target t2 (T2) no longer exists', 'target t3 (T3) is UPDATE_PENDING_AUTH (it waits for OAuth consent again)'],
        message: expect.stringMatching(/^provisioning does not report success: after they were READY earlier in this run, gateway gw is .*\. Everything else of the run was applied\. Fix the cause the status reasons name, then run provisioning again/),
      }),
    );
  });

  it('looks again (retryable NotReady) at a resource in the middle of a change, and fails a missing gateway', () => {
    expect(() => confirmStillReady({ gatewayId: 'gw', gateway: { status: 'UPDATING' }, targets: targets([ready]) })).toThrow(expect.objectContaining({ name: 'GatewayNotReadyError', status: 'UPDATING' }));
    expect(() => confirmStillReady({ gatewayId: 'gw', gateway: ready, targets: targets([{ status: 'SYNCHRONIZING' }]) })).toThrow(expect.objectContaining({ name: 'GatewayTargetNotReadyError', status: 'SYNCHRONIZING' }));
    expect(() => confirmStillReady({ gatewayId: 'gw', gateway: undefined, targets: [] })).toThrow(expect.objectContaining({ name: 'GatewayChangedAfterReadyError', changes: ['gateway gw no longer exists'] }));
  });
});
