import { startWorld, type LocalWorld } from '../../../emulators/world';
import type { RunResult } from '../../../emulators/stepfunctions';
import { enteredStates } from '../../support/provisioning';
import { seedRaw } from '../../support/seed';

// Retry rules that must really fire: each transient failure below reaches Step Functions under the
// name the real SDK (or the nested-execution integration) gives it, and the state machine rides it
// out. The SDK's own retries (3 attempts) come first, so each fault outlasts them.

const BUCKET = 'cimd-documents';
const KEY = 'oauth/client-metadata.json';
let world: LocalWorld;

/** The errors a state failed with and was retried on (the name Step Functions matched), in order. */
function retriedWith(run: RunResult, state: string): string[] {
  const ofState = run.events.filter((e) => e.state?.name === state);
  return ofState.flatMap((e, i) => (e.type === 'StateRetried' && ofState[i - 1]?.type === 'StateFailed' ? [String(ofState[i - 1]!.Error)] : []));
}

beforeAll(async () => {
  const raw = seedRaw();
  raw.cimd.publish = { s3: { bucket: BUCKET, key: KEY, cacheControl: 'max-age=300' } };
  raw.verify = { ...raw.verify, enabled: false }; // no MCP peer to verify against in this world
  world = await startWorld({ document: raw, speed: 400 });
});
afterAll(() => world.close());

describe('transient failures are retried where they arrive', () => {
  it('provisioning rides out S3 SlowDown on the CIMD object and a refused start of the nested realm execution', async () => {
    // Prepare: more SlowDowns than the S3 client retries by itself; one StartExecution refused.
    world.s3.failNext({ code: 'SlowDown', method: 'PUT', times: 3 });
    world.stepfunctions.rejectStarts(1);
    // Act
    const run = await world.run('provision');
    // Assess
    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    // The S3 destination goes to its own publisher (the CIMD Destination? Choice on $.loaded.cimdDestination).
    expect(retriedWith(run, 'Publish CIMD To S3')).toEqual(['SlowDown']);
    expect(enteredStates(run)).not.toContain('Publish CIMD Document');
    expect(retriedWith(run, 'Reconcile Keycloak Realm')).toEqual(['StepFunctions.ExecutionLimitExceeded']);
    expect(world.s3.getObject(BUCKET, KEY)).toMatchObject({ contentType: 'application/json' });
  });

  it('a transient error that outlasts every retry ends the run in words: the call, the resource, what the next run does, the fix', async () => {
    // Prepare: every GetGateway answers 500 (more than the SDK's 3 attempts times the state's 6).
    world.agentcore.injectFault({ type: 'InternalServerException', count: 1000, ops: ['GetGateway'] });
    // Act
    const run = await world.run('provision').finally(() => world.agentcore.clearFaults());
    // Assess: the name Retry matched is kept; the message is keygate's.
    expect(run.error).toBe('InternalServerException');
    expect(JSON.parse(run.cause!).errorMessage).toMatch(
      /^ensure-gateway: AWS AgentCore control plane GetGateway on gateway mcp-gateway-keycloak-demo-[0-9a-z]{10} in ap-northeast-1 answered InternalServerException \(Injected InternalServerException\) after the SDK's 3 attempts\. A transient error on AWS's side: the state machine retries this step a few times .*; when it still fails, nothing was changed by this call, and the next run observes what is there and converges\. Fix: run again later; if it keeps happening, look for AgentCore control plane in ap-northeast-1 on the AWS Health Dashboard\.$/,
    );
  });

  it('teardown rides out SSM InternalServerError on the desired state and a busy gateway when deleting a target', async () => {
    // Prepare: the stack's own document (input {}) is read from Parameter Store, which fails past the
    // SDK's retries; DeleteGatewayTarget meets the gateway UPDATING once (the CREATING-race wording).
    world.ssm.fail('GetParameter', 3, 'InternalServerError');
    const gatewayId = world.agentcore.state().gateways[0]!.gatewayId;
    world.agentcore.injectFault({ type: 'ValidationException', message: 'Cannot perform operation DeleteGatewayTarget when gateway is in UPDATING status', ops: ['DeleteGatewayTarget'] });
    // Act
    const run = await world.run('teardown', { input: {} });
    // Assess
    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(retriedWith(run, 'Load Desired State')).toEqual(['InternalServerError']);
    expect(retriedWith(run, 'Delete Gateway Target')).toEqual(['GatewayNotReadyError']);
    expect(run.output).toMatchObject({ gateway: 'deleted', gatewayId });
    expect(world.agentcore.state().gateways).toEqual([]);
  });
});
