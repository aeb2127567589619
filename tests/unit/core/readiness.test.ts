import { gatewayReadiness, ssmCommandReadiness, targetReadiness } from '../../../functions/core/readiness';

describe('readiness', () => {
  it.each([
    ['READY', 'ready'],
    ['CREATING', 'pending'],
    ['UPDATING', 'pending'],
    ['FAILED', 'failed'],
    ['UPDATE_UNSUCCESSFUL', 'failed'],
    ['DELETING', 'failed'],
    ['SOMETHING_NEW', 'failed'],
    [undefined, 'failed'],
  ])('gateway %s → %s', (status, state) => {
    expect(gatewayReadiness(status).state).toBe(state);
  });

  it('carries the status reasons of a failed gateway, and names an unknown status', () => {
    expect(gatewayReadiness('FAILED', ['Role validation failed'])).toEqual({ state: 'failed', status: 'FAILED', reasons: ['Role validation failed'] });
    expect(gatewayReadiness('PAUSED')).toEqual({ state: 'failed', status: 'PAUSED', reasons: ['unknown status PAUSED'] });
  });

  it.each([
    ['READY', 'ready'],
    ['CREATING', 'pending'],
    ['UPDATING', 'pending'],
    ['SYNCHRONIZING', 'pending'],
    ['FAILED', 'failed'],
    ['UPDATE_UNSUCCESSFUL', 'failed'],
    ['SYNCHRONIZE_UNSUCCESSFUL', 'failed'],
    ['CREATE_PENDING_AUTH', 'needs-consent'],
    ['UPDATE_PENDING_AUTH', 'needs-consent'],
    ['SYNCHRONIZE_PENDING_AUTH', 'needs-consent'],
    ['MYSTERY', 'failed'],
  ])('target %s → %s', (status, state) => {
    expect(targetReadiness(status).state).toBe(state);
  });

  it('hands the consent URL of a PENDING_AUTH target through', () => {
    expect(targetReadiness('CREATE_PENDING_AUTH', [], 'https://idp.example.com/authorize?x=1')).toEqual({
      state: 'needs-consent',
      status: 'CREATE_PENDING_AUTH',
      authorizationUrl: 'https://idp.example.com/authorize?x=1',
    });
  });

  it.each([
    ['Success', 'ready'],
    ['Pending', 'pending'],
    ['InProgress', 'pending'],
    ['Delayed', 'pending'],
    ['InvocationDoesNotExist', 'pending'],
    ['Failed', 'failed'],
    ['TimedOut', 'failed'],
    ['Cancelled', 'failed'],
    ['Cancelling', 'failed'],
    ['Weird', 'failed'],
  ])('SSM command %s → %s', (status, state) => {
    expect(ssmCommandReadiness(status).state).toBe(state);
  });
});
