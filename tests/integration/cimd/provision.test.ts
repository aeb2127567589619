import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { RunResult } from '../../../emulators/stepfunctions';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import { enteredStates, startWorld, type World } from '../../support/provisioning';
import { seedDesired } from '../../support/seed';

// The "Publish CIMD Document" step of provision.asl.json: the real machine and handlers, the SSM
// emulator running the host executor, which writes under the world's host root.

const PATH = '/opt/cimd/public/oauth/client-metadata.json';
const TEXT = renderCimdDocument(seedDesired().cimd!).text;
let world: World;
const file = () => world.local.hostFile(PATH);
/** What the step left at $.cimd. */
const cimdOutcome = (run: RunResult) => {
  const exited = run.events.filter((e) => e.type === 'StateExited' && e.state?.name === 'Publish CIMD Document');
  return (exited.at(-1)?.state as { output?: { cimd?: unknown } } | undefined)?.output?.cimd;
};

beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

describe('provisioning publishes the CIMD document', () => {
  it('writes it on the first run, before verification', async () => {
    const run = await world.provision();
    expect(run.status).toBe('SUCCEEDED');
    expect(cimdOutcome(run)).toMatchObject({ mode: 'publish', outcome: 'created', plan: { action: 'create' } });
    expect(readFileSync(file(), 'utf8')).toBe(TEXT);
    const states = enteredStates(run);
    expect(states.indexOf('Publish CIMD Document')).toBeLessThan(states.indexOf('Verify Chain'));
  });

  it('restores a hand-edited file on the next run, and leaves a correct one alone', async () => {
    writeFileSync(file(), TEXT.replace('MCP Inspector AWS CIMD Client', 'edited'));
    const repaired = await world.provision();
    expect(cimdOutcome(repaired)).toMatchObject({ outcome: 'updated', plan: { fields: [{ field: 'client_name', actual: 'edited' }] } });
    expect(readFileSync(file(), 'utf8')).toBe(TEXT);
    const again = await world.provision();
    expect(cimdOutcome(again)).toMatchObject({ outcome: 'unchanged' });
  });

  it('fails provisioning, before verification, when the document cannot be written', async () => {
    rmSync(file());
    mkdirSync(file());
    try {
      const run = await world.provision();
      expect(run).toMatchObject({ status: 'FAILED', error: 'CimdPublishFailedError' });
      expect(run.cause).toMatch(/a directory stands there/);
      expect(enteredStates(run)).not.toContain('Verify Chain');
    } finally {
      rmSync(file(), { recursive: true });
    }
  });
});
