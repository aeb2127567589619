import { STACK } from '../../../emulators/world';
import { DRIFT_LEASE_SECONDS } from '../../../functions/core/drift/guard';
import { reportOf, startDriftWorld, type DriftWorld } from '../../support/drift';
import { enteredStates } from '../../support/provisioning';

// Never fight a deploy, never overlap: the guard of drift.asl.json against the local world's Step
// Functions (ListExecutions over the executions the world is running) and DynamoDB (the lease).

let w: DriftWorld;
const sendCommands = () => w.local.ssm.calls.filter((c) => c.operation === 'SendCommand').length;
const lease = () => w.local.dynamodb.item(STACK.driftLockTable, 'drift');

beforeAll(async () => {
  w = await startDriftWorld();
  expect((await w.provision()).status).toBe('SUCCEEDED');
});
afterAll(() => w.close());

describe('never fights a deploy', () => {
  it('a running provisioning makes the drift run stop early: "skipped: provisioning in progress", nothing observed or written', async () => {
    // Prepare: someone edits the gateway, and a provisioning starts (it will converge it).
    const provisioning = w.provision();
    const commands = sendCommands();
    // Act
    const run = await w.drift({ mode: 'repair' });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(reportOf(run)).toMatchObject({ outcome: 'skipped: provisioning in progress', items: [], running: [{ stateMachine: `${STACK.owner}-ProvisionStateMachine`, name: expect.stringMatching(/^provision-\d+$/) }] });
    expect(enteredStates(run)).toEqual(['Load Desired State', 'Started By A Document Change?', 'Guard Drift Run', 'Clear To Run?', 'Drift Run Skipped']);
    expect(sendCommands()).toBe(commands);
    expect(lease()).toBeUndefined();
    expect((await provisioning).status).toBe('SUCCEEDED');
    // Once provisioning has ended, the next run goes ahead.
    expect(reportOf(await w.drift({ mode: 'report' })).outcome).toBe('clean');
  });

  it.each([
    ['teardown', 'TeardownStateMachine'],
    ['rotate-gateway-policy', 'RotateGatewayPolicyStateMachine'],
    ['reconcile-realm', 'ReconcileRealmStateMachine'],
  ])('a running %s execution makes it skip too', async (machine, id) => {
    // Prepare: an execution of that machine is RUNNING (as ListExecutions shows it).
    const running = w.local.stepfunctions.startExecution(w.local.stateMachineArn(machine), `by-hand-${machine}`);
    try {
      // Act
      const run = await w.drift();
      // Assess
      expect(reportOf(run)).toMatchObject({ outcome: 'skipped: provisioning in progress', running: [{ stateMachine: `${STACK.owner}-${id}`, name: `by-hand-${machine}` }] });
    } finally {
      w.local.stepfunctions.stopExecution(running.executionArn, 'SUCCEEDED');
    }
  });
});

describe('two drift runs never overlap', () => {
  it('of two runs started together, exactly one observes; the other skips with "skipped: drift run in progress"', async () => {
    // Act
    const runs = await Promise.all([w.drift({ mode: 'report' }), w.drift({ mode: 'report' })]);
    // Assess
    const outcomes = runs.map((r) => reportOf(r).outcome).sort();
    expect(outcomes).toEqual(['clean', 'skipped: drift run in progress']);
    expect(lease()).toBeUndefined();
  });

  it('a lease held by another execution makes the run skip; an expired one is taken over and released', async () => {
    // Prepare: another drift execution holds a live lease.
    const now = Date.now();
    const item = (expiresAt: number) => ({ lockId: { S: 'drift' }, owner: { S: 'arn:aws:states:ap-northeast-1:111122223333:execution:keygate-local-DriftStateMachine:other' }, expiresAt: { S: new Date(expiresAt).toISOString() }, expiresAtEpoch: { N: String(Math.floor(expiresAt / 1000)) } });
    w.local.dynamodb.putItem(STACK.driftLockTable, item(now + DRIFT_LEASE_SECONDS * 1000));
    // Act
    const skipped = await w.drift();
    // Assess
    expect(reportOf(skipped)).toMatchObject({ outcome: 'skipped: drift run in progress', running: [{ stateMachine: 'keygate-local-DriftStateMachine', name: 'other' }] });
    expect(lease()?.owner).toEqual({ S: expect.stringMatching(/:other$/) });
    // Prepare: the other run died an hour ago; its lease expired.
    w.local.dynamodb.putItem(STACK.driftLockTable, item(now - 1000));
    // Act
    const taken = await w.drift({ mode: 'report' });
    // Assess
    expect(reportOf(taken).outcome).toBe('clean');
    expect(lease()).toBeUndefined();
  });
});

describe('input and triggers', () => {
  it('an unknown mode fails naming the field and the fix, before taking the lease or observing anything', async () => {
    const commands = sendCommands();
    w.local.agentcore.resetCalls();
    const run = await w.drift({ mode: 'fix-everything' });
    expect(run).toMatchObject({ status: 'FAILED', error: 'DriftInputError' });
    expect(JSON.parse(run.cause!).errorMessage).toBe('mode: "fix-everything" is not a drift mode: pass "report" (list drift only) or "repair" (apply and re-verify), or leave it out to use drift.mode from the document');
    expect(sendCommands()).toBe(commands);
    expect(lease()).toBeUndefined();
    expect(w.local.agentcore.calls).toEqual([]);
  });

  it('without a mode in the input the document decides (the seed says repair)', async () => {
    const run = await w.drift();
    expect(reportOf(run).mode).toBe('repair');
  });

  it('a run started by a change of the desired state first lets the deploy start, then guards', async () => {
    const run = await w.drift({ trigger: 'desired-state-changed', mode: 'report' });
    expect(enteredStates(run).slice(0, 4)).toEqual(['Load Desired State', 'Started By A Document Change?', 'Let The Deploy Start', 'Guard Drift Run']);
    expect(reportOf(run).outcome).toBe('clean');
  });

  it('a scheduled run goes straight to the guard', async () => {
    const run = await w.drift({ trigger: 'schedule', mode: 'report' });
    expect(enteredStates(run).slice(0, 3)).toEqual(['Load Desired State', 'Started By A Document Change?', 'Guard Drift Run']);
  });
});
