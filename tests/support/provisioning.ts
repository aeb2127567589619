import { start, type AgentCoreEmulator, type EmulatorOptions } from '../../emulators/agentcore';
import { runStateMachine, type RunResult } from '../../emulators/stepfunctions';
import { KEYGATE_HANDLERS, useLocalEnvironment } from '../../emulators/stepfunctions/handlers';
import { fromRoot } from './paths';
import { seedRaw } from './seed';

/** Emulated service time runs this many times faster; the state machines' waits are scaled alike. */
export const SPEED = 400;
export const OWNER = 'keygate-it';

export interface World {
  emulator: AgentCoreEmulator;
  provision(document?: unknown): Promise<RunResult>;
  teardown(document?: unknown): Promise<RunResult>;
  close(): Promise<void>;
}

/**
 * An AgentCore emulator plus the real state machines and handlers, pointed at it through the SDK's
 * endpoint variable: the integration tests' world. Executions take the document inline.
 */
export async function startWorld(options: EmulatorOptions = {}): Promise<World> {
  const emulator = await start({ speed: SPEED, ...options });
  const restore = useLocalEnvironment({
    agentcoreUrl: emulator.url,
    region: emulator.region,
    owner: OWNER,
    gatewayRoleArn: `arn:aws:iam::${emulator.accountId}:role/${OWNER}-GatewayRole-1A2B3C4D5E6F`,
  });
  let executions = 0;
  const run = (machine: string, document: unknown = seedRaw()) =>
    runStateMachine({
      file: fromRoot('statemachine', `${machine}.asl.json`),
      handlers: KEYGATE_HANDLERS,
      input: { desiredState: withoutLiveVerification(document) },
      executionName: `${machine}-${++executions}`,
      timeScale: SPEED,
    });
  return {
    emulator,
    provision: (document) => run('provision', document),
    teardown: (document) => run('teardown', document),
    close: async () => {
      restore();
      await emulator.close();
    },
  };
}

/**
 * This world emulates AgentCore only: there is no realm or MCP server to verify against, so the live
 * verification step is switched off (verify.enabled: false makes it report "skipped").
 * tests/integration/verify runs it against real peers.
 */
function withoutLiveVerification(document: unknown): unknown {
  if (!document || typeof document !== 'object') return document;
  const raw = structuredClone(document) as Record<string, any>;
  raw.verify = { ...(raw.verify ?? {}), enabled: false };
  return raw;
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
