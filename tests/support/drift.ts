import type { RunResult } from '../../emulators/stepfunctions';
import { startWorld as startLocalWorld, type KeycloakEndpoint, type LocalWorld } from '../../emulators/world';
import type { RecordingProxy } from '../../scripts/keycloak/recording-proxy';
import type { RealKeycloak } from './real-keycloak';
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
export interface DriftWorld<K extends KeycloakEndpoint = LocalWorld['keycloak']> {
  local: LocalWorld<K>;
  document: Record<string, any>;
  provision(): Promise<RunResult>;
  drift(input?: Record<string, unknown>, options?: Parameters<LocalWorld['run']>[1]): Promise<RunResult>;
  /** The JSON lines the functions wrote to stdout/stderr during drift runs (log lines and EMF metrics). */
  lines: Array<Record<string, any>>;
  realm(): K extends RecordingProxy ? never : RealmState;
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

/**
 * The same world with the run's real Keycloak (tests/support/real-keycloak.ts) behind a recording
 * proxy, the seed's realm renamed to a fresh one (its gateway discovery URL following it). Drift is
 * injected through Keycloak's admin API (`kc`), not by editing stand-in state.
 */
export async function startRealDriftWorld(kc: RealKeycloak, label: string): Promise<DriftWorld<RecordingProxy> & { realmName: string }> {
  const realmName = kc.realmName(label);
  const raw = seedRaw();
  raw.keycloak.realm.name = realmName;
  raw.gateway.authorizer.discoveryUrl = raw.gateway.authorizer.discoveryUrl.replace('/realms/mcp-demo/', `/realms/${realmName}/`);
  const local = await startLocalWorld({ document: raw, speed: SPEED, keycloakServer: kc });
  const document: Record<string, any> = { ...structuredClone(local.document), verify: { ...local.document.verify, enabled: false } };
  const lines: Array<Record<string, any>> = [];
  return {
    local,
    document,
    lines,
    realmName,
    provision: () => captureFunctionOutput([], () => local.run('provision', { document })),
    drift: (input = {}, runOptions = {}) => captureFunctionOutput(lines, () => local.run('drift', { input: { desiredState: document, ...input }, ...runOptions })),
    realm: () => {
      throw new TypeError('a real Keycloak\'s realm is read through its admin API (kc.ok), not as stand-in state');
    },
    gateway: () => local.agentcore.state().gateways.find((g) => g.name === document.gateway.name)!,
    close: () => local.close(),
  };
}
