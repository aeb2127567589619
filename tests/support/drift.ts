import type { RunResult } from '../../emulators/stepfunctions';
import { startWorld as startLocalWorld, type LocalWorld } from '../../emulators/world';
import { captureFunctionOutput } from '../../emulators/world/function-output';
import type { RealmState } from '../../emulators/keycloak/state';
import type { DriftReport } from '../../functions/core/drift/report';
import { SPEED } from './provisioning';
import { seedRaw } from './seed';

/**
 * The local world (emulators/world) provisioned from the seed, for drift runs through the real
 * drift.asl.json: `drift(input)` runs it with the document inline (live verification off: there is no
 * MCP server here), `provision()` converges everything again.
 */
export interface DriftWorld {
  local: LocalWorld;
  document: Record<string, any>;
  provision(): Promise<RunResult>;
  drift(input?: Record<string, unknown>, options?: Parameters<LocalWorld['run']>[1]): Promise<RunResult>;
  /** The JSON lines the functions wrote to stdout/stderr during drift runs (log lines and EMF metrics). */
  lines: Array<Record<string, any>>;
  realm(): RealmState;
  gateway(): ReturnType<LocalWorld['agentcore']['state']>['gateways'][number];
  close(): Promise<void>;
}

export async function startDriftWorld(options: { driftTopic?: boolean; edit?: (raw: Record<string, any>) => void } = {}): Promise<DriftWorld> {
  const raw = seedRaw();
  options.edit?.(raw);
  const local = await startLocalWorld({ document: raw, speed: SPEED, ...(options.driftTopic !== undefined ? { driftTopic: options.driftTopic } : {}) });
  const document: Record<string, any> = { ...structuredClone(local.document), verify: { ...local.document.verify, enabled: false } };
  const lines: Array<Record<string, any>> = [];
  return {
    local,
    document,
    lines,
    // Provisioning's log lines are not drift's: captured and dropped, so a test at INFO prints nothing.
    provision: () => captureFunctionOutput([], () => local.run('provision', { document })),
    drift: (input = {}, runOptions = {}) => captureFunctionOutput(lines, () => local.run('drift', { input: { desiredState: document, ...input }, ...runOptions })),
    realm: () => local.keycloak.realm(document.keycloak.realm.name)!,
    gateway: () => local.agentcore.state().gateways.find((g) => g.name === document.gateway.name)!,
    close: () => local.close(),
  };
}

export const reportOf = (run: RunResult): DriftReport => run.output as DriftReport;
