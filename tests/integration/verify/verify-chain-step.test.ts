import { StateMachine } from 'aws-local-stepfunctions';
import aslValidator from 'asl-validator';
import { readFileSync } from 'node:fs';
import { startChain, type Chain } from '../../../emulators/chain';
import { coldStart } from '../../../emulators/lambda';
import { start as startSsm, type SsmEmulator } from '../../../emulators/ssm';
import { DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../../../functions/core/desired/cimd';
import { encodeDocument } from '../../../functions/core/desired/encoding';
import * as errors from '../../../functions/core/errors';
import { deployed, invoke } from '../../support/lambda';
import { fromRoot } from '../../support/paths';
import { closedOrigin } from '../../support/ports';
import { seedDesired, seedRaw } from '../../support/seed';

// The deployed handler (its bundle as sam build makes it: middy + Powertools + the real SSM client)
// against the SSM emulator holding the canary secret and the real loopback peers; then provisioning's
// own "Verify Chain" Task state (statemachine/provision.asl.json) in a machine with provisioning's first
// and last states, run by aws-local-stepfunctions.

const GATEWAY_URL = 'https://mcp-gateway-keycloak-demo-7hq3x1z0ab.gateway.bedrock-agentcore.ap-northeast-1.amazonaws.com/mcp';
const SECRET = 'canary-secret-9d8e7f6a5b4c';
const SECRET_PARAMETER = '/keygate/mcp-keycloak-agentcore/canary-client-secret';
const verifyChainHandler = deployed('VerifyChainFunction');
const loadDesiredState = deployed('LoadDesiredStateFunction');
let ssm: SsmEmulator;
let chain: Chain;
/** The GetParameter requests the functions made since the test began. */
const getParameters = () => ssm.calls.filter((c) => c.operation === 'GetParameter').map((c) => c.input);

beforeAll(async () => {
  chain = await startChain(seedDesired(), { gatewayUrl: GATEWAY_URL, canarySecret: SECRET });
  ssm = await startSsm({ region: 'eu-central-1' });
  process.env.AWS_ENDPOINT_URL_SSM = ssm.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCALEMULATOR';
  process.env.AWS_SECRET_ACCESS_KEY = 'local-emulator-secret-not-a-credential';
  // The function reads its environment once, at the first invocation (a cold start).
  process.env.CANARY_SECRET_PARAMETER_NAME = SECRET_PARAMETER;
  process.env.VERIFY_RESOLVE = Object.entries(chain.routes).map(([host, origin]) => `${host}=${origin}`).join(',');
  process.env.DESIRED_STATE_PARAMETER = '/keygate/keygate-dev/desired-state';
  process.env.KEYCLOAK_INSTANCE_ID = 'i-0123456789abcdef0';
  // The stack deployed from the seed watches the seed's VPC endpoint parameter (Load Desired State checks it).
  process.env.VPC_ENDPOINT_PARAMETER_NAME = seedDesired().resourcePolicy!.vpcEndpoint.parameterName;
  process.env.CIMD_PUBLISH_DIRECTORY = DEFAULT_CIMD_PUBLISH_DIRECTORY;
});
beforeEach(() => {
  ssm.calls.length = 0;
  ssm.putParameter(SECRET_PARAMETER, SECRET, 'SecureString');
  // The deployed document, which Load Desired State compares an input document's cimd.publish with.
  ssm.putParameter('/keygate/keygate-dev/desired-state', encodeDocument(seedRaw()), 'String');
});
afterEach(() => chain.heal());
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SSM;
  await Promise.all([chain.close(), ssm.close()]);
});

