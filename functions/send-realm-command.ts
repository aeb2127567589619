import { sendHostProgram, type SentCommand } from './adapters/host/host-runner';
import { piggybackCimdObserveOps } from './core/cimd/host-program';
import type { DesiredState } from './core/desired/document';
import type { HostProgram } from './core/host/program';
import { adminConnection, renderObserveOps } from './core/keycloak/observe-realm';
import type { RealmChange } from './core/keycloak/plan-realm';
import { renderApplyOps } from './core/keycloak/render-apply';
import { hostTarget, keycloakHostEnv } from './platform/keycloak-host';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface SendRealmCommandInput extends TaskInput {
  desired: DesiredState;
  /** observe: read the snapshot; apply: carry out `changes`, then read the snapshot again (one command). */
  mode: 'observe' | 'apply';
  changes?: RealmChange[];
  /** The execution input: a dry run (drift report) only lists keygate's leftovers on the host, any other run removes them. */
  execution?: { dryRun?: boolean };
}

export interface SendRealmCommandOutput extends SentCommand {
  mode: 'observe' | 'apply';
  operations: number;
}

/** Steps "Send Observe Command" and "Send Apply Command": one SSM command with the host program. */
export const handler = makeHandler('send-realm-command', async (input: SendRealmCommandInput, { logger, signal }): Promise<SendRealmCommandOutput> => {
  const { desired, mode } = input;
  const realm = desired.keycloak.realm.name;
  logger.appendKeys({ realm, instanceId: desired.keycloak.instanceId });
  const writes = mode === 'apply' ? renderApplyOps(realm, input.changes ?? []) : [];
  // The published CIMD file is stat-ed in the same command (read-only), so drift detection needs no second one.
  const program: HostProgram = {
    ...adminConnection(desired, keycloakHostEnv().AWS_REGION),
    leftovers: input.execution?.dryRun === true ? 'report' : 'remove',
    ops: [...writes, ...renderObserveOps(desired), ...piggybackCimdObserveOps(desired)],
  };
  const sent = await sendHostProgram(hostTarget(desired), program, { comment: `keygate ${mode} realm ${realm}`, signal });
  logger.info('sent host program', { mode, commandId: sent.commandId, writes: writes.length, operations: program.ops.length });
  return { ...sent, mode, operations: program.ops.length };
});
