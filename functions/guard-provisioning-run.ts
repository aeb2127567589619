import { runningExecutions } from './adapters/stepfunctions/executions';
import { decideProvisioning } from './core/gateway/provision-guard';
import { envOnce } from './platform/env';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface GuardProvisioningRunInput extends TaskInput {
  /** `$$.StateMachine.Id`: the provisioning state machine (passed in: its ARN in the environment would be a circular dependency). */
  stateMachineArn: string;
  /** `$$.Execution.Name` and `$$.Execution.StartTime`. */
  executionName: string;
  startTime: string;
}

const STATE_MACHINE = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]+$/;
const guardEnv = /* @__PURE__ */ envOnce({ TEARDOWN_STATE_MACHINE_ARN: { required: true, pattern: STATE_MACHINE, hint: 'the stack\'s teardown state machine (template: TeardownStateMachine)' } });

/**
 * Step "Guard Provisioning Run": one provisioning run at a time. The deploy event is delivered at least
 * once and runs can be started by hand; the oldest RUNNING run does the work, a newer one (or any run
 * while a teardown of the stack runs) ends here, successfully, with `outcome: skipped`.
 */
export const handler = makeHandler('guard-provisioning-run', async (input: GuardProvisioningRunInput, { logger, signal }) => {
  const { TEARDOWN_STATE_MACHINE_ARN } = guardEnv();
  const [provisioning, teardown] = await Promise.all([runningExecutions(input.stateMachineArn, { signal }), runningExecutions(TEARDOWN_STATE_MACHINE_ARN, { signal })]);
  const decision = decideProvisioning({ self: { name: input.executionName, startTime: input.startTime }, provisioning, teardown });
  if (decision.outcome === 'skipped') logger.info('provisioning run skipped', { reason: decision.reason, yieldedTo: decision.yieldedTo });
  else logger.info('provisioning run proceeds', { running: provisioning.length });
  return decision;
});
