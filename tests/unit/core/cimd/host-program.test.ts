import { hostCommandParameters } from '../../../../functions/adapters/host/host-runner';
import { cimdObserveOps, cimdPublishOps, observedFromStat } from '../../../../functions/core/cimd/host-program';
import { sha256 } from '../../../../functions/core/cimd/digest';
import { renderCimdDocument } from '../../../../functions/core/cimd/render-cimd';
import { CIMD_MAX_BYTES } from '../../../../functions/core/lint/cimd-rules';
import { commandDocumentFromTemplate } from '../../../../emulators/ssm/template-document';
import { seedDesired } from '../../../support/seed';

const FILE = { path: '/opt/cimd/public/oauth/client-metadata.json', mode: '0644' };
const rendered = renderCimdDocument(seedDesired().cimd!);

describe('CIMD host programs', () => {
  it('observe: one stat-file with the expected hash and the client_id that makes the file keygate\'s', () => {
    expect(cimdObserveOps(FILE, 'ab'.repeat(32), 'https://cimd.example.com/c.json')).toEqual([
      { op: 'stat-file', id: 'cimd', path: FILE.path, expectSha256: 'ab'.repeat(32), clientId: 'https://cimd.example.com/c.json' },
    ]);
  });

  it('publish: the exact bytes with their hash, the mode and the rollback path, then a read-back in the same command', () => {
    expect(cimdPublishOps(FILE, rendered)).toEqual([
      { op: 'write-file', label: `write CIMD document ${FILE.path}`, path: FILE.path, content: rendered.text, sha256: sha256(rendered.text), mode: '0644', previous: `${FILE.path}.previous` },
      { op: 'stat-file', id: 'cimd', path: FILE.path, expectSha256: sha256(rendered.text), clientId: rendered.document.client_id },
    ]);
  });

  it('a publish program of the largest document lint allows fits the Command document parameters with room to spare', () => {
    const document = commandDocumentFromTemplate();
    // Random-looking text compresses badly: the worst case for the gzip'd program.
    const filler = Array.from({ length: 400 }, (_, i) => ((i * 7919) % 99991).toString(36)).join('');
    const big = renderCimdDocument({ url: 'https://cimd.example.com/oauth/client-metadata.json', document: { client_name: 'big', software_version: filler.slice(0, CIMD_MAX_BYTES - 150) } });
    expect(big.bytes).toBeLessThanOrEqual(CIMD_MAX_BYTES);
    const params = hostCommandParameters({ version: 1, region: 'eu-central-1', ops: cimdPublishOps(FILE, big) });
    for (const [name, [value]] of Object.entries(params)) expect(new RegExp(document.parameters![name]!.allowedPattern!).test(value!)).toBe(true);
    expect(params.program![0]!.length).toBeLessThan(10_000);
  });
});

describe('observedFromStat', () => {
  it.each([
    [{ exists: false }, { exists: false }],
    [{ exists: true, sha256: 'x', bytes: 3, mode: '0644' }, { exists: true, sha256: 'x', bytes: 3, attributes: { mode: '0644' } }],
    [{ exists: true, sha256: 'x', bytes: 3, mode: '0600', content: 'abc' }, { exists: true, sha256: 'x', bytes: 3, attributes: { mode: '0600' }, content: 'abc' }],
    [{ exists: true, conflict: 'a directory' }, { exists: true, conflict: 'a directory' }],
    [{ exists: true, sha256: 'x', bytes: 3, mode: '0644', foreign: true }, { exists: true, sha256: 'x', bytes: 3, attributes: { mode: '0644' }, foreign: true }],
    // A foreign file's content is never taken, even if a result carried it.
    [{ exists: true, sha256: 'x', bytes: 3, mode: '0644', foreign: true, content: 'abc' }, { exists: true, sha256: 'x', bytes: 3, attributes: { mode: '0644' }, foreign: true }],
  ])('%j', (stat, observed) => expect(observedFromStat(stat)).toEqual(observed));

  it.each([[null], ['x'], [{ exists: 'yes' }], [{ exists: true, sha256: 'x' }]])('rejects %j', (stat) => expect(observedFromStat(stat)).toBeUndefined());
});
