import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { encodeDocument } from '../../../functions/core/desired/encoding';
import { handler } from '../../../functions/load-desired-state';
import { invoke } from '../../support/lambda';
import { seedRaw, seedText } from '../../support/seed';

const ssm = mockClient(SSMClient);
const PARAMETER = '/keygate/keygate-dev/desired-state';

// The function reads its environment once, on the first invocation (as at a Lambda cold start).
process.env.DESIRED_STATE_PARAMETER = PARAMETER;
process.env.KEYCLOAK_INSTANCE_ID = 'i-0123456789abcdef0';
process.env.VPC_ENDPOINT_PARAMETER_NAME = '/keygate/mcp-keycloak-agentcore/gateway-vpce-id';
process.env.CIMD_PUBLISH_BUCKET = 'cimd-docs';
process.env.CIMD_PUBLISH_KEY = 'oauth/client-metadata.json';

beforeEach(() => ssm.reset());

describe('load-desired-state handler', () => {
  it('reads the stack parameter when the input has no document', async () => {
    // Prepare
    ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Name: PARAMETER, Value: encodeDocument(seedRaw()) } });
    // Act
    const out = await invoke(handler, { request: {}, correlationId: 'arn:aws:states:exec:1' });
    // Assess
    expect(out.desired.gateway.name).toBe('mcp-gateway-keycloak-demo');
    expect(out.warnings.map((w) => w.ruleId)).toEqual(['http-scheme-allowed']);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it('uses an inline document from the execution input without reading the parameter', async () => {
    const out = await invoke(handler, { request: { desiredState: seedText() } });
    expect(out.desired.keycloak.realm.name).toBe('mcp-demo');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 0);
  });

  it('fails with DesiredStateInvalidError when the parameter is missing', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: {}, message: 'not found' }));
    await expect(invoke(handler, { request: {} })).rejects.toMatchObject({ name: 'DesiredStateInvalidError', problems: [{ message: 'the parameter does not exist' }] });
  });

  it('refuses a document for another Keycloak instance than the stack was deployed for', async () => {
    const raw = seedRaw();
    raw.keycloak.instanceId = 'i-0fedcba9876543210';
    await expect(invoke(handler, { request: { desiredState: raw } })).rejects.toMatchObject({
      name: 'DesiredStateInvalidError',
      problems: [{ path: 'keycloak.instanceId', message: expect.stringContaining('this stack was deployed for i-0123456789abcdef0') }],
    });
  });

  it('refuses an input document naming another VPC endpoint parameter than the stack watches (it would never be rotated)', async () => {
    // Prepare
    const raw = seedRaw();
    raw.resourcePolicy.vpcEndpoint.parameterName = '/other/gateway-vpce-id';
    ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Name: PARAMETER, Value: encodeDocument(raw) } });
    // Act, Assess: from the execution input as from the stack's parameter
    for (const request of [{ desiredState: raw }, { desiredState: seedText().replace('/keygate/mcp-keycloak-agentcore/gateway-vpce-id', '/other/gateway-vpce-id') }, {}]) {
      await expect(invoke(handler, { request })).rejects.toMatchObject({
        name: 'DesiredStateInvalidError',
        problems: [{ path: 'resourcePolicy.vpcEndpoint.parameterName', message: 'is "/other/gateway-vpce-id", but this stack watches "/keygate/mcp-keycloak-agentcore/gateway-vpce-id" for endpoint changes' }],
      });
    }
  });

  it('accepts the S3 object the stack may write, and refuses another one (its IAM policy names one object)', async () => {
    const raw = seedRaw();
    raw.cimd.publish = { s3: { bucket: 'cimd-docs', key: 'oauth/client-metadata.json' } };
    await expect(invoke(handler, { request: { desiredState: raw } })).resolves.toMatchObject({ desired: { cimd: { publish: { s3: { bucket: 'cimd-docs' } } } } });
    raw.cimd.publish.s3.key = 'other/oauth/client-metadata.json';
    await expect(invoke(handler, { request: { desiredState: raw } })).rejects.toMatchObject({
      name: 'DesiredStateInvalidError',
      problems: [{ path: 'cimd.publish.s3', message: expect.stringContaining('this stack was deployed to publish s3://cimd-docs/oauth/client-metadata.json'), fix: expect.stringContaining('keygate parameters') }],
    });
  });

  it('refuses semantic search in a stack deployed without it (its IAM policy does not allow SynchronizeGatewayTargets), and accepts it in one deployed for it', async () => {
    const raw = seedRaw();
    raw.gateway.protocol = { ...raw.gateway.protocol, searchType: 'SEMANTIC' };
    await expect(invoke(handler, { request: { desiredState: raw } })).rejects.toMatchObject({
      name: 'DesiredStateInvalidError',
      problems: [{ path: 'gateway.protocol.searchType', message: expect.stringContaining('does not allow SynchronizeGatewayTargets'), fix: expect.stringContaining('keygate parameters') }],
    });
    process.env.GATEWAY_SEARCH_TYPE = 'SEMANTIC';
    try {
      await expect(invoke(handler, { request: { desiredState: raw } })).resolves.toMatchObject({ desired: { gateway: { protocol: { searchType: 'SEMANTIC' } } } });
    } finally {
      delete process.env.GATEWAY_SEARCH_TYPE;
    }
  });

  it('refuses an invalid document listing every problem', async () => {
    const raw = seedRaw();
    raw.gateway.nmae = 'x';
    raw.targets = [];
    await expect(invoke(handler, { request: { desiredState: raw } })).rejects.toMatchObject({
      name: 'DesiredStateInvalidError',
      problems: [
        { path: 'gateway.nmae', message: 'unknown key (did you mean "name"?)' },
        { path: 'targets', message: 'declare at least one MCP server target' },
      ],
    });
  });

  it('lets SDK throttling through unchanged so Step Functions retries it', async () => {
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(invoke(handler, { request: {} })).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