describe('verify-chain handler', () => {
  it('reads the canary secret with decryption and returns a passing report', async () => {
    // Act
    const out = await invoke(verifyChainHandler, { desired: seedDesired(), gatewayUrl: GATEWAY_URL, correlationId: 'arn:aws:states:exec:1' });
    // Assess
    expect(out).toMatchObject({ outcome: 'pass', failed: false, gatewayUrl: GATEWAY_URL });
    expect(getParameters()).toEqual([{ Name: SECRET_PARAMETER, WithDecryption: true }]);
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });

  it('fails with ChainVerificationFailedError naming each failing check, its diagnosis and fix', async () => {
    chain.op.setFaults({ audience: 'account' });
    const error = await invoke(verifyChainHandler, { desired: seedDesired(), gatewayUrl: GATEWAY_URL }).catch((e: unknown) => e);
    // The bundle has its own copy of the error classes: the name is the contract (with Step Functions too).
    expect(error).toMatchObject({ name: 'ChainVerificationFailedError' });
    const e = error as InstanceType<typeof errors.ChainVerificationFailedError>;
    expect(e.failed.map((c) => `${c.id} ${c.diagnosis}`)).toEqual(['token.audience audience-mapper-missing', 'mcp.tools-list token-rejected-by-gateway']);
    expect(e.message).toMatch(/FAIL token\.audience \[audience-mapper-missing\]: aud is "account".* Fix: add an audience mapper/);
    expect(e.message).not.toContain(SECRET);
  });

  it('fails the check, not the function, when the canary secret parameter does not exist yet', async () => {
    ssm.parameters.delete(SECRET_PARAMETER);
    const error = (await invoke(verifyChainHandler, { desired: seedDesired(), gatewayUrl: GATEWAY_URL }).catch((e: unknown) => e)) as InstanceType<typeof errors.ChainVerificationFailedError>;
    expect(error.name).toBe('ChainVerificationFailedError');
    expect(error.failed).toEqual([expect.objectContaining({ id: 'token.obtain', diagnosis: 'canary-secret-missing', fix: expect.stringContaining('realm reconciliation') })]);
  });

  it('refuses a canary secret parameter the stack may not read, before reading anything', async () => {
    const raw = seedRaw();
    raw.keycloak.realm.canaryClient.secretParameter = '/other/secret';
    await expect(invoke(verifyChainHandler, { desired: raw, gatewayUrl: GATEWAY_URL })).rejects.toMatchObject({
      name: 'DesiredStateInvalidError',
      problems: [{ path: 'keycloak.realm.canaryClient.secretParameter', message: expect.stringContaining(`may read "${SECRET_PARAMETER}" only`) }],
    });
    expect(getParameters()).toEqual([]);
  });

  it('never logs the secret or a token, at any level, passing or failing', async () => {
    // A fresh cold start with the log level at DEBUG (the logger reads it once, at construction).
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    coldStart('VerifyChainFunction');
    let logged = '';
    const capture = (chunk: string | Uint8Array) => ((logged += String(chunk)), true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      await invoke(verifyChainHandler, { desired: seedDesired(), gatewayUrl: GATEWAY_URL });
      chain.op.setFaults({ omitScopeClaim: true });
      await invoke(verifyChainHandler, { desired: seedDesired(), gatewayUrl: GATEWAY_URL }).catch(() => undefined);
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
      coldStart('VerifyChainFunction');
    }
    expect(logged).toContain('"message":"chain verified"');
    expect(logged).toContain('"diagnosis":"scope-not-in-token"');
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.eyJ/);
  });

  it('returns skipped when verification is disabled, and rejects bad input with VerifyInputError', async () => {
    const raw = seedRaw();
    raw.verify.enabled = false;
    await expect(invoke(verifyChainHandler, { desired: raw })).resolves.toEqual({ outcome: 'skipped', reason: 'verify.enabled is false' });
    await expect(invoke(verifyChainHandler, {} as never)).rejects.toMatchObject({ name: 'VerifyInputError', field: 'desired' });
    await expect(invoke(verifyChainHandler, { desired: seedRaw(), gatewayUrl: 'http://gw.example.com/mcp' })).rejects.toMatchObject({ name: 'VerifyInputError', field: 'gatewayUrl' });
    expect(getParameters()).toEqual([]);
  });

  it('throws the retryable ChainUnreachableError when nothing answers', async () => {
    // Every host resolves to a port nothing listens on (the function reads VERIFY_RESOLVE again when it changes).
    const closed = await closedOrigin();
    const routes = process.env.VERIFY_RESOLVE;
    process.env.VERIFY_RESOLVE = Object.keys(chain.routes).map((host) => `${host}=${closed}`).join(',');
    try {
      const error = await invoke(verifyChainHandler, { desired: seedDesired(), gatewayUrl: GATEWAY_URL }).catch((e: unknown) => e);
      expect((error as Error).name).toBe('ChainUnreachableError');
      expect((error as Error).message).toMatch(/as\.discovery \[unreachable\]/);
    } finally {
      process.env.VERIFY_RESOLVE = routes;
    }
  });
});

