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
process.env.CIMD_PUBLISH_DIRECTORY = '/opt/cimd/public';

/** The stack's parameter holds `raw` (the seed unless given). */
const deployed = (raw: Record<string, any> = seedRaw()) => ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Name: PARAMETER, Value: encodeDocument(raw) } });

beforeEach(() => {
  ssm.reset();
  deployed();
});

describe('load-desired-state handler', () => {
  it('reads the stack parameter when the input has no document', async () => {
    // Prepare
    ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Name: PARAMETER, Value: encodeDocument(seedRaw()) } });
    // Act
    const out = await invoke(handler, { request: {}, correlationId: 'arn:aws:states:exec:1' });
    // Assess
    expect(out.desired.gateway.name).toBe('mcp-gateway-keycloak-demo');
    expect(out.warnings).toEqual([]);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    // The seed publishes its CIMD document as a file on the Keycloak host: the host publisher's step.
    expect(out.cimdDestination).toBe('host');
  });

  it('uses an inline document from the execution input, reading the parameter only to compare cimd.publish', async () => {
    const out = await invoke(handler, { request: { desiredState: seedText() } });
    expect(out.desired.keycloak.realm.name).toBe('mcp-demo');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it.each([
    ['another host path', (r: Record<string, any>) => (r.cimd.publish.host.path = '/opt/cimd/public/oauth/other.json'), 'is the host file /opt/cimd/public/oauth/other.json (mode 0644), but the stack was deployed to publish the host file /opt/cimd/public/oauth/client-metadata.json (mode 0644)'],
    ['another mode', (r: Record<string, any>) => (r.cimd.publish.host.mode = '0600'), 'is the host file /opt/cimd/public/oauth/client-metadata.json (mode 0600), but'],
    ['no publish at all', (r: Record<string, any>) => delete r.cimd.publish, 'is nothing (no cimd.publish), but'],
  ])('refuses an execution input whose cimd.publish differs from the deployed document\'s: %s', async (_, edit, message) => {
    const raw = seedRaw();
    edit(raw);
    await expect(invoke(handler, { request: { desiredState: raw } })).rejects.toMatchObject({
      name: 'DesiredStateInvalidError',
      problems: [{ path: 'cimd.publish', message: expect.stringContaining(message), fix: expect.stringContaining('start the execution with {}') }],
    });
  });

  it('accepts an input that spells the deployed cimd.publish with its defaults left out or written', async () => {
    const raw = seedRaw();
    raw.cimd.publish.host.mode = '0644';
    const lean = seedRaw();
    delete lean.cimd.publish.host.mode;
    for (const desiredState of [raw, lean]) await expect(invoke(handler, { request: { desiredState } })).resolves.toMatchObject({ desired: { cimd: { publish: { host: { mode: '0644' } } } } });
  });

  it('refuses an execution input when the deployed document cannot be read to compare', async () => {
    ssm.reset();
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: {}, message: 'not found' }));
    await expect(invoke(handler, { request: { desiredState: seedRaw() } })).rejects.toMatchObject({
      name: 'DesiredStateInvalidError',
      problems: [{ path: 'cimd.publish', message: expect.stringContaining('the stack\'s desired-state parameter does not exist') }],
    });
  });

  it('refuses a path outside the stack\'s publish directory, from the input and from the parameter', async () => {
    const raw = seedRaw();
    raw.cimd.publish.host.path = '/etc/passwd';
    deployed(raw);
    for (const request of [{ desiredState: raw }, {}]) {
      await expect(invoke(handler, { request })).rejects.toMatchObject({
        name: 'DesiredStateInvalidError',
        problems: [expect.objectContaining({ path: 'cimd.publish.host.path', ruleId: 'cimd-publish-path-outside-directory' })],
      });
    }
  });

  it('names no CIMD publisher for a document keygate does not publish (the host publisher reports it skipped)', async () => {
    const withoutPublish = seedRaw();
    delete withoutPublish.cimd.publish;
    deployed(withoutPublish);
    await expect(invoke(handler, { request: {} })).resolves.toMatchObject({ cimdDestination: 'none' });
    const withoutCimd = seedRaw();
    delete withoutCimd.cimd;
    deployed(withoutCimd);
    await expect(invoke(handler, { request: {} })).resolves.toMatchObject({ cimdDestination: 'none' });
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
    deployed(raw);
    await expect(invoke(handler, { request: { desiredState: raw } })).resolves.toMatchObject({ desired: { cimd: { publish: { s3: { bucket: 'cimd-docs' } } } }, cimdDestination: 's3' });
    raw.cimd.publish.s3.key = 'other/oauth/client-metadata.json';
    deployed(raw);
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
