import { runCimdStep, type PublishCimdInput } from './adapters/cimd/cimd-step';
import type { CimdOutcome } from './adapters/cimd/reconcile-cimd';
import { hostCimdDestination } from './adapters/cimd/host-destination-for';
import { hostTarget, keycloakHostEnv } from './platform/keycloak-host';
import { makeHandler } from './platform/make-handler';

export type PublishCimdDocumentInput = PublishCimdInput;

/**
 * Step "Publish CIMD Document" (provisioning), "Observe CIMD Document" (drift detection,
 * `mode: "observe"`) and "Repair CIMD Document": the document declared in `cimd`, as a file on the
 * Keycloak host (`cimd.publish.host`), through the keygate Command document; skipped when keygate does
 * not publish it. An S3 destination is Publish CIMD To S3's (functions/publish-cimd-to-s3.ts).
 */
export const handler = makeHandler('publish-cimd-document', async (input: PublishCimdDocumentInput, ctx): Promise<CimdOutcome> =>
  runCimdStep('host', input, ctx, (cimd, publish, { desired, mode, hostFiles }) =>
    hostCimdDestination(cimd, publish, () => ({ host: hostTarget(desired), region: keycloakHostEnv().AWS_REGION }), (mode ?? 'publish') === 'observe' ? hostFiles : undefined),
  ),
);
