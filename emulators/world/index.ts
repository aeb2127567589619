import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../../functions/core/desired/cimd';
import { encodeDocument } from '../../functions/core/desired/encoding';
import { checkDesiredState } from '../../functions/core/desired/load';
import { start as startAgentCore, type AgentCoreEmulator, type EmulatorOptions } from '../agentcore';
import type { Chain } from '../chain';
import type { OidcEmulator } from '../oidc';
import { start as startDynamoDb, type DynamoDbEmulator } from '../dynamodb';
import { start as startKeycloak, type KeycloakStandIn } from '../keycloak';
import { start as startS3, type S3Emulator } from '../s3';
import { start as startSns, type SnsEmulator } from '../sns';
import { start as startSsm, type SsmEmulator } from '../ssm';
import { commandDocumentFromTemplate } from '../ssm/template-document';
import { runStateMachine, type RunOptions, type RunResult } from '../stepfunctions';
import { start as startStepFunctionsApi, type StepFunctionsApi } from '../stepfunctions/api';
import { KEYGATE_HANDLERS } from '../stepfunctions/handlers';
import { fromPackageRoot } from '../../scripts/package-root';
import { startRecordingProxy, type RecordingProxy } from '../../scripts/keycloak/recording-proxy';
import { physicalName, STACK_NAME, STACK_REGION } from './stack';
import { deploymentOf } from './deployment';
import { functionEnvironments } from '../lambda/environment';
import { useFunctionEnvironments } from '../lambda';
import { loadTemplate } from '../../scripts/template';
import type { Deployment } from '../iam/cloudformation';

/** The stack's own names, as a deployed stack's environment would carry them (stack.ts physicalName). */
export const STACK = {
  owner: STACK_NAME,
  commandDocument: physicalName('KeycloakCommandDocument', 'AWS::SSM::Document'),
  outputBucket: physicalName('CommandOutputBucket', 'AWS::S3::Bucket'),
  desiredStateParameter: `/keygate/${STACK_NAME}/desired-state`,
  driftLockTable: physicalName('DriftLockTable', 'AWS::DynamoDB::Table'),
  driftTopic: `${STACK_NAME}-drift`,
  region: STACK_REGION,
} as const;

/** The stack's state machines: ASL file (statemachine/<file>.asl.json) → logical id in template.yaml. */
export const STATE_MACHINES: Record<string, string> = {
  provision: 'ProvisionStateMachine',
  teardown: 'TeardownStateMachine',
  'reconcile-realm': 'ReconcileRealmStateMachine',
  'rotate-gateway-policy': 'RotateGatewayPolicyStateMachine',
  drift: 'DriftStateMachine',
};

/** Initial value of the VPC endpoint parameter the document names. */
export const INITIAL_VPC_ENDPOINT = 'vpce-0a1b2c3d4e5f60718';

/** Secret values living in the emulated SSM Parameter Store; they must never appear anywhere else. */
export interface WorldSecrets {
  admin: string;
  users: Record<string, string>;
  canary: string;
}

export interface LocalWorldOptions {
  /** The raw desired-state document (its keycloak.admin.url is pointed at the stand-in). */
  document: Record<string, any>;
  /** Time scale of every emulated delay and state-machine wait: 1 is realistic, 100 is 100 times faster. */
  speed?: number;
  agentcore?: EmulatorOptions;
  /** Start Keycloak with --features=cimd (default true). */
  cimdFeature?: boolean;
  secrets?: Partial<WorldSecrets>;
  vpcEndpointId?: string;
  /** Configure the drift SNS topic (template parameter DriftNotificationTopicArn; default true). */
  driftTopic?: boolean;
  /**
   * A real Keycloak to use instead of the admin stand-in (scripts/keycloak/server.ts): the world puts a
   * recording proxy in front of it (`keycloak` is then that proxy), points the document's admin URL at
   * it, and keeps the server's admin password as the admin SecureString. The document's realm should
   * be one no one else uses on that server; the world never deletes it.
   */
  keycloakServer?: KeycloakServerRef;
  /**
   * The stack's CimdPublishDirectory (default the template's, /opt/cimd/public): written into the
   * Command document the SSM emulator runs, given to Load Desired State, and made on the host (the web
   * server's root) unless `makePublishDirectory` is false.
   */
  cimdPublishDirectory?: string;
  makePublishDirectory?: boolean;
  /**
   * Also start the verification peers (emulators/chain: the oidc-provider realm, the MCP SDK gateway
   * at the emulated gateway's URL, the CIMD host serving the file the host executor publishes) and
   * route the verify function to them (VERIFY_RESOLVE), so that live verification runs for real.
   */
  peers?: boolean;
}

