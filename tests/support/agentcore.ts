import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import type { AgentCoreEmulator } from '../../emulators/agentcore';
import { FAKE_CREDENTIALS } from './capture-http';

/** The real SDK client, pointed at an emulator through an endpoint override. */
export function clientFor(emulator: AgentCoreEmulator, extra: Partial<ConstructorParameters<typeof BedrockAgentCoreControlClient>[0]> = {}) {
  return new BedrockAgentCoreControlClient({ endpoint: emulator.url, region: emulator.region, credentials: FAKE_CREDENTIALS, ...extra });
}

/** A clock tests move by hand, so that lifecycle delays pass without sleeping. */
export function manualClock(start = Date.parse('2026-11-21T10:00:00.000Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}
