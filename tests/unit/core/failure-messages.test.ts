import { KeycloakChangeFailedError, KeycloakUnreachableError, SsmCommandFailedError } from '../../../functions/core/errors';
import { hostErrorToKeycloakError } from '../../../functions/core/keycloak/host-outcome';

// Failures say what really happened: which resource, what was already applied (and that the last write
// may have landed when its answer was lost), what the next run does, and the fix. The fault campaign
// (npm run chaos) checks the same on every failed run.

const place = { instanceId: 'i-0123456789abcdef0', realm: 'mcp-demo' };
const URL = 'http://127.0.0.1:8080';

describe('KeycloakUnreachableError', () => {
  it('before any write: nothing was changed, and what the next run does', () => {
    const e = hostErrorToKeycloakError({ ok: false, done: 2, applied: 0, writes: 11, error: { kind: 'unreachable', message: 'GET …/realms: [Errno 111] Connection refused' } }, place, URL, 'c0ffee');
    expect(e).toBeInstanceOf(KeycloakUnreachableError);
    expect(e.message).toBe(
      "Keycloak's admin API at http://127.0.0.1:8080 on i-0123456789abcdef0 is unreachable (GET …/realms: [Errno 111] Connection refused); nothing was changed in realm mcp-demo. " +
        'The next run observes the realm and applies what the plan says. Check that the Keycloak container runs and publishes its port on the host loopback.',
    );
  });

  it('part-way through an apply: how many writes landed, never "nothing was changed"', () => {
    const e = hostErrorToKeycloakError({ ok: false, done: 6, applied: 4, writes: 11, error: { kind: 'unreachable', message: 'POST …/users: timed out', label: 'create user alice' } }, place, URL, 'c0ffee');
    expect(e.message).toMatch(/^Keycloak's admin API at http:\/\/127\.0\.0\.1:8080 on i-0123456789abcdef0 became unreachable during the apply to realm mcp-demo \(POST …\/users: timed out\): 4 of 11 writes were applied before it\. The next run observes the realm as it is and applies only what is still missing\./);
    expect(e.message).not.toContain('nothing was changed');
  });

  it('a write sent whose answer never came: it may have landed too, also as the first write', () => {
    const e = hostErrorToKeycloakError({ ok: false, done: 1, applied: 0, writes: 11, error: { kind: 'unreachable', message: 'POST …/realms: Remote end closed connection without response (sent, no answer)', label: 'create realm mcp-demo', landed: 'maybe' } }, place, URL, 'c0ffee');
    expect(e.message).toContain(': 0 of 11 writes were applied before it, and the last one ("create realm mcp-demo") was sent but its answer never came, so it may have landed too. The next run');
    expect(e.message).not.toContain('nothing was changed');
  });
});

describe('KeycloakChangeFailedError', () => {
  it.each([
    [409, 'Fix: nothing, usually: the object exists already'],
    [500, 'Fix: Keycloak failed on its side: look at its log on the host'],
    [400, 'Fix: Keycloak refused what keygate sent: check the document (keygate lint)'],
  ])('HTTP %i: writes applied before it, the next run, and the fix', (status, fix) => {
    const e = new KeycloakChangeFailedError(place, 'create client-scope mcp:tools', status, '{"errorMessage":"x"}', { applied: 3, writes: 11 });
    expect(e.message).toContain('(3 of 11 writes applied before it; the next run observes the realm as it is and applies only what is still missing)');
    expect(e.message).toContain(fix);
  });
});

describe('SsmCommandFailedError: how a command without a result ended, in words', () => {
  it.each([
    ['TimedOut', 'ExecutionTimedOut', -1, "ran into the Command document's timeoutSeconds and was killed there"],
    ['TimedOut', 'DeliveryTimedOut', -1, 'the SSM agent on the instance never started it before its delivery timeout'],
    ['Cancelled', 'Cancelled', -1, 'the command was cancelled (CancelCommand, or the instance stopped)'],
    ['Failed', 'Failed', -1, 'without an exit code: the host script was killed by a signal (the out-of-memory killer, a kill of its process group'],
    ['Failed', 'Failed', 137, 'exit code 137: a process of the host script was killed by SIGKILL, as the out-of-memory killer sends it'],
    ['Failed', 'Failed', 1, 'ended Failed (Failed), exit code 1: No space left on device'],
  ])('%s (%s), ResponseCode %i', (status, details, code, words) => {
    const e = new SsmCommandFailedError('c0ffee', 'i-0123456789abcdef0', status, details, code, code === 1 ? 'No space left on device' : '');
    expect(e.message).toContain(words);
    expect(e.message).not.toMatch(/exit code -1/);
    expect(e.message).toContain('It printed no result, so what it did is unknown: an apply may have made part of its changes. The next run observes again and applies only what is still missing');
    expect(e.message).toMatch(/Fix: .+\.$/);
  });
});