/** A running Keycloak the world may use (scripts/keycloak/server.ts's KeycloakServer has these). */
export interface KeycloakServerRef {
  url: string;
  admin: { username: string; password: string };
}

/** What the world needs of Keycloak, the stand-in and the recording proxy in front of a real one alike. */
export interface KeycloakEndpoint {
  url: string;
  callLog: Array<{ method: string; path: string; status: number }>;
  writes(): Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

/** A world on the Keycloak stand-in or on a real Keycloak (what code serving both takes). */
export type AnyWorld = LocalWorld<KeycloakEndpoint>;

export interface LocalWorld<K extends KeycloakEndpoint = KeycloakStandIn> {
  agentcore: AgentCoreEmulator;
  ssm: SsmEmulator;
  /** The admin stand-in, or with `keycloakServer` the recording proxy in front of the real Keycloak. */
  keycloak: K;
  /** The real Keycloak behind `keycloak`, when the world runs on one. */
  keycloakServer?: KeycloakServerRef;
  s3: S3Emulator;
  /** Step Functions ListExecutions over the executions `run` starts; DynamoDB (the drift lock); SNS (drift summaries). */
  stepfunctions: StepFunctionsApi;
  dynamodb: DynamoDbEmulator;
  sns: SnsEmulator;
  /** The drift topic's ARN, or '' when `driftTopic` is false. */
  driftTopicArn: string;
  /**
   * The verification peers, with `peers: true`; the gateway the document names gets the id whose URL
   * `chain.gatewayUrl` is. With `keycloakServer` the realm is that Keycloak (`op` undefined); with the
   * stand-in it is oidc-provider, whose tokens carry the audiences the stand-in's realm configures.
   */
  chain?: Chain<OidcEmulator | undefined>;
  /** The deployment the world stands for (stack, region, account, template parameters); absent for an invalid document. */
  deployment?: Deployment;
  /** The ARN the stack's state machine for statemachine/<machine>.asl.json has. */
  stateMachineArn(machine: string): string;
  /** The document as the world runs it (admin URL on the stand-in). */
  document: Record<string, any>;
  /**
   * The Keycloak host's file system root for the host executor's file operations: the SSM emulator
   * runs the executor with KEYGATE_HOST_ROOT set to this temporary directory, so the document's
   * `cimd.publish.host.path` (/opt/cimd/public/…) lands under it. Unset on a real host.
   */
  hostRoot: string;
  /** Where a host path lives in this world (`hostRoot` + path). */
  hostFile(path: string): string;
  secrets: WorldSecrets;
  /** The environment the functions run with (endpoints, credentials, the stack's names). */
  env: Record<string, string>;
  speed: number;
  /** Runs statemachine/<machine>.asl.json with the real handlers; the document travels inline unless `input` is given. */
  run(machine: string, options?: { input?: unknown; document?: unknown; executionName?: string; overrides?: Partial<RunOptions> }): Promise<RunResult>;
  /** Writes the VPC endpoint parameter, as the network stack does when it replaces the endpoint. */
  setVpcEndpoint(value: string): void;
  /** Forgets every injected fault not yet used up, in every emulator (the campaign's clean run starts so). */
  clearFaults(): void;
  /**
   * Every call every emulated service has answered so far, in the order of the services, as
   * `service:Operation` (`bedrock-agentcore:CreateGateway`, `ssm:SendCommand`, …; the Keycloak admin
   * API as `keycloak-admin:<METHOD>`: those calls are the host executor's, inside SSM commands).
   */
  apiCalls(): string[];
  close(): Promise<void>;
}

/** A `Parameter Store Change` event as EventBridge delivers it (ssm-and-events.md §6; it carries no value). */
export const parameterStoreEvent = (name: string, operation: string) => ({
  version: '0',
  'detail-type': 'Parameter Store Change',
  source: 'aws.ssm',
  account: '111122223333',
  region: STACK.region,
  resources: [`arn:aws:ssm:${STACK.region}:111122223333:parameter${name}`],
  detail: { operation, name, type: 'String', description: '' },
});

/** The secret values a world holds unless given others (tests look for them where they must not be). */
export function defaultSecrets(document: Record<string, any>): WorldSecrets {
  return {
    admin: 'local-Adm1n-s3cret',
    users: Object.fromEntries(((document.keycloak?.realm?.users ?? []) as Array<{ username: string }>).map((u) => [u.username, `local-${u.username}-Passw0rd`])),
    canary: 'local-Can4ry-client-s3cret',
  };
}

let executions = 0;

/**
 * The whole control plane's surroundings on loopback, with free ports: the AgentCore emulator, the
 * SSM emulator running the template's Command document with bash (its `aws` CLI resolving the
 * SecureStrings below), the Keycloak admin stand-in the host script talks to, and S3 for long
 * command output. The functions' SDK clients reach them through the same endpoint variables a
 * deployment would leave unset. Used by the integration tests and `keygate rehearse`.
 *
 * @example
 * const world = await startWorld({ document: seedRaw(), speed: 200 });
 * const run = await world.run('provision');
 * await world.close();
 */
export async function startWorld(options: LocalWorldOptions & { keycloakServer: KeycloakServerRef }): Promise<LocalWorld<RecordingProxy>>;
export async function startWorld(options: LocalWorldOptions & { keycloakServer?: undefined }): Promise<LocalWorld>;
export async function startWorld(options: LocalWorldOptions): Promise<LocalWorld<KeycloakEndpoint>> {
  // What has started so far, closed in reverse if a later start fails (no server outlives a failed start).
  const started: Array<() => Promise<void> | void> = [];
  const track = <T extends { close(): Promise<void> }>(server: T): T => (started.push(() => server.close()), server);
  try {
    return await startAll(options, track, started);
  } catch (error) {
    for (const close of started.reverse()) await Promise.resolve(close()).catch(() => undefined);
    throw error;
  }
}

async function startAll(options: LocalWorldOptions, track: <T extends { close(): Promise<void> }>(server: T) => T, started: Array<() => Promise<void> | void>): Promise<LocalWorld<KeycloakEndpoint>> {
  const speed = options.speed ?? 1;
  const document = structuredClone(options.document);
  const real = options.keycloakServer;
  const secrets: WorldSecrets = { ...defaultSecrets(document), ...options.secrets, ...(real ? { admin: real.admin.password } : {}) };
  if (real && real.admin.username !== document.keycloak.admin.username) {
    throw new TypeError(`keycloak.admin.username is ${document.keycloak.admin.username}, but the Keycloak server's admin is ${real.admin.username}`);
  }
  const keycloak: KeycloakEndpoint = real
    ? track(await startRecordingProxy(real.url))
    : track(await startKeycloak({ admin: { username: document.keycloak.admin.username, password: secrets.admin }, features: { cimd: options.cimdFeature ?? true } }));
  // Only the URL changes: a `kcadm` section stays, so that the load step refuses such a document here as it would
  // in AWS (lint kcadm-unsupported), instead of the world quietly running something else.
  document.keycloak.admin = { ...document.keycloak.admin, url: keycloak.url };
  // With peers, the gateway's id (hence its URL) is fixed now, so the MCP peer can serve that URL.
  const gatewayName = String(document.gateway.name);
  const gatewayIds = options.peers ? { [gatewayName]: `${gatewayName.toLowerCase()}-${randomChars(10)}`, ...options.agentcore?.gatewayIds } : options.agentcore?.gatewayIds;
  const agentcore = track(await startAgentCore({ speed, region: STACK.region, ...options.agentcore, ...(gatewayIds ? { gatewayIds } : {}) }));
  const s3 = track(await startS3({ buckets: [STACK.outputBucket] }));
  const stepfunctions = track(await startStepFunctionsApi({ region: STACK.region, accountId: agentcore.accountId }));
  const dynamodb = track(await startDynamoDb({ tables: { [STACK.driftLockTable]: 'lockId' } }));
  const sns = track(await startSns({ region: STACK.region, accountId: agentcore.accountId }));
  const stateMachineArn = (machine: string) => {
    const id = STATE_MACHINES[machine];
    if (!id) throw new TypeError(`no state machine for statemachine/${machine}.asl.json in the stack`);
    return stepfunctions.stateMachineArn(physicalName(id, 'AWS::StepFunctions::StateMachine'));
  };
  const hasRotation = Boolean(document.resourcePolicy?.vpcEndpoint?.parameterName);
  const driftTopicArn = options.driftTopic === false ? '' : sns.createTopic(STACK.driftTopic);
  const parameters = [
    { name: document.keycloak.admin.passwordParameter as string, value: secrets.admin, type: 'SecureString' as const },
    ...((document.keycloak.realm.users ?? []) as Array<{ username: string; passwordParameter: string }>).map((u) => ({ name: u.passwordParameter, value: secrets.users[u.username] ?? `local-${u.username}-Passw0rd`, type: 'SecureString' as const })),
    ...(document.keycloak.realm.canaryClient ? [{ name: document.keycloak.realm.canaryClient.secretParameter as string, value: secrets.canary, type: 'SecureString' as const }] : []),
    ...(document.resourcePolicy?.vpcEndpoint?.parameterName ? [{ name: document.resourcePolicy.vpcEndpoint.parameterName as string, value: options.vpcEndpointId ?? INITIAL_VPC_ENDPOINT, type: 'String' as const }] : []),
    { name: STACK.desiredStateParameter, value: encodeDocument(document), type: 'String' as const },
  ];
  const hostRoot = mkdtempSync(join(tmpdir(), 'kg-host-root-'));
  started.push(() => rmSync(hostRoot, { recursive: true, force: true }));
  const hostTmp = join(hostRoot, 'tmp');
  mkdirSync(hostTmp, { mode: 0o1777 });
  const publishDirectory = options.cimdPublishDirectory ?? DEFAULT_CIMD_PUBLISH_DIRECTORY;
  if (options.makePublishDirectory !== false) mkdirSync(join(hostRoot, publishDirectory), { recursive: true, mode: 0o755 });
  const cimdObject = document.cimd?.publish?.s3 as { bucket: string; key: string } | undefined;
  if (cimdObject) s3.createBucket(cimdObject.bucket);
  const ssm = track(await startSsm({
    region: STACK.region,
    documents: { [STACK.commandDocument]: commandDocumentFromTemplate('KeycloakCommandDocument', undefined, { CimdPublishDirectory: publishDirectory }) },
    instances: { [document.keycloak.instanceId as string]: { online: true } },
    parameters,
    s3,
    // The host executor runs in real time at any speed (RunTiming): real seconds for its timeout, and
    // each poll waits for its progress, or a loaded machine spends the scaled poll budget and fails.
    timing: { secondMs: Math.max(1, 1000 / speed), scriptSecondMs: 1000, invisibleMs: Math.max(1, 300 / speed), pendingMs: Math.max(1, 200 / speed), holdWhileRunningMs: 2_000 },
    // The host's temporary directory is in its root too, so that leftovers of killed commands show there.
    hostEnv: { KEYGATE_HOST_ROOT: hostRoot, TMPDIR: hostTmp },
  }));
  const chain = options.peers
    ? track(
        await (await loadChain()).startChain(checkDesiredState(document, 'the local world\'s document').desired, {
          gatewayUrl: agentcore.gatewayUrl(gatewayIds![gatewayName]!),
          canarySecret: secrets.canary,
          ...(document.cimd?.publish?.host?.path ? { cimdFile: join(hostRoot, document.cimd.publish.host.path) } : {}),
          // The token's aud comes from the realm, never from the document: a realm without the audience
          // mapper must fail verification here as it does on Keycloak.
          ...(real ? { keycloak: { url: real.url } } : { realmAudiences: (clientId: string, scopes: string[]) => (keycloak as KeycloakStandIn).tokenAudiences(String(document.keycloak.realm.name), clientId, scopes) }),
        }),
      )
    : undefined;
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL: agentcore.url,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: STACK.region,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALEMULATOR',
    AWS_SECRET_ACCESS_KEY: 'local-emulator-secret-not-a-credential',
    KEYGATE_OWNER: STACK.owner,
    GATEWAY_ROLE_ARN: `arn:aws:iam::${agentcore.accountId}:role/${physicalName('GatewayRole', 'AWS::IAM::Role')}`,
    DESIRED_STATE_PARAMETER: STACK.desiredStateParameter,
    KEYCLOAK_INSTANCE_ID: document.keycloak.instanceId,
    VPC_ENDPOINT_PARAMETER_NAME: document.resourcePolicy?.vpcEndpoint?.parameterName ?? '',
    KEYCLOAK_COMMAND_DOCUMENT: STACK.commandDocument,
    COMMAND_OUTPUT_BUCKET: STACK.outputBucket,
    CANARY_SECRET_PARAMETER_NAME: document.keycloak.realm.canaryClient?.secretParameter ?? '',
    AWS_ENDPOINT_URL_SFN: stepfunctions.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    DRIFT_LOCK_TABLE: STACK.driftLockTable,
    DRIFT_TOPIC_ARN: driftTopicArn,
    PROVISION_STATE_MACHINE_ARN: stateMachineArn('provision'),
    TEARDOWN_STATE_MACHINE_ARN: stateMachineArn('teardown'),
    REALM_STATE_MACHINE_ARN: stateMachineArn('reconcile-realm'),
    ROTATION_STATE_MACHINE_ARN: hasRotation ? stateMachineArn('rotate-gateway-policy') : '',
    CIMD_PUBLISH_BUCKET: cimdObject?.bucket ?? '',
    CIMD_PUBLISH_KEY: cimdObject?.key ?? '',
    CIMD_PUBLISH_DIRECTORY: publishDirectory,
    ...(chain ? { VERIFY_RESOLVE: Object.entries(chain.routes).map(([host, origin]) => `${host}=${origin}`).join(',') } : {}),
  };
  const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  // A loaded function follows: it rebuilds its clients and settings when their variables change
  // (functions/platform/env.ts perEnvironment), as a new container would read them.
  Object.assign(process.env, env);
  // Each function sees the variables its deployment gives it (template.yaml's Environment), not
  // another function's; `env` above stays for the tests' own clients and the AWS plumbing.
  const deployment = deploymentOf(document, agentcore.accountId, driftTopicArn, publishDirectory);
  const releaseEnvironments = deployment ? useFunctionEnvironments(functionEnvironments(loadTemplate(), deployment)) : () => undefined;
  started.push(releaseEnvironments);
  let closing: Promise<void> | undefined;
  return {
    agentcore,
    ssm,
    keycloak,
    ...(real ? { keycloakServer: { url: real.url, admin: { username: real.admin.username, password: real.admin.password } } } : {}),
    s3,
    stepfunctions,
    dynamodb,
    sns,
    driftTopicArn,
    ...(chain ? { chain } : {}),
    stateMachineArn,
    ...(deployment ? { deployment } : {}),
    document,
    hostRoot,
    hostFile: (path) => join(hostRoot, path),
    secrets,
    env,
    speed,
    run: async (machine, runOptions = {}) => {
      const runDocument = (runOptions.document ?? document) as Record<string, any>;
      const executionName = runOptions.executionName ?? `${machine}-${++executions}`;
      // As in AWS, the execution is listed RUNNING while it runs (the drift guard looks for these).
      const listed = STATE_MACHINES[machine] ? stepfunctions.startExecution(stateMachineArn(machine), executionName) : undefined;
      const result = await runStateMachine({
        file: fromPackageRoot('statemachine', `${machine}.asl.json`),
        handlers: KEYGATE_HANDLERS,
        stateMachines: { ReconcileRealmStateMachineArn: fromPackageRoot('statemachine', 'reconcile-realm.asl.json') },
        input: runOptions.input ?? { desiredState: runDocument },
        executionName,
        executionArn: listed?.executionArn,
        timeScale: speed,
        // As in template.yaml's DefinitionSubstitutions: '' when the document lists literal ids (no rotation machine).
        substitutions: { RotateGatewayPolicyStateMachineArn: hasRotation ? stateMachineArn('rotate-gateway-policy') : '' },
        // The host script runs in real time whatever the speed: poll it at a fixed, short interval.
        retryIntervalOverrides: { 'Await Observe Command': 50, 'Await Apply Command': 50 },
        // A Wait with SecondsPath takes its duration from the execution; the runner can only scale
        // fixed ones, so the world scales the grace period from the document it runs on.
        waitTimeOverrides: { 'Wait Grace Period': ((runDocument.resourcePolicy?.rotationGracePeriodSeconds ?? 300) * 1000) / speed },
        // A nested execution starts only if Step Functions lets it (rejectStarts: ExecutionLimitExceeded).
        admitNestedStart: (placeholder) => stepfunctions.admitStart(placeholder === 'ReconcileRealmStateMachineArn' ? stateMachineArn('reconcile-realm') : placeholder),
        ...runOptions.overrides,
      });
      if (listed) stepfunctions.stopExecution(listed.executionArn, result.status);
      return result;
    },
    apiCalls: () => [
      ...agentcore.calls.map((c) => `bedrock-agentcore:${c.op}`),
      ...ssm.calls.map((c) => `ssm:${c.operation}`),
      ...stepfunctions.calls.map((c) => `states:${c.operation}`),
      ...dynamodb.calls.map((c) => `dynamodb:${c.operation}`),
      ...sns.calls.map((c) => `sns:${c.action}`),
      ...s3.calls.map((c) => `s3:${c.method}`),
      ...keycloak.callLog.filter((c) => c.path.startsWith('/admin/')).map((c) => `keycloak-admin:${c.method}`),
    ],
    clearFaults: () => {
      agentcore.clearFaults();
      ssm.clearFaults();
      // A real Keycloak behind the recording proxy has no injected faults to clear.
      if (!real) (keycloak as KeycloakStandIn).clearFaults();
      s3.clearFaults();
      stepfunctions.clearFaults();
      dynamodb.clearFaults();
      sns.clearFaults();
    },
    setVpcEndpoint: (value) => {
      const name = document.resourcePolicy?.vpcEndpoint?.parameterName as string | undefined;
      if (!name) throw new TypeError('the document names no VPC endpoint parameter (resourcePolicy.vpcEndpoint.parameterName)');
      ssm.putParameter(name, value, 'String');
    },
    // Once, however often it is called (a Ctrl-C during the close of a failed run closes nothing twice).
    close: () =>
      (closing ??= (async () => {
        await Promise.all([agentcore.close(), ssm.close(), keycloak.close(), s3.close(), stepfunctions.close(), dynamodb.close(), sns.close(), chain?.close()]);
        releaseEnvironments();
        rmSync(hostRoot, { recursive: true, force: true });
        for (const [k, v] of Object.entries(previous)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      })()),
  };
}

const randomChars = (n: number) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[randomInt(36)]).join('');

/**
 * The verification peers load only when asked for (oidc-provider and the MCP SDK server are heavy).
 * oidc-provider warns at load on Node 20 ("Unsupported runtime"), which keygate supports (engines
 * >= 20.19) and runs its whole test suite on: that one line is dropped.
 */
export async function loadChain(): Promise<typeof import('../chain')> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    // On a terminal oidc-provider colours the line (lib/helpers/attention.js): compare it without the escapes.
    if (!String(args[0]).replace(/\u001b\[[\d;]*m/g, '').startsWith('oidc-provider WARNING: Unsupported runtime')) warn(...args);
  };
  try {
    return await import('../chain');
  } finally {
    console.warn = warn;
  }
}
