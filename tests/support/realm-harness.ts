import type { DesiredState } from '../../functions/core/desired/document';
import { start as startKeycloak, type KeycloakStandIn } from '../../emulators/keycloak';
import { start as startS3, type S3Emulator } from '../../emulators/s3';
import { start as startSsm, type SsmEmulator } from '../../emulators/ssm';
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
  const s3 = await startS3({ buckets: [BUCKET] });
  const desiredWith = (edit: (raw: Record<string, any>) => void) =>
    seedWith((raw) => {
      withUrl(raw, kc.url);
      edit(raw);
    });
  const desired = desiredWith(() => undefined);
  const ssm = await startSsm({
    documents: { [DOCUMENT]: commandDocumentFromTemplate() },
    instances: { [desired.keycloak.instanceId]: { online: true } },
    parameters: [
      { name: desired.keycloak.admin.passwordParameter, value: SECRETS.admin, type: 'SecureString' },
      { name: desired.keycloak.realm.users[0]!.passwordParameter, value: SECRETS.alice, type: 'SecureString' },
      { name: desired.keycloak.realm.canaryClient!.secretParameter, value: SECRETS.canary, type: 'SecureString' },
      { name: DESIRED_STATE_PARAMETER, value: encodeDocument(withUrl(seedRaw(), kc.url)), type: 'String' },
    ],
    s3,
    // The executor runs in real time (RunTiming): not cut off early, and each poll waits for its progress.
    timing: { secondMs: 20, invisibleMs: opts.timing?.invisibleMs ?? 30, pendingMs: opts.timing?.pendingMs ?? 20, scriptSecondMs: 1000, holdWhileRunningMs: 2_000 },
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
    kc,
    ssm,
    s3,
    desired,
    desiredWith,
    close: async () => {
      await Promise.all([kc.close(), ssm.close(), s3.close()]);
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    },
  };
}

function withUrl(raw: Record<string, any>, url: string): Record<string, any> {
  raw.keycloak.admin.url = url;
  return raw;
}
