import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { perEnvironment, sdkClientEnv } from '../../platform/env';
import { withAwsCallRecord } from '../aws-call';

// The S3 client lives here, in its own module: an object literal of clients cannot be tree-shaken, so
// every function would bundle S3 (and need its permissions). One per container and configuration like
// the others (../agentcore/client.ts); path-style requests work with any bucket name and a loopback endpoint.
export const s3Client = /* @__PURE__ */ perEnvironment(/* @__PURE__ */ sdkClientEnv('S3'), () => withAwsCallRecord(new S3Client({ forcePathStyle: true })));

/**
 * Bucket and key of an S3 object URL as SSM reports command output: path style
 * (`https://s3.<region>.amazonaws.com/<bucket>/<key>`, what the agent writes) or virtual-hosted
 * (`https://<bucket>.s3.<region>.amazonaws.com/<key>`). The exact form SSM uses is UNCONFIRMED, so both are read.
 */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const path = u.pathname.slice(1).split('/').map(decodeURIComponent);
  const hosted = /^(.+)\.s3[.-]/.exec(u.hostname);
  if (hosted) return path.length ? { bucket: hosted[1]!, key: path.join('/') } : undefined;
  if (/^s3[.-]/.test(u.hostname) && path.length > 1) return { bucket: path[0]!, key: path.slice(1).join('/') };
  return undefined;
}

/** Reads an object as UTF-8 text; undefined when it does not exist. */
export async function readObjectText(location: { bucket: string; key: string }, opts: { client?: S3Client; signal?: AbortSignal } = {}): Promise<string | undefined> {
  const client = opts.client ?? s3Client();
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }), { abortSignal: opts.signal });
    return (await out.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}
