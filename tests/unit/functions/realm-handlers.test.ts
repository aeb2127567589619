import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHash } from 'node:crypto';
import { emptyRealmSnapshot } from '../../../functions/core/keycloak/snapshot';
import { handler as getResult } from '../../../functions/get-realm-command-result';
import { handler as plan } from '../../../functions/plan-realm-changes';
import { handler as send } from '../../../functions/send-realm-command';
import { handler as verify } from '../../../functions/verify-realm-converged';
import { convergedSnapshot } from '../../support/keycloak-snapshots';
import { invoke } from '../../support/lambda';
import { seedDesired, seedWith } from '../../support/seed';

const ssm = mockClient(SSMClient);
const seed = seedDesired();
const COMMAND = { commandId: 'c0ffee00-1111-2222-3333-444455556666', instanceId: 'i-0123456789abcdef0', mode: 'observe' as const };

beforeAll(() => {
  process.env.KEYCLOAK_COMMAND_DOCUMENT = 'keygate-doc';
  process.env.COMMAND_OUTPUT_BUCKET = 'keygate-out';
});
beforeEach(() => ssm.reset());

describe('send-realm-command', () => {
  it('observe: one command to the document\'s instance, output to the bucket', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND.commandId } });
    const out = await invoke(send, { desired: seed, mode: 'observe' });
    // 12 realm reads, plus a stat of the published CIMD file in the same command (drift needs no second one).
    expect(out).toEqual({ ...COMMAND, operations: 13 });
    expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, { DocumentName: 'keygate-doc', InstanceIds: ['i-0123456789abcdef0'], OutputS3BucketName: 'keygate-out' });
  });

  it('refuses keycloak.admin.kcadm before sending anything', async () => {
    const desired = seedWith((raw) => {
      delete raw.keycloak.admin.url;
      raw.keycloak.admin.kcadm = { container: 'keycloak' };
    });
    await expect(invoke(send, { desired, mode: 'observe' })).rejects.toMatchObject({ name: 'KeycloakAdminAccessUnsupportedError' });
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 0);
  });
});

describe('get-realm-command-result', () => {
  const framed = (result: unknown) => {
    const body = JSON.stringify(result);
    return `keygate-result sha256=${createHash('sha256').update(body).digest('hex')} length=${body.length}\n${body}\n`;
  };

  it('turns the executor\'s errors into Keycloak errors naming host, realm and change', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 4, StandardOutputContent: framed({ ok: false, done: 0, error: { kind: 'unreachable', message: 'GET http://127.0.0.1:8080/…: [Errno 111] Connection refused' } }) });
    await expect(invoke(getResult, { desired: seed, command: COMMAND })).rejects.toMatchObject({ name: 'KeycloakUnreachableError', message: expect.stringContaining("Keycloak's admin API at http://127.0.0.1:8080 on i-0123456789abcdef0 is unreachable") });
  });

  it('returns the snapshot of a successful program', async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, StandardOutputContent: framed({ ok: true, done: 12, results: { realm: null, adminDiscovery: { client_id_metadata_document_supported: true } } }) });
    const out = await invoke(getResult, { desired: seed, command: COMMAND });
    expect(out.snapshot).toMatchObject({ realm: 'mcp-demo', exists: false, instanceId: 'i-0123456789abcdef0', server: { cimdSupported: true } });
  });
});

describe('plan-realm-changes', () => {
  it('decides apply, report (dryRun) or converged, and passes on the actionable changes only', async () => {
    const empty = emptyRealmSnapshot('mcp-demo', true);
    expect(await invoke(plan, { desired: seed, snapshot: empty })).toMatchObject({ decision: 'apply', changeCount: 11 });
    expect(await invoke(plan, { desired: seed, snapshot: empty, execution: { dryRun: true } })).toMatchObject({ decision: 'report', changeCount: 11 });
    expect(await invoke(plan, { desired: seed, snapshot: convergedSnapshot(seed) })).toMatchObject({ decision: 'converged', changeCount: 0, changes: [], lines: [] });
  });

  it('a dry run that finds keygate\'s leftovers on the host reports them even when the realm is converged; any other run has removed them', async () => {
    const leftover = { path: '/tmp/keygate-host.AbCdEfGhIj', kind: 'work directory' as const, ageSeconds: 700 };
    const snapshot = convergedSnapshot(seed);
    expect(await invoke(plan, { desired: seed, snapshot, execution: { dryRun: true }, leftovers: [{ ...leftover, removed: false }] })).toMatchObject({ decision: 'report', changeCount: 0 });
    expect(await invoke(plan, { desired: seed, snapshot, leftovers: [{ ...leftover, removed: true }] })).toMatchObject({ decision: 'converged' });
  });
});

describe('verify-realm-converged', () => {
  it('fails naming each object and field that did not converge', async () => {
    const snapshot = convergedSnapshot(seed, (s) => void (s.clientScopes[0]!.attributes['include.in.token.scope'] = 'false'));
    await expect(invoke(verify, { desired: seed, snapshot })).rejects.toMatchObject({
      name: 'KeycloakRealmNotConvergedError',
      message: expect.stringMatching(
        /^realm mcp-demo on i-0123456789abcdef0 did not converge after apply: update client-scope mcp:tools \(attributes\.include\.in\.token\.scope: expected true, found false\)\. Every write of the apply succeeded, so either something changed these objects during the apply .* The next run observes the realm again and applies what is still missing\.$/,
      ),
    });
    await expect(invoke(verify, { desired: seed, snapshot: convergedSnapshot(seed) })).resolves.toEqual({ realm: 'mcp-demo', converged: true });
  });
});
