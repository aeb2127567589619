import type { AgentCoreEmulator, EmulatorOptions } from '../../emulators/agentcore';
import { STACK, startWorld as startLocalWorld, type LocalWorld } from '../../emulators/world';
import type { RunOptions, RunResult } from '../../emulators/stepfunctions';
import { seedRaw } from './seed';

/** Emulated service time runs this many times faster; the state machines' waits are scaled alike. */
export const SPEED = 400;
export const OWNER = STACK.owner;

export interface World {
  emulator: AgentCoreEmulator;
  local: LocalWorld;
  /** `overrides`: runner options for this execution (e.g. a handler wrapped to act in the middle of the run). */
  provision(document?: unknown, overrides?: Partial<RunOptions>): Promise<RunResult>;
  teardown(document?: unknown, overrides?: Partial<RunOptions>): Promise<RunResult>;
  close(): Promise<void>;
}

/**
 * The local world (emulators/world: AgentCore, SSM running the real host executor, the Keycloak
 * stand-in) with the real state machines and handlers: the integration tests' world. Executions take
 * the document inline, with its Keycloak admin URL pointed at the stand-in and live verification off
 * (there is no MCP server to verify against here; tests/integration/verify runs it against real peers).
 */
export async function startWorld(options: EmulatorOptions = {}): Promise<World> {
  const local = await startLocalWorld({ document: seedRaw(), speed: SPEED, agentcore: options });
  const forWorld = (document: unknown): unknown => {
    if (!document || typeof document !== 'object') return document;
    const raw = structuredClone(document) as Record<string, any>;
    raw.keycloak = { ...raw.keycloak, admin: { ...raw.keycloak.admin, url: local.document.keycloak.admin.url } };
    raw.verify = { ...(raw.verify ?? {}), enabled: false };
    return raw;
  };
  return {
    emulator: local.agentcore,
    local,
    // `executionName` names the execution as the world lists it (ListExecutions), not only inside the run.
    provision: (document = seedRaw(), { executionName, ...overrides } = {}) => local.run('provision', { document: forWorld(document), ...(executionName ? { executionName } : {}), overrides }),
    teardown: (document = seedRaw(), overrides) => local.run('teardown', { document: forWorld(document), ...(overrides ? { overrides } : {}) }),
    close: () => local.close(),
  };
}

/** The seed document with `count` targets (tools-1 … tools-N). */
export function seedWithTargets(count: number): Record<string, any> {
  const raw = seedRaw();
  const template = raw.targets[0];
  raw.targets = Array.from({ length: count }, (_, i) => ({ ...template, name: `tools-${i + 1}`, endpoint: `https://tools-${i + 1}.agentcore-keycloak-example.com/mcp` }));
  // The seed's verification expects the tools of my-mcp-server, which these documents replace.
  raw.verify = { ...raw.verify, expectedTools: raw.targets.map((t: { name: string }) => `${t.name}___add_numbers`), toolCalls: [] };
  return raw;
}

/** State names in the order they were entered (top level and Map iterations). */
export const enteredStates = (run: RunResult) => run.events.filter((e) => e.type === 'StateEntered').map((e) => e.state!.name);
