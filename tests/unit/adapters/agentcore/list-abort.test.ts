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
let controller: AbortController;

beforeAll(async () => {
  // Answers nothing: every request hangs until the client gives up, and the signal aborts once the
  // request has arrived (not after a fixed time, which a loaded machine may spend before sending it).
  server = createServer((req) => {
    requests.push(`${req.method} ${req.url}`);
    controller.abort(new DOMException('the page hung', 'TimeoutError'));
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
  ['ListGateways', () => listGateways({ client, signal: controller.signal }), /^GET \/gateways\/?/],
  ['ListGatewayTargets', () => listGatewayTargets('gw-0123456789', { client, signal: controller.signal }), /^GET \/gateways\/gw-0123456789\/targets\/?/],
])('%s stops when the signal aborts', async (_name, list, path) => {
  requests.length = 0;
  controller = new AbortController();
  await expect(list()).rejects.toMatchObject({ name: expect.stringMatching(/AbortError|TimeoutError/) });
  expect(requests).toEqual([expect.stringMatching(path)]);
});
