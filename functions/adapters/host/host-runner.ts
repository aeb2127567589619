import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import executorSource from '../../host/executor.py';
import type { HostProgram } from '../../core/host/program';
import { sendCommand } from '../ssm/command-runner';
import type { HostTarget, SentCommand } from './host-result';

// Runs host programs (functions/core/host/program.ts) on the Keycloak instance through the keygate
// Command document: the gzip'd executor (its text pinned by SHA-256 in the document) and the gzip'd
// program travel as base64 parameters; secrets travel as names only and are read on the host. Their
// results: host-result.ts.

/** SHA-256 of the executor this code ships; the Command document refuses any other. */
export const EXECUTOR_SHA256 = createHash('sha256').update(executorSource).digest('hex');

/** The SendCommand parameters for a program: names of secrets at most, never values. */
export function hostCommandParameters(program: HostProgram): Record<string, string[]> {
  return {
    // gzip'd: the parameter allows 32,768 base64 characters, which the plain text would soon outgrow.
    executor: [gzipSync(Buffer.from(executorSource, 'utf8'), { level: 9 }).toString('base64')],
    program: [gzipSync(Buffer.from(JSON.stringify(program), 'utf8')).toString('base64')],
  };
}

export async function sendHostProgram(target: HostTarget, program: HostProgram, opts: { comment: string; signal?: AbortSignal }): Promise<SentCommand> {
  const { commandId } = await sendCommand(
    {
      documentName: target.documentName,
      instanceId: target.instanceId,
      parameters: hostCommandParameters(program),
      comment: opts.comment,
      ...(target.outputBucket ? { output: { bucket: target.outputBucket, prefix: 'keygate-host' } } : {}),
    },
    { signal: opts.signal },
  );
  return { commandId, instanceId: target.instanceId };
}
