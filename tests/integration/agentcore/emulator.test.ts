import {
  AccessDeniedException,
  ConflictException,
  CreateGatewayCommand,
  CreateGatewayTargetCommand,
  DeleteGatewayCommand,
  DeleteGatewayTargetCommand,
  DeleteResourcePolicyCommand,
  GetGatewayCommand,
  GetGatewayTargetCommand,
  GetResourcePolicyCommand,
  ListGatewayTargetsCommand,
  ListTagsForResourceCommand,
  paginateListGateways,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  UpdateGatewayCommand,
  ValidationException,
  type BedrockAgentCoreControlClient,
  type CreateGatewayCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { request as httpRequest } from 'node:http';
import { start, type AgentCoreEmulator } from '../../../emulators/agentcore';
import { clientFor, manualClock } from '../../support/agentcore';

const ROLE = 'arn:aws:iam::111122223333:role/keygate-gateway';
const gatewayRequest = (name: string, extra: Partial<CreateGatewayCommandInput> = {}): CreateGatewayCommandInput => ({
  name,
  roleArn: ROLE,
  authorizerType: 'CUSTOM_JWT',
  protocolType: 'MCP',
  authorizerConfiguration: {
    customJWTAuthorizer: { discoveryUrl: 'https://idp.example.com/realms/demo/.well-known/openid-configuration', allowedAudience: ['mcp-gateway-demo'] },
  },
  ...extra,
});
const targetRequest = (gatewayIdentifier: string, name: string) => ({
  gatewayIdentifier,
  name,
  targetConfiguration: { mcp: { mcpServer: { endpoint: `https://${name}.example.com/mcp` } } },
});
const policyFor = (arn: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock-agentcore:InvokeGateway', Resource: arn }] });

/** Raw signed-looking request for wire checks the SDK would not make (other path forms). */
function raw(emulator: AgentCoreEmulator, method: string, path: string, service = 'bedrock-agentcore') {
  return fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/eu-central-1/${service}/aws4_request, SignedHeaders=host, Signature=0` },
  });
}

describe('AgentCore emulator, through the real SDK client', () => {
  const clock = manualClock();
  let emulator: AgentCoreEmulator;
  let client: BedrockAgentCoreControlClient;

  beforeEach(async () => {
    emulator = await start({ now: clock.now, pageSize: 5, seed: 7 });
    client = clientFor(emulator);
  });
  afterEach(async () => {
    client.destroy();
    await emulator.close();
  });

  async function readyGateway(name = 'demo-gw') {
    const created = await client.send(new CreateGatewayCommand(gatewayRequest(name)));
    clock.advance(20_000);
    return created;
  }

  it('creates a gateway CREATING, answers 202, and reports READY after the gateway delay', async () => {
    // Act
    const created = await client.send(new CreateGatewayCommand(gatewayRequest('demo-gw')));
    const before = await client.send(new GetGatewayCommand({ gatewayIdentifier: created.gatewayId }));
    clock.advance(20_000);
    const after = await client.send(new GetGatewayCommand({ gatewayIdentifier: created.gatewayId }));
    // Assess
    expect(created.gatewayId).toMatch(/^demo-gw-[0-9a-z]{10}$/);
    expect(created.gatewayArn).toBe(`arn:aws:bedrock-agentcore:eu-central-1:111122223333:gateway/${created.gatewayId}`);
    expect(created.gatewayUrl).toBe(`https://${created.gatewayId}.gateway.bedrock-agentcore.eu-central-1.amazonaws.com/mcp`);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(before.status).toBe('CREATING');
    expect(after.status).toBe('READY');
    expect(after.workloadIdentityDetails?.workloadIdentityArn).toContain(created.gatewayId);
    expect(emulator.calls.map((c) => [c.op, c.method, c.path, c.status])).toEqual([
      ['CreateGateway', 'POST', '/gateways/', 202],
      ['GetGateway', 'GET', `/gateways/${created.gatewayId}/`, 200],
      ['GetGateway', 'GET', `/gateways/${created.gatewayId}/`, 200],
    ]);
  });

  it('writes RFC 3339 timestamps with milliseconds', async () => {
    await readyGateway();
    const response = await raw(emulator, 'GET', '/gateways/');
    const body = (await response.json()) as { items: Array<{ createdAt: string }> };
    expect(body.items[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('accepts paths with and without the trailing slash, and percent-encoded labels', async () => {
    const { gatewayId, gatewayArn } = await readyGateway();
    expect((await raw(emulator, 'GET', `/gateways/${gatewayId}`)).status).toBe(200);
    expect((await raw(emulator, 'GET', `/gateways/${gatewayId}/targets`)).status).toBe(200);
    expect((await raw(emulator, 'GET', `/gateways/${encodeURIComponent(gatewayId!)}/`)).status).toBe(200);
    const unknown = await raw(emulator, 'GET', '/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    // An unencoded ARN label reaches the same policy as the encoded one.
    await client.send(new PutResourcePolicyCommand({ resourceArn: gatewayArn, policy: policyFor(gatewayArn!) }));
    expect((await raw(emulator, 'GET', `/resourcepolicy/${gatewayArn}`)).status).toBe(200);
  });

  it('rejects a request signed for another service name', async () => {
    const response = await raw(emulator, 'GET', '/gateways/', 'bedrock-agentcore-control');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: expect.stringContaining("'bedrock-agentcore'") });
  });

  it.each([
    ['an empty allowedAudience', { allowedAudience: [] }, /allowedAudience must have at least 1 item/],
    ['a scope with a space', { allowedScopes: ['mcp tools'] }, /allowedScopes member "mcp tools" does not match/],
    ['a custom claim without its operator', { customClaims: [{ inboundTokenClaimName: 'azp', inboundTokenClaimValueType: 'STRING', authorizingClaimMatchValue: { claimMatchValue: { matchValueString: 'x' } } }] }, /claimMatchOperator must be/],
    ['a custom claim without its value type', { customClaims: [{ inboundTokenClaimName: 'azp', authorizingClaimMatchValue: { claimMatchValue: { matchValueString: 'x' }, claimMatchOperator: 'EQUALS' } }] }, /inboundTokenClaimValueType must be/],
  ])('refuses %s in the JWT authorizer, as the service does (400 ValidationException)', async (_what, jwt, message) => {
    const request = gatewayRequest('demo-gw');
    Object.assign((request.authorizerConfiguration as { customJWTAuthorizer: object }).customJWTAuthorizer, jwt);
    await expect(client.send(new CreateGatewayCommand(request))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(message) });
    expect(emulator.state().gateways).toEqual([]);
  });

  it('refuses an unknown searchType, a reserved aws: tag and a credential provider without its type', async () => {
    const searchType = gatewayRequest('demo-gw', { protocolConfiguration: { mcp: { searchType: 'FOO' as 'SEMANTIC' } } });
    await expect(client.send(new CreateGatewayCommand(searchType))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/searchType must be SEMANTIC/) });
    await expect(client.send(new CreateGatewayCommand(gatewayRequest('demo-gw', { tags: { 'aws:owner': 'x' } })))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/reserved prefix aws:/) });
    const { gatewayId } = await client.send(new CreateGatewayCommand(gatewayRequest('demo-gw')));
    const target = { ...targetRequest(gatewayId!, 'tools'), credentialProviderConfigurations: [{} as never] };
    await expect(client.send(new CreateGatewayTargetCommand(target))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/credentialProviderType is required/) });
  });

  it('answers the CREATING race with the service text, as a 400 ValidationException', async () => {
    const { gatewayId } = await client.send(new CreateGatewayCommand(gatewayRequest('demo-gw')));
    const error = await client.send(new CreateGatewayTargetCommand(targetRequest(gatewayId!, 'tools'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error).toMatchObject({
      message: 'Cannot perform operation CreateGatewayTarget when gateway is in CREATING status',
      reason: 'FieldValidationFailed',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('creates targets that carry gatewayArn (not gatewayId) and ids of 10 characters', async () => {
    const { gatewayId, gatewayArn } = await readyGateway();
    const target = await client.send(new CreateGatewayTargetCommand(targetRequest(gatewayId!, 'tools')));
    expect(target).toMatchObject({ gatewayArn, status: 'CREATING', name: 'tools', credentialProviderConfigurations: [] });
    expect(target).not.toHaveProperty('gatewayId');
    expect(target.targetId).toMatch(/^[0-9A-Z]{10}$/);
    clock.advance(30_000);
    const ready = await client.send(new GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId: target.targetId }));
    expect(ready.status).toBe('READY');
    expect(ready.lastSynchronizedAt).toBeInstanceOf(Date);
  });

  it('refuses a gateway ARN where the API takes the gateway id', async () => {
    const { gatewayArn } = await readyGateway();
    await expect(client.send(new GetGatewayCommand({ gatewayIdentifier: gatewayArn }))).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('paginates with items and nextToken', async () => {
    for (let i = 0; i < 12; i++) await client.send(new CreateGatewayCommand(gatewayRequest(`gw-${i}`)));
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListGateways({ client }, {})) {
      pages += 1;
      names.push(...(page.items ?? []).map((g) => g.name!));
    }
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `gw-${i}`));
    const last = emulator.callLog({ op: 'ListGateways' }).at(-1)!;
    expect(last.query).toContain('nextToken=');
    expect((await raw(emulator, 'GET', '/gateways/?nextToken=bogus')).status).toBe(400);
  });

  it('is idempotent on clientToken and refuses a reused token with other parameters', async () => {
    const clientToken = 'keygate-0123456789abcdef0123456789abcdef01';
    const first = await client.send(new CreateGatewayCommand(gatewayRequest('demo-gw', { clientToken })));
    const again = await client.send(new CreateGatewayCommand(gatewayRequest('demo-gw', { clientToken })));
    expect(again.gatewayId).toBe(first.gatewayId);
    expect(emulator.state().gateways).toHaveLength(1);
    const mismatch = await client.send(new CreateGatewayCommand(gatewayRequest('other-gw', { clientToken }))).catch((e: unknown) => e);
    expect(mismatch).toMatchObject({ name: 'ValidationException', reason: 'IdempotentParameterMismatchException' });
    await expect(client.send(new CreateGatewayCommand(gatewayRequest('demo-gw')))).rejects.toBeInstanceOf(ConflictException);
  });

  it('ends FAILED with statusReasons on demand, and UPDATE_UNSUCCESSFUL for an update', async () => {
    emulator.failNext({ kind: 'gateway', name: 'demo-gw', reasons: ['Role validation failed'] });
    const { gatewayId } = await readyGateway();
    const failed = await client.send(new GetGatewayCommand({ gatewayIdentifier: gatewayId }));
    expect(failed).toMatchObject({ status: 'FAILED', statusReasons: ['Role validation failed'] });
    emulator.failNext({ kind: 'gateway', name: 'demo-gw', reasons: ['still broken'] });
    await client.send(new UpdateGatewayCommand({ gatewayIdentifier: gatewayId, ...gatewayRequest('demo-gw') }));
    clock.advance(10_000);
    expect(await client.send(new GetGatewayCommand({ gatewayIdentifier: gatewayId }))).toMatchObject({ status: 'UPDATE_UNSUCCESSFUL', statusReasons: ['still broken'] });
  });

  it('puts a target into CREATE_PENDING_AUTH with its authorization URL on demand', async () => {
    const { gatewayId } = await readyGateway();
    emulator.requireConsent({ name: 'oauth-tools', authorizationUrl: 'https://idp.example.com/authorize?x=1' });
    const { targetId } = await client.send(new CreateGatewayTargetCommand(targetRequest(gatewayId!, 'oauth-tools')));
    clock.advance(30_000);
    const target = await client.send(new GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId }));
    expect(target).toMatchObject({ status: 'CREATE_PENDING_AUTH', authorizationData: { oauth2: { authorizationUrl: 'https://idp.example.com/authorize?x=1' } } });
    emulator.completeConsent(gatewayId!, targetId!);
    expect((await client.send(new GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId }))).status).toBe('READY');
  });

  it('throttles bursts with 429: short bursts are absorbed by the SDK retries, longer ones surface', async () => {
    emulator.throttle(2);
    await client.send(new ListGatewayTargetsCommand({ gatewayIdentifier: 'missing-gw-0123456789' })).catch(() => undefined);
    expect(emulator.calls.map((c) => c.status)).toEqual([429, 429, 404]);
    expect(emulator.calls[0]!.errorType).toBe('ThrottlingException');
    emulator.throttle(3, ['GetGateway']);
    await expect(client.send(new GetGatewayCommand({ gatewayIdentifier: 'missing-gw-0123456789' }))).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('rejects a sixth concurrent target operation on one gateway with a 402 quota error', async () => {
    const { gatewayId } = await readyGateway();
    for (let i = 0; i < 5; i++) await client.send(new CreateGatewayTargetCommand(targetRequest(gatewayId!, `t${i}`)));
    const sixth = await client.send(new CreateGatewayTargetCommand(targetRequest(gatewayId!, 't5'))).catch((e: unknown) => e);
    expect(sixth).toBeInstanceOf(ServiceQuotaExceededException);
    expect((sixth as ServiceQuotaExceededException).$metadata.httpStatusCode).toBe(402);
    expect(emulator.calls.at(-1)).toMatchObject({ op: 'CreateGatewayTarget', status: 402, targetOperations: 5 });
    clock.advance(30_000);
    await expect(client.send(new CreateGatewayTargetCommand(targetRequest(gatewayId!, 't5')))).resolves.toMatchObject({ status: 'CREATING' });
  });

  it('refuses to delete a gateway that has targets and a target that is still CREATING; deletes in order', async () => {
    const { gatewayId } = await readyGateway();
    const { targetId } = await client.send(new CreateGatewayTargetCommand(targetRequest(gatewayId!, 'tools')));
    await expect(client.send(new DeleteGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId }))).rejects.toThrow(
      'Cannot perform operation DeleteGatewayTarget when target is in CREATING status',
    );
    clock.advance(30_000);
    await expect(client.send(new DeleteGatewayCommand({ gatewayIdentifier: gatewayId }))).rejects.toThrow(/has targets associated with it/);
    await expect(client.send(new DeleteGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId }))).resolves.toMatchObject({ status: 'DELETING' });
    clock.advance(10_000);
    await expect(client.send(new GetGatewayTargetCommand({ gatewayIdentifier: gatewayId, targetId }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new DeleteGatewayCommand({ gatewayIdentifier: gatewayId }))).resolves.toMatchObject({ status: 'DELETING' });
    clock.advance(10_000);
    await expect(client.send(new GetGatewayCommand({ gatewayIdentifier: gatewayId }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('puts (201), gets (200) and deletes (204) a resource policy; no policy is a 404', async () => {
    const { gatewayArn } = await readyGateway();
    const policy = policyFor(gatewayArn!);
    await expect(client.send(new GetResourcePolicyCommand({ resourceArn: gatewayArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new PutResourcePolicyCommand({ resourceArn: gatewayArn, policy }))).resolves.toMatchObject({ policy });
    await expect(client.send(new GetResourcePolicyCommand({ resourceArn: gatewayArn }))).resolves.toMatchObject({ policy });
    await client.send(new DeleteResourcePolicyCommand({ resourceArn: gatewayArn }));
    expect(emulator.calls.filter((c) => c.op.endsWith('ResourcePolicy')).map((c) => [c.op, c.status])).toEqual([
      ['GetResourcePolicy', 404],
      ['PutResourcePolicy', 201],
      ['GetResourcePolicy', 200],
      ['DeleteResourcePolicy', 204],
    ]);
    expect(emulator.calls.at(-1)!.path).toBe(`/resourcepolicy/${encodeURIComponent(gatewayArn!)}`);
    await expect(client.send(new PutResourcePolicyCommand({ resourceArn: gatewayArn, policy: policy.replace(gatewayArn!, '*') }))).rejects.toBeInstanceOf(ValidationException);
  });

  it('can answer a missing policy as a 200 without policy', async () => {
    const other = await start({ now: clock.now, missingPolicy: 'empty' });
    const otherClient = clientFor(other);
    try {
      const { gatewayArn } = await otherClient.send(new CreateGatewayCommand(gatewayRequest('demo-gw')));
      const out = await otherClient.send(new GetResourcePolicyCommand({ resourceArn: gatewayArn }));
      expect(out.policy).toBeUndefined();
    } finally {
      otherClient.destroy();
      await other.close();
    }
  });

  it('keeps tags from CreateGateway for ListTagsForResource', async () => {
    const { gatewayArn } = await client.send(new CreateGatewayCommand(gatewayRequest('demo-gw', { tags: { 'managed-by': 'keygate' } })));
    await expect(client.send(new ListTagsForResourceCommand({ resourceArn: gatewayArn }))).resolves.toMatchObject({ tags: { 'managed-by': 'keygate' } });
  });

  it('lets tests change resources out of band (drift) and lists its state', async () => {
    const { gatewayId } = await readyGateway();
    emulator.editGateway('demo-gw', {
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: 'https://idp.example.com/realms/demo/.well-known/openid-configuration', allowedAudience: ['account'] } },
    });
    const got = await client.send(new GetGatewayCommand({ gatewayIdentifier: gatewayId }));
    expect(got.authorizerConfiguration).toEqual({ customJWTAuthorizer: expect.objectContaining({ allowedAudience: ['account'] }) });
    expect(emulator.state().gateways).toEqual([expect.objectContaining({ gatewayId, name: 'demo-gw', status: 'READY', targets: [] })]);
    expect(emulator.callLog({ mutating: true }).map((c) => c.op)).toEqual(['CreateGateway']);
  });

  it('records how many requests were in flight when each arrived, and how long each took', async () => {
    const { gatewayId } = await readyGateway();
    emulator.resetCalls();
    const { hostname, port } = new URL(emulator.url);
    // Four requests whose bodies are held back, so that all four are inside the emulator at once.
    const held = Array.from({ length: 4 }, () => {
      const req = httpRequest({ host: hostname, port, method: 'GET', path: `/gateways/${gatewayId}`, headers: { 'content-length': '2' } });
      req.flushHeaders();
      return req;
    });
    const answered = held.map((req) => new Promise<void>((resolve) => req.on('response', (res) => res.resume().on('end', () => resolve()))));
    while (emulator.calls.length < 4) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    for (const req of held) req.end('{}');
    await Promise.all(answered);
    expect(emulator.callLog({ op: 'GetGateway' }).map((c) => c.inFlight)).toEqual([1, 2, 3, 4]);
    expect(emulator.calls.every((c) => c.durationMs > 0)).toBe(true);
    // Unsigned, so refused: the emulator checks SigV4 before acting.
    expect(emulator.calls.map((c) => c.status)).not.toContain(200);
  });

  it('scales its delays by speed on the real clock', async () => {
    const fast = await start({ speed: 1000 });
    const fastClient = clientFor(fast);
    try {
      const { gatewayId } = await fastClient.send(new CreateGatewayCommand(gatewayRequest('demo-gw')));
      await new Promise((r) => setTimeout(r, 40)); // 20 s at speed 1000 is 20 ms
      await expect(fastClient.send(new GetGatewayCommand({ gatewayIdentifier: gatewayId }))).resolves.toMatchObject({ status: 'READY' });
    } finally {
      fastClient.destroy();
      await fast.close();
    }
  });

  it('gives a gateway the fixed id asked for by name, so its URL is known before it exists', async () => {
    await expect(start({ gatewayIds: { 'demo-gw': 'other-gw-abcdefghij' } })).rejects.toThrow(/gatewayIds\.demo-gw "other-gw-abcdefghij" is not demo-gw- followed by 10/);
    const fixed = await start({ gatewayIds: { 'demo-gw': 'demo-gw-rehearsal1' } });
    const fixedClient = clientFor(fixed);
    try {
      const created = await fixedClient.send(new CreateGatewayCommand(gatewayRequest('demo-gw')));
      const other = await fixedClient.send(new CreateGatewayCommand(gatewayRequest('other-gw')));
      expect(created.gatewayId).toBe('demo-gw-rehearsal1');
      expect(created.gatewayUrl).toBe(fixed.gatewayUrl('demo-gw-rehearsal1'));
      expect(other.gatewayId).toMatch(/^other-gw-[0-9a-z]{10}$/);
    } finally {
      fixedClient.destroy();
      await fixed.close();
    }
  });
});
