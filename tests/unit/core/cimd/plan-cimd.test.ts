import { planCimdDocument, publishableCimd, sha256 } from '../../../../functions/core/cimd/plan-cimd';
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
      { field: 'redirect_uris', expected: ['http://127.0.0.1:6274/oauth/callback'], actual: ['https://evil.example.net/cb'] },
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

  it('updates a file that is not JSON', () => {
    expect(planCimdDocument(URL, rendered(), { exists: true, sha256: sha256('<html>'), content: '<html>' })).toMatchObject({ action: 'update', reason: 'unparsable' });
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
