import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listGateways } from '../../../../functions/adapters/agentcore/gateway-repository';
import { listGatewayTargets } from '../../../../functions/adapters/agentcore/gateway-target-repository';
import { FAKE_CREDENTIALS } from '../../../support/capture-http';

// The list reads follow every page with the SDK's paginators; the Lambda's abort signal (its
// remaining time) must reach each page's request, as it does every other call, so a hung page ends
// the invocation cleanly instead of running into the Lambda timeout.

let server: Server;
let client: BedrockAgentCoreControlClient;
const requests: string[] = [];
/** Aborts once the server has the request (a timer could fire first on a busy machine). */
let abortOnArrival = new AbortController();

beforeAll(async () => {
  // Answers nothing: every request hangs until the client gives up.
  server = createServer((req) => {
    requests.push(`${req.method} ${req.url}`);
    abortOnArrival.abort();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new BedrockAgentCoreControlClient({ endpoint: `http://127.0.0.1:${port}`, region: 'eu-central-1', credentials: FAKE_CREDENTIALS, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it.each([
  ['ListGateways', () => listGateways({ client, signal: abortOnArrival.signal }), /^GET \/gateways\/?/],
  ['ListGatewayTargets', () => listGatewayTargets('gw-0123456789', { client, signal: abortOnArrival.signal }), /^GET \/gateways\/gw-0123456789\/targets\/?/],
])('%s stops when the signal aborts', async (_name, list, path) => {
  requests.length = 0;
  abortOnArrival = new AbortController();
  await expect(list()).rejects.toMatchObject({ name: expect.stringMatching(/AbortError|TimeoutError/) });
  expect(requests).toEqual([expect.stringMatching(path)]);
});
