import { renderCimdDocument } from '../../../../functions/core/cimd/render-cimd';
import { seedDesired } from '../../../support/seed';

describe('renderCimdDocument', () => {
  it('renders the seed document with client_id = URL, in a stable key order', () => {
    const { document, text, bytes } = renderCimdDocument(seedDesired().cimd!);
    expect(document).toEqual({
      client_id: 'https://cimd.agentcore-keycloak-example.com/oauth/client-metadata.json',
      client_name: 'MCP Inspector AWS CIMD Client',
      redirect_uris: ['http://127.0.0.1/oauth/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(Object.keys(document)).toEqual(['client_id', 'client_name', 'redirect_uris', 'grant_types', 'response_types', 'token_endpoint_auth_method']);
    expect(text.endsWith('}\n')).toBe(true);
    expect(bytes).toBe(Buffer.byteLength(text));
  });

  it('gives the same bytes whatever order the keys were written in', () => {
    const a = renderCimdDocument({ url: 'https://c.example.com/x.json', document: { redirect_uris: ['https://a'], client_name: 'n' } });
    const b = renderCimdDocument({ url: 'https://c.example.com/x.json', document: { client_name: 'n', redirect_uris: ['https://a'] } });
    expect(a.text).toBe(b.text);
  });
});
