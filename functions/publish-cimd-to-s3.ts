import { runCimdStep, type PublishCimdInput } from './adapters/cimd/cimd-step';
import type { CimdOutcome } from './adapters/cimd/reconcile-cimd';
import { s3Destination } from './adapters/cimd/s3-destination';
import { makeHandler } from './platform/make-handler';

/**
 * Step "Publish CIMD To S3" (provisioning), "Observe CIMD In S3" (drift detection, `mode: "observe"`)
 * and "Repair CIMD In S3": the document declared in `cimd`, as the S3 object `cimd.publish.s3` names
 * (the stack's CimdPublishBucket and CimdPublishKey). A host destination is Publish CIMD Document's.
 */
export const handler = makeHandler('publish-cimd-to-s3', async (input: PublishCimdInput, ctx): Promise<CimdOutcome> =>
  runCimdStep('s3', input, ctx, (_cimd, publish) => {
    if (!('s3' in publish)) throw new TypeError('publish-cimd-to-s3: cimd.publish names no S3 object');
    return { destination: s3Destination(publish.s3), piggybacked: false };
  }),
);
