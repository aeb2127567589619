import { StateMachine } from 'aws-local-stepfunctions';
import { startExecutionSync } from '../../support/local-machine';
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
beforeAll(async () => {
  h = await startRealmHarness();
});
afterAll(async () => h.close());

function provision() {
  const run = new StateMachine(parent as never, { validationOptions: { checkArn: false } }).run({ loaded: { desired: h.desired } } as never, {
    overrides: { taskResourceLocalHandlers: { 'Reconcile Keycloak Realm': startExecutionSync('reconcile-realm.asl.json') as never } },
    context: { Execution: { Id: 'arn:aws:states:eu-central-1:111122223333:execution:provision:local' } },
  });
  return run.result as Promise<any>;
}

describe('provisioning joins the realm reconciler with a nested startExecution.sync:2', () => {
  it('passes the loaded document, and gets the child\'s outcome under $.keycloak.realm', async () => {
    const out = await provision();
    expect(out.keycloak.realm).toMatchObject({ realm: 'mcp-demo', outcome: 'applied', changeCount: 11 });
    expect((await provision()).keycloak.realm).toMatchObject({ outcome: 'converged', changeCount: 0 });
  });

  it('a failed reconciliation fails provisioning with the child\'s error in the cause', async () => {
    await h.kc.setDown(true);
    const error = await provision().catch((e: Error) => e).finally(() => h.kc.setDown(false));
    expect(String((error as Error).message ?? error)).toMatch(/KeycloakUnreachableError/);
  });
});
