import { diffJsonFields, planCimdDocument, publishableCimd, sha256 } from '../../../../functions/core/cimd/plan-cimd';
import { renderCimdDocument } from '../../../../functions/core/cimd/render-cimd';
import { seedDesired, seedWith } from '../../../support/seed';

const URL = 'https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json';
const rendered = () => renderCimdDocument(seedDesired().cimd!);

describe('planCimdDocument', () => {
  it('creates a missing document', () => {
    expect(planCimdDocument(URL, rendered(), { exists: false })).toMatchObject({ action: 'create', reason: 'missing', after: { sha256: sha256(rendered().text), bytes: rendered().bytes } });
  });

  it('is a noop when the hash matches (a republish writes nothing)', () => {
    const r = rendered();
    expect(planCimdDocument(URL, r, { exists: true, sha256: sha256(r.text), bytes: r.bytes })).toMatchObject({ action: 'noop', reason: 'in-sync', fields: [] });
  });

  it('names the JSON fields of a hand-edited file', () => {
    const r = rendered();
    const edited = { ...r.document, redirect_uris: ['https://evil.example.net/cb'], client_name: 'Edited' };
    const content = JSON.stringify(edited);
    const plan = planCimdDocument(URL, r, { exists: true, sha256: sha256(content), bytes: content.length, content });
    expect(plan.action).toBe('update');
    expect(plan.reason).toBe('differs');
    expect(plan.fields).toEqual([
      { field: 'client_name', expected: 'MCP Inspector AWS CIMD Client', actual: 'Edited' },
      { field: 'redirect_uris', expected: ['http://127.0.0.1/oauth/callback'], actual: ['https://evil.example.net/cb'] },
    ]);
  });

  it('reports an added field and a removed one', () => {
    const r = rendered();
    const { client_name: _dropped, ...rest } = r.document;
    const content = JSON.stringify({ ...rest, client_secret: 'leaked' });
    expect(planCimdDocument(URL, r, { exists: true, sha256: sha256(content), content }).fields.map((f) => f.field)).toEqual(['client_name', 'client_secret']);
  });

  it('updates a file that differs only in formatting, saying so', () => {
    const r = rendered();
    const content = JSON.stringify(r.document);
    expect(planCimdDocument(URL, r, { exists: true, sha256: sha256(content), content })).toMatchObject({ action: 'update', reason: 'formatting', fields: [] });
  });

  it.each([
    ['not JSON', '<html>MARKER-91c</html>'],
    ['a JSON array', '["MARKER-91c"]'],
    ['an object without client_id', '{"note":"MARKER-91c"}'],
    ["another client's document", '{"client_id":"https://cimd.example.com/other.json","client_name":"MARKER-91c"}'],
  ])('names content that is %s by size and hash only, never quoting it (reason foreign)', (_, content) => {
    const plan = planCimdDocument(URL, rendered(), { exists: true, sha256: sha256(content), bytes: Buffer.byteLength(content), content });
    expect(plan).toMatchObject({
      action: 'update',
      reason: 'foreign',
      fields: [{ field: '(document)', expected: 'a keygate CIMD document', actual: `not a keygate CIMD document (${Buffer.byteLength(content)} bytes, sha256 ${sha256(content)})` }],
    });
    expect(JSON.stringify(plan)).not.toContain('MARKER');
  });

  it('a file the host executor marked foreign is planned the same way', () => {
    expect(planCimdDocument(URL, rendered(), { exists: true, sha256: 'ab'.repeat(32), bytes: 12, foreign: true, attributes: { mode: '0600' } }, { mode: '0644' })).toMatchObject({
      reason: 'foreign',
      fields: [{ actual: `not a keygate CIMD document (12 bytes, sha256 ${'ab'.repeat(32)})` }],
    });
  });

  it('compares fields as JSON values: key order inside a nested object is no difference', () => {
    expect(diffJsonFields({ jwks: { keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] } }, { jwks: { keys: [{ e: 'AQAB', n: 'x', kty: 'RSA' }] } })).toEqual([]);
    expect(diffJsonFields({ grant_types: ['a', 'b'] }, { grant_types: ['b', 'a'] }).map((f) => f.field)).toEqual(['grant_types']);
  });

  it('never repeats the value of a client_secret found in the published file', () => {
    const r = rendered();
    const content = JSON.stringify({ ...r.document, client_secret: 'leaked-value' });
    const plan = planCimdDocument(URL, r, { exists: true, sha256: sha256(content), content });
    expect(plan.fields).toEqual([{ field: 'client_secret', expected: null, actual: '(redacted)' }]);
    expect(JSON.stringify(plan)).not.toContain('leaked-value');
  });

  it('compares the destination attributes: same bytes with another mode is an update naming the mode', () => {
    const r = rendered();
    const same = { exists: true, sha256: sha256(r.text), bytes: r.bytes };
    expect(planCimdDocument(URL, r, { ...same, attributes: { mode: '0644' } }, { mode: '0644' })).toMatchObject({ action: 'noop', reason: 'in-sync' });
    expect(planCimdDocument(URL, r, { ...same, attributes: { mode: '0600' } }, { mode: '0644' })).toMatchObject({ action: 'update', reason: 'attributes', fields: [{ field: '(mode)', expected: '0644', actual: '0600' }] });
    const content = JSON.stringify(r.document);
    expect(planCimdDocument(URL, r, { exists: true, sha256: sha256(content), content, attributes: { contentType: 'text/plain', cacheControl: 'no-store' } }, { contentType: 'application/json', cacheControl: 'no-store' })).toMatchObject({
      action: 'update',
      reason: 'attributes',
      fields: [{ field: '(contentType)', expected: 'application/json', actual: 'text/plain' }],
    });
  });

  it('names a directory or link that stands where the document belongs', () => {
    expect(planCimdDocument(URL, rendered(), { exists: true, conflict: 'a directory' })).toMatchObject({ action: 'update', reason: 'conflict', fields: [{ field: '(document)', expected: 'a regular file', actual: 'a directory' }] });
  });

  it('an observation without content (too large to print) still plans an update by hash', () => {
    expect(planCimdDocument(URL, rendered(), { exists: true, sha256: 'f'.repeat(64), bytes: 20_000 })).toMatchObject({ action: 'update', reason: 'differs', fields: [{ field: '(document)', actual: 'f'.repeat(64) }] });
  });
});

describe('publishableCimd', () => {
  it('renders the seed document', () => {
    const result = publishableCimd(seedDesired());
    expect('rendered' in result && result.rendered.document.client_id).toBe(URL);
  });

  it('refuses a document that fails the CIMD lint rules, naming the rule', () => {
    const result = publishableCimd(seedWith((r) => (r.cimd.document.client_secret = 's3cr3t')));
    expect('rejected' in result && result.rejected.map((f) => f.ruleId)).toEqual(['cimd-client-secret']);
  });
});
