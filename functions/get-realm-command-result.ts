import { readHostResult, type SentCommand } from './adapters/host/host-result';
import { readLongOutputFromS3 } from './adapters/host/long-output';
import { hostFilesOf } from './core/cimd/host-program';
import type { DesiredState } from './core/desired/document';
import { hostErrorToKeycloakError } from './core/keycloak/host-outcome';
import { adminConnection, snapshotFromResults } from './core/keycloak/observe-realm';
import type { ObservedRealm } from './core/keycloak/snapshot';
import type { HostLeftover } from './core/host/program';
import { keycloakHostEnv, placeOf } from './platform/keycloak-host';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface GetRealmCommandResultInput extends TaskInput {
  desired: DesiredState;
  command: SentCommand & { mode: 'observe' | 'apply' };
}

/**
 * Steps "Await Observe Command" and "Await Apply Command": one GetCommandInvocation per attempt.
 * Pending → SsmCommandPendingError (the state machine retries, bounded); a Keycloak error → the
 * matching Keycloak*Error; success → the snapshot the program ended with.
 */
export const handler = makeHandler('get-realm-command-result', async (input: GetRealmCommandResultInput, { logger, signal }): Promise<{ snapshot: ObservedRealm; operations: number; hostFiles: Record<string, unknown>; leftovers: HostLeftover[] }> => {
  const { desired, command } = input;
  logger.appendKeys({ realm: desired.keycloak.realm.name, instanceId: command.instanceId, commandId: command.commandId });
  const result = await readHostResult(command, { signal, readLongOutput: readLongOutputFromS3 });
  if (!result.ok) {
    throw hostErrorToKeycloakError(result, placeOf(desired), adminConnection(desired, keycloakHostEnv().AWS_REGION).admin.url, command.commandId);
  }
  const snapshot = snapshotFromResults(desired, result.results, command.instanceId);
  const leftovers = result.leftovers ?? [];
  logger.info('host program finished', { mode: command.mode, operations: result.done, realmExists: snapshot.exists, leftovers: leftovers.length });
  if (leftovers.length) logger.warn('leftovers of earlier commands on the host', { leftovers });
  // Files the same command stat-ed (the published CIMD document), handed through for drift detection;
  // keygate's leftovers of killed commands it found (removed unless a drift report: then drift lists them).
  return { snapshot, operations: result.done, hostFiles: hostFilesOf(result.results), leftovers };
});
