import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStateMachine } from '../../../emulators/stepfunctions';
import { KEYGATE_HANDLERS } from '../../../emulators/stepfunctions/handlers';
import { fromRoot } from '../../support/paths';
import { startRealmHarness, type RealmHarness } from '../../support/realm-harness';

// The join point the provisioning machine uses ("Reconcile Keycloak Realm"), exactly as documented
// in the report for statemachine/provision.asl.json, run against the real reconcile-realm machine.

const RECONCILE_STATE = {
  Type: 'Task',
  Resource: 'arn:aws:states:::states:startExecution.sync:2',
  Parameters: {
    StateMachineArn: '${ReconcileRealmStateMachineArn}',
    Input: { 'desiredState.$': '$.loaded.desired', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
  },
  ResultSelector: { 'realm.$': '$.Output' },
  ResultPath: '$.keycloak',
  Retry: [{ ErrorEquals: ['StepFunctions.ExecutionLimitExceeded', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException', 'ThrottlingException'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
  Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Provisioning Failed' }],
  Next: 'Provisioning Succeeded',
};
const parent = {
  StartAt: 'Reconcile Keycloak Realm',
  States: {
    'Reconcile Keycloak Realm': RECONCILE_STATE,
    'Provisioning Succeeded': { Type: 'Succeed' },
    'Provisioning Failed': { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  },
};

let h: RealmHarness;
let dir: string;
beforeAll(async () => {
  h = await startRealmHarness();
  dir = mkdtempSync(join(tmpdir(), 'kg-parent-'));
  writeFileSync(join(dir, 'parent.asl.json'), JSON.stringify(parent));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await h.close();
});

function provision() {
  return runStateMachine({
    file: join(dir, 'parent.asl.json'),
    handlers: KEYGATE_HANDLERS,
    stateMachines: { ReconcileRealmStateMachineArn: fromRoot('statemachine', 'reconcile-realm.asl.json') },
    input: { loaded: { desired: h.desired } },
    retryIntervalOverrides: { 'Await Observe Command': 40, 'Await Apply Command': 40 },
  });
}

describe('provisioning joins the realm reconciler with a nested startExecution.sync:2', () => {
  it('passes the loaded document, and gets the child\'s outcome under $.keycloak.realm', async () => {
    const first = await provision();
    expect(first.status).toBe('SUCCEEDED');
    expect((first.output as any).keycloak.realm).toMatchObject({ realm: 'mcp-demo', outcome: 'applied', changeCount: 11 });
    expect(first.transitions).toBeGreaterThan(9); // the parent's and the child's
    expect(((await provision()).output as any).keycloak.realm).toMatchObject({ outcome: 'converged', changeCount: 0 });
  });

  it('a failed reconciliation fails provisioning with the child\'s error in the cause', async () => {
    await h.kc.setDown(true);
    const run = await provision().finally(() => h.kc.setDown(false));
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(run.cause).toMatch(/KeycloakUnreachableError/);
  });
});
