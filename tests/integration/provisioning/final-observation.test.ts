import { KEYGATE_HANDLERS } from '../../../emulators/stepfunctions/handlers';
import type { LambdaHandler } from '../../../emulators/stepfunctions';
import { enteredStates, startWorld, type World } from '../../support/provisioning';

// Success means observed success: provisioning reports SUCCEEDED only if a last look, right before
// "Provisioning Succeeded", still finds the gateway and every target READY. The flip after READY is
// injected at a named point (a step's handler wrapped to change the emulator first), never at a time.

const NAME = 'mcp-gateway-keycloak-demo';
const TARGET = 'my-mcp-server';
let world: World;

/** The real handler behind `placeholder`, with `before` run first on each invocation (its count from 1). */
function wrapped(placeholder: string, before: (call: number) => void): Record<string, LambdaHandler> {
  const real = KEYGATE_HANDLERS[placeholder] as (...args: unknown[]) => unknown;
  let calls = 0;
  return { ...KEYGATE_HANDLERS, [placeholder]: ((...args: unknown[]) => (before(++calls), real(...args))) as LambdaHandler };
}

beforeEach(async () => {
  world = await startWorld();
});
afterEach(() => world.close());

it('a target that fails after its READY check ends the run with its status reasons; the next run re-applies it and succeeds', async () => {
  // Prepare: the target turns FAILED while the realm is reconciled (after "Await Gateway Target Ready").
  const handlers = wrapped('PublishCimdDocumentFunctionArn', () => world.emulator.editTarget(NAME, TARGET, { status: 'FAILED', statusReasons: ['tools/list: connection timed out'] }));
  // Act
  const run = await world.provision(undefined, { handlers });
  // Assess
  expect(run.status).toBe('FAILED');
  expect(run.error).toBe('GatewayChangedAfterReadyError');
  const targetId = world.emulator.state().gateways[0]!.targets[0]!.targetId;
  expect(JSON.parse(run.cause!).errorMessage).toBe(
    `provisioning does not report success: after they were READY earlier in this run, target ${TARGET} (${targetId}) is FAILED: tools/list: connection timed out. ` +
      'Everything else of the run was applied. Fix the cause the status reasons name, then run provisioning again: keygate re-applies the document to a failed gateway or target, and creates what is missing.',
  );
  expect(enteredStates(run).slice(-2)).toEqual(['Confirm Still Ready', 'Provisioning Failed']);
  // Act 2: one clean run
  const again = await world.provision();
  // Assess 2
  expect(again.status).toBe('SUCCEEDED');
  expect(world.emulator.state().gateways[0]!.targets[0]!.status).toBe('READY');
});

it('a gateway in the middle of someone else\'s update at the last look is looked at again, and the run succeeds once it is READY', async () => {
  // Prepare: at the first last look the gateway is UPDATING; before the second it is READY again.
  const handlers = wrapped('ConfirmProvisioningFunctionArn', (call) => world.emulator.editGateway(NAME, { status: call === 1 ? 'UPDATING' : 'READY' }));
  // Act
  const run = await world.provision(undefined, { handlers });
  // Assess
  expect(run.status).toBe('SUCCEEDED');
  const failed = run.events.filter((e) => e.type === 'StateFailed' && e.state?.name === 'Confirm Still Ready').map((e) => e.Error);
  expect(failed).toEqual(['GatewayNotReadyError']);
});
