import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { RunningExecution } from '../../core/drift/guard';
import { stateMachineName } from '../../core/drift/guard';
import { withAwsCallRecord } from '../aws-call';

// Created on first use (AWS_ENDPOINT_URL_SFN is read then), in its own module so that only the
// functions that list executions bundle the Step Functions client.
let sfn: SFNClient | undefined;
export const sfnClient = (): SFNClient => (sfn ??= withAwsCallRecord(new SFNClient({})));

/** Forget the built client (tests and the rehearsal change endpoints between runs). */
export function resetSfnClient(): void {
  sfn = undefined;
}

/**
 * The RUNNING executions of a state machine (newest first; one page: any one of them is reason
 * enough to yield). ListExecutions is eventually consistent (ssm-and-events.md §8): an execution
 * started a moment ago may be missing, which the drift lock does not depend on.
 */
export async function runningExecutions(stateMachineArn: string, opts: { client?: SFNClient; signal?: AbortSignal } = {}): Promise<RunningExecution[]> {
  const out = await (opts.client ?? sfnClient()).send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 10 }), { abortSignal: opts.signal });
  return (out.executions ?? []).map((e) => ({ stateMachine: stateMachineName(stateMachineArn), name: String(e.name), startDate: e.startDate ? e.startDate.toISOString() : null }));
}
