import type { DesiredState } from '../../functions/core/desired/document';
import { start as startKeycloak, type KeycloakStandIn } from '../../emulators/keycloak';
import { start as startS3, type S3Emulator } from '../../emulators/s3';
import { start as startSsm, type SsmEmulator } from '../../emulators/ssm';
import { startRecordingProxy, type RecordingProxy } from '../../scripts/keycloak/recording-proxy';
import type { RealKeycloak } from './real-keycloak';
import { commandDocumentFromTemplate } from '../../emulators/ssm/template-document';
import { DEFAULT_CIMD_PUBLISH_DIRECTORY } from '../../functions/core/desired/cimd';
import { encodeDocument } from '../../functions/core/desired/encoding';
import { seedRaw, seedWith } from './seed';

/** Secret values of the harness: they must never show up outside SSM and Keycloak. */
export const SECRETS = {
  admin: 'Adm1n-S3cret-not-in-logs',
  alice: 'Al1ce-Passw0rd-not-in-logs',
  canary: 'Can4ry-Client-S3cret-not-in-logs',
} as const;

export const DOCUMENT = 'keygate-KeycloakCommandDocument-TEST';
export const BUCKET = 'keygate-command-output-test';
export const DESIRED_STATE_PARAMETER = '/keygate/test/desired-state';

export interface RealmHarness {
  kc: KeycloakStandIn;
  ssm: SsmEmulator;
  s3: S3Emulator;
  desired: DesiredState;
  /** The seed document with keycloak.admin.url pointing at the stand-in, plus an edit. */
  desiredWith(edit: (raw: Record<string, any>) => void): DesiredState;
  close(): Promise<void>;
}

/**
 * The whole chain on loopback: Keycloak admin stand-in, SSM emulator running the template's Command
 * document with bash (its `aws` CLI reading the SecureStrings below from the emulator), S3 for long
 * output; the functions' SDK clients pointed at them through the environment, as `keygate rehearse` does.
 */
export async function startRealmHarness(opts: { cimd?: boolean; timing?: { invisibleMs?: number; pendingMs?: number } } = {}): Promise<RealmHarness> {
  const kc = await startKeycloak({ admin: { username: 'admin', password: SECRETS.admin }, features: { cimd: opts.cimd ?? true } });
  const desiredWith = (edit: (raw: Record<string, any>) => void) =>
    seedWith((raw) => {
      withUrl(raw, kc.url);
      edit(raw);
    });
  const host = await startHostSide(desiredWith(() => undefined), withUrl(seedRaw(), kc.url), SECRETS.admin, opts.timing);
  return {
    kc,
    ...host,
    desiredWith,
    close: async () => {
      await kc.close();
      await host.close();
    },
  };
}

/** The realm reconciler's path against the run's real Keycloak (tests/support/real-keycloak.ts). */
export interface RealRealmHarness {
  kc: RealKeycloak;
  /** What Keycloak received from the host executor (the document's admin URL is the proxy's). */
  proxy: RecordingProxy;
  /** This harness's realm (unique on the shared server; keygate creates it). */
  realm: string;
  ssm: SsmEmulator;
  s3: S3Emulator;
  desired: DesiredState;
  /** The seed, pointed at the proxy and this realm, plus an edit. */
  desiredWith(edit: (raw: Record<string, any>) => void): DesiredState;
  /** Secret values held in SSM (the admin's is the run's Keycloak admin password). */
  secrets: { admin: string; alice: string; canary: string };
  close(): Promise<void>;
}

/**
 * The same chain as {@link startRealmHarness}, with the run's real Keycloak behind a recording proxy:
 * the seed document, its realm renamed to a fresh name (`kg-<label>-<random>`, so test files share one
 * server), its gateway discovery URL following the realm.
 *
 * @example
 * const h = await startRealRealmHarness(await realKeycloak(), 'converge');
 */
export async function startRealRealmHarness(kc: RealKeycloak, label: string, opts: { edit?: (raw: Record<string, any>) => void; realm?: string } = {}): Promise<RealRealmHarness> {
  const proxy = await startRecordingProxy(kc.url);
  const realm = opts.realm ?? kc.realmName(label);
  const point = (raw: Record<string, any>) => {
    withUrl(raw, proxy.url);
    raw.keycloak.realm.name = realm;
    raw.gateway.authorizer.discoveryUrl = raw.gateway.authorizer.discoveryUrl.replace('/realms/mcp-demo/', `/realms/${realm}/`);
    opts.edit?.(raw);
    return raw;
  };
  const desiredWith = (edit: (raw: Record<string, any>) => void) =>
    seedWith((raw) => {
      point(raw);
      edit(raw);
    });
  const host = await startHostSide(desiredWith(() => undefined), point(seedRaw()), kc.admin.password);
  return {
    kc,
    proxy,
    realm,
    ...host,
    desiredWith,
    secrets: { ...SECRETS, admin: kc.admin.password },
    close: async () => {
      await host.close();
      await proxy.close();
    },
  };
}

/** SSM (the template's Command document, the SecureStrings), S3 for long output, and the functions' environment. */
async function startHostSide(desired: DesiredState, raw: Record<string, any>, adminPassword: string, timing: { invisibleMs?: number; pendingMs?: number } = {}) {
  const s3 = await startS3({ buckets: [BUCKET] });
  const ssm = await startSsm({
    documents: { [DOCUMENT]: commandDocumentFromTemplate() },
    instances: { [desired.keycloak.instanceId]: { online: true } },
    parameters: [
      { name: desired.keycloak.admin.passwordParameter, value: adminPassword, type: 'SecureString' },
      { name: desired.keycloak.realm.users[0]!.passwordParameter, value: SECRETS.alice, type: 'SecureString' },
      { name: desired.keycloak.realm.canaryClient!.secretParameter, value: SECRETS.canary, type: 'SecureString' },
      { name: DESIRED_STATE_PARAMETER, value: encodeDocument(raw), type: 'String' },
    ],
    s3,
    // The executor runs in real time (RunTiming), against a real Keycloak too: not cut off early (its
    // document timeout in real seconds), and each poll waits for its progress.
    timing: { secondMs: 20, invisibleMs: timing.invisibleMs ?? 30, pendingMs: timing.pendingMs ?? 20, scriptSecondMs: 1000, holdWhileRunningMs: 2_000 },
  });
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'eu-central-1',
    KEYCLOAK_COMMAND_DOCUMENT: DOCUMENT,
    DESIRED_STATE_PARAMETER,
    KEYCLOAK_INSTANCE_ID: desired.keycloak.instanceId,
    VPC_ENDPOINT_PARAMETER_NAME: desired.resourcePolicy?.vpcEndpoint.parameterName ?? '',
    CIMD_PUBLISH_DIRECTORY: DEFAULT_CIMD_PUBLISH_DIRECTORY,
    COMMAND_OUTPUT_BUCKET: BUCKET,
  });
  return {
    ssm,
    s3,
    desired,
    close: async () => {
      await Promise.all([ssm.close(), s3.close()]);
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    },
  };
}

function withUrl(raw: Record<string, any>, url: string): Record<string, any> {
  raw.keycloak.admin.url = url;
  return raw;
}
