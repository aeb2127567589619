import type { CimdDestination } from '../../../functions/adapters/cimd/destination';
import { reconcileCimd } from '../../../functions/adapters/cimd/reconcile-cimd';
import { sha256 } from '../../../functions/core/cimd/digest';
import type { ObservedCimd } from '../../../functions/core/cimd/plan-cimd';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import type { DesiredCimd } from '../../../functions/core/desired/cimd';
import type { DesiredState } from '../../../functions/core/desired/document';
import { seedDesired, seedWith } from '../../support/seed';

type WithCimd = DesiredState & { cimd: DesiredCimd };
const desired = seedDesired() as WithCimd;
const rendered = renderCimdDocument(desired.cimd);
const inSync: ObservedCimd = { exists: true, sha256: sha256(rendered.text), bytes: rendered.bytes, attributes: { mode: '0644' } };

/** A destination that records what it was asked, observing `observed` and reading back `after` from publish. */
function fake(observed: ObservedCimd, after: ObservedCimd = inSync) {
  const calls: string[] = [];
  const destination: CimdDestination = {
    description: 'fake',
    attributes: { mode: '0644' },
    observe: async () => (calls.push('observe'), observed),
    publish: async (r) => (calls.push(`publish ${sha256(r.text) === sha256(rendered.text)}`), after),
  };
  return { destination, calls };
}

describe('reconcileCimd', () => {
  it('publishes a missing document and requires the read-back to be in sync', async () => {
    const { destination, calls } = fake({ exists: false });
    await expect(reconcileCimd(desired, destination, { mode: 'publish' })).resolves.toMatchObject({ outcome: 'created', plan: { action: 'create' } });
    expect(calls).toEqual(['observe', 'publish true']);
  });

  it('writes nothing when the plan is a noop', async () => {
    const { destination, calls } = fake(inSync);
    await expect(reconcileCimd(desired, destination, { mode: 'publish' })).resolves.toMatchObject({ outcome: 'unchanged' });
    expect(calls).toEqual(['observe']);
  });

  it('observe mode reports drift and never publishes', async () => {
    const { destination, calls } = fake({ exists: false });
    await expect(reconcileCimd(desired, destination, { mode: 'observe' })).resolves.toMatchObject({ mode: 'observe', outcome: 'drifted' });
    expect(calls).toEqual(['observe']);
  });

  it('fails with CimdNotConvergedError when the read-back still differs, naming what', async () => {
    const { destination } = fake({ exists: false }, { ...inSync, attributes: { mode: '0600' } });
    await expect(reconcileCimd(desired, destination, { mode: 'publish' })).rejects.toMatchObject({ name: 'CimdNotConvergedError', fields: ['(mode)'], message: expect.stringContaining('still differs after publishing: (mode)') });
  });

  it('refuses a document failing lint before observing anything', async () => {
    const { destination, calls } = fake({ exists: false });
    const bad = seedWith((r) => (r.cimd.document.client_id = 'https://other.example.com/x.json')) as WithCimd;
    await expect(reconcileCimd(bad, destination, { mode: 'observe' })).rejects.toMatchObject({ name: 'CimdDocumentRejectedError', rules: [{ ruleId: 'cimd-client-id-mismatch' }] });
    expect(calls).toEqual([]);
  });

  it('refuses to replace a directory or link, writing nothing', async () => {
    const { destination, calls } = fake({ exists: true, conflict: 'a symbolic link' });
    await expect(reconcileCimd(desired, destination, { mode: 'publish' })).rejects.toMatchObject({ name: 'CimdPublishFailedError' });
    expect(calls).toEqual(['observe']);
  });
});
