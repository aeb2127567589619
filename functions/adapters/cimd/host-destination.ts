import { CIMD_RESULT_ID, cimdObserveOps, cimdPublishOps, observedFromStat, type HostFile } from '../../core/cimd/host-program';
import type { ObservedCimd } from '../../core/cimd/plan-cimd';
import { CimdPublishFailedError, SsmCommandOutputError } from '../../core/errors';
import type { HostOperation } from '../../core/host/program';
import { awaitHostResult, type HostTarget } from '../host/host-result';
import { sendHostProgram } from '../host/host-runner';
import type { CimdDestination } from './destination';

export interface HostCimdTarget {
  host: HostTarget;
  file: HostFile;
  /** The CIMD URL, for error messages. */
  url: string;
  /** Region of the program (the executor reads no secret for file operations, but the format carries it). */
  region: string;
  /** How long one command may take before the state machine's Retry takes over (default {@link HOST_COMMAND_BUDGET_MS}). */
  budgetMs?: number;
}

/** How long the function waits for each of its commands (observe, then publish) within its own timeout. */
export const HOST_COMMAND_BUDGET_MS = 40_000;

/**
 * The document as a file on the Keycloak host (under nginx's web root in the seed), written and read
 * by the host executor through the keygate Command document: one SSM command to observe, one to
 * write and read back. The bytes travel in the program; they are public.
 */
export function hostDestination(target: HostCimdTarget): CimdDestination {
  const description = `file ${target.file.path} on ${target.host.instanceId}`;
  const run = async (ops: HostOperation[], comment: string, signal?: AbortSignal): Promise<ObservedCimd> => {
    const sent = await sendHostProgram(target.host, { version: 1, region: target.region, ops }, { comment, signal });
    const result = await awaitHostResult(sent, { budgetMs: target.budgetMs ?? HOST_COMMAND_BUDGET_MS, signal });
    if (!result.ok) {
      if (result.error.kind === 'file') throw new CimdPublishFailedError(target.url, description, result.error.message);
      throw new SsmCommandOutputError(sent.commandId, `the host executor refused its program: ${result.error.message}`);
    }
    const observed = observedFromStat(result.results[CIMD_RESULT_ID]);
    if (!observed) throw new SsmCommandOutputError(sent.commandId, `no file observation "${CIMD_RESULT_ID}" in the result`);
    return observed;
  };
  return {
    description,
    attributes: { mode: target.file.mode },
    observe: (expectedSha256, signal) => run(cimdObserveOps(target.file, expectedSha256, target.url), 'keygate observe CIMD document', signal),
    publish: (rendered, signal) => run(cimdPublishOps(target.file, rendered), 'keygate publish CIMD document', signal),
  };
}