describe('the "Verify Chain" Task state of statemachine/provision.asl.json', () => {
  const provision = JSON.parse(readFileSync(fromRoot('statemachine', 'provision.asl.json'), 'utf8'));
  const task = provision.States['Verify Chain'];
  // Provisioning's own first state and end states around its Verify Chain Task; a Pass stands in for
  // the steps that provision the gateway (Summarize Provisioning puts GetGateway's gatewayUrl at $.summary.result).
  const definition = {
    StartAt: 'Load Desired State',
    States: {
      'Load Desired State': { ...provision.States['Load Desired State'], Next: 'Observe Gateway' },
      'Observe Gateway': { Type: 'Pass', Result: { result: { gatewayUrl: GATEWAY_URL } }, ResultPath: '$.summary', Next: 'Verify Chain' },
      'Verify Chain': task,
      // The last look at the gateway and targets (Confirm Still Ready) has nothing to look at here.
      'Confirm Still Ready': { Type: 'Pass', ResultPath: null, Next: 'Provisioning Succeeded' },
      // Provisioning's own end state keeps only the summary; a plain Succeed lets the test see $.verification.
      'Provisioning Succeeded': { Type: 'Succeed' },
      'Provisioning Failed': provision.States['Provisioning Failed'],
    },
  };
  const run = (overrides: Record<string, (input: any) => Promise<any>> = {}) =>
    new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } }).run(
      { desiredState: seedRaw() },
      {
        context: { Execution: { Id: 'arn:aws:states:ap-northeast-1:111122223333:execution:keygate-provision:test' } },
        overrides: {
          taskResourceLocalHandlers: {
            'Load Desired State': (input: any) => invoke(loadDesiredState, input) as Promise<any>,
            'Verify Chain': (input: any) => invoke(verifyChainHandler, input) as Promise<any>,
            ...overrides,
          },
          retryIntervalOverrides: { 'Verify Chain': 0 },
        },
      },
    );

  it('is valid ASL and meets the ASL invariants (bounded retries of transient errors, Catch into "… Failed", known error names)', () => {
    expect(aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true }).errorsText('\n')).toBe('');
    const retried = task.Retry.flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals);
    expect(retried).toEqual(expect.arrayContaining([...errors.LAMBDA_TRANSIENT_ERROR_NAMES, 'ThrottlingException']));
    expect(task.Retry.every((r: { MaxAttempts: number }) => r.MaxAttempts >= 1 && r.MaxAttempts <= 10)).toBe(true);
    expect(retried.filter((n: string) => !n.startsWith('Lambda.') && n !== 'ThrottlingException' && !errors.SDK_TRANSIENT_ERROR_NAMES.includes(n)).every((n: string) => n in errors)).toBe(true);
    expect(task.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Provisioning Failed' }]);
    expect(task.Resource).toBe('${VerifyChainFunctionArn}');
  });

  it('passes the loaded desired state and the observed gateway URL, and keeps the report at $.verification', async () => {
    const output = (await run().result) as Record<string, any>;
    expect(output.verification).toMatchObject({ outcome: 'pass', failed: false, gatewayUrl: GATEWAY_URL, summary: { fail: 0 } });
    expect(output.loaded.desired.gateway.name).toBe('mcp-gateway-keycloak-demo');
    expect(JSON.stringify(output)).not.toContain(SECRET);
  });

  it('fails the execution through "Provisioning Failed" with the error name and the failing checks', async () => {
    chain.gateway.setFaults({ omitResourceMetadata: true });
    const error = await run().result.catch((e: unknown) => e);
    const cause = (error as Error & { cause: Error }).cause;
    expect(cause.name).toBe('ChainVerificationFailedError');
    expect(cause.message).toMatch(/rs\.challenge \[resource-metadata-missing\]/);
  });

  it('retries ChainUnreachableError, then fails', async () => {
    let attempts = 0;
    const unreachable = async () => {
      attempts++;
      throw new errors.ChainUnreachableError([{ id: 'as.discovery', status: 'fail', diagnosis: 'unreachable', evidence: 'timed out', fix: 'make it reachable' }]);
    };
    const error = await run({ 'Verify Chain': unreachable }).result.catch((e: unknown) => e);
    expect(attempts).toBe(1 + task.Retry.find((r: { ErrorEquals: string[] }) => r.ErrorEquals.includes('ChainUnreachableError')).MaxAttempts);
    expect((error as Error & { cause: Error }).cause.name).toBe('ChainUnreachableError');
  });
});
