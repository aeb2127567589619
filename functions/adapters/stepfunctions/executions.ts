import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { RunningExecution } from '../../core/drift/guard';
import { stateMachineName } from '../../core/drift/guard';
import { perEnvironment, sdkClientEnv } from '../../platform/env';
import { withAwsCallRecord } from '../aws-call';

// One per container and configuration (../agentcore/client.ts), in its own module so that only the
// functions that list executions bundle the Step Functions client.
export const sfnClient = /* @__PURE__ */ perEnvironment(/* @__PURE__ */ sdkClientEnv('SFN'), () => withAwsCallRecord(new SFNClient({})));

/**
 * The RUNNING executions of a state machine (newest first; one page: any one of them is reason
 * enough to yield). ListExecutions is eventually consistent (ssm-and-events.md §8): an execution
 * started a moment ago may be missing, which the drift lock does not depend on.
 */
export async function runningExecutions(stateMachineArn: string, opts: { client?: SFNClient; signal?: AbortSignal } = {}): Promise<RunningExecution[]> {
  const out = await (opts.client ?? sfnClient()).send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 10 }), { abortSignal: opts.signal });
  return (out.executions ?? []).map((e) => ({ stateMachine: stateMachineName(stateMachineArn), name: String(e.name), startDate: e.startDate ? e.startDate.toISOString() : null }));
}
