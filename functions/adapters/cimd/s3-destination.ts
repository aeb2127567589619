import { CopyObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { sha256 } from '../../core/cimd/digest';
import type { ObservedCimd } from '../../core/cimd/plan-cimd';
import type { RenderedCimd } from '../../core/cimd/render-cimd';
import { PREVIOUS_SUFFIX } from '../../core/desired/cimd-publish';
import { s3Client } from '../s3/object-reader';
import type { CimdDestination } from './destination';

/** The previous object is copied here before each write: one rollback copy. */
export const previousKey = (key: string): string => `${key}${PREVIOUS_SUFFIX}`;

export const CIMD_CONTENT_TYPE = 'application/json';

/**
 * A CIMD document served from S3 (behind CloudFront or a website endpoint). `PutObject` is atomic
 * per object; the object carries `application/json` and the declared `Cache-Control`, which
 * Keycloak honours when it caches the document (clamped by its min/max cache time). Observing a
 * missing object needs s3:ListBucket: without it S3 answers 403 instead of 404.
 */
export function s3Destination(target: { bucket: string; key: string; cacheControl: string }, client: S3Client = s3Client()): CimdDestination {
  const observe = async (expectedSha256: string, signal?: AbortSignal): Promise<ObservedCimd> => {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: target.bucket, Key: target.key }), { abortSignal: signal });
      const content = (await out.Body?.transformToString('utf-8')) ?? '';
      const hash = sha256(content);
      const attributes = { contentType: out.ContentType ?? '', cacheControl: out.CacheControl ?? '' };
      return { exists: true, sha256: hash, bytes: Buffer.byteLength(content, 'utf8'), attributes, ...(hash === expectedSha256 ? {} : { content }) };
    } catch (error) {
      if (isNotFound(error)) return { exists: false };
      throw error;
    }
  };
  return {
    description: `s3://${target.bucket}/${target.key}`,
    attributes: { contentType: CIMD_CONTENT_TYPE, cacheControl: target.cacheControl },
    observe,
    async publish(rendered: RenderedCimd, signal) {
      try {
        await client.send(new CopyObjectCommand({ Bucket: target.bucket, Key: previousKey(target.key), CopySource: `${target.bucket}/${encodeURIComponent(target.key)}` }), { abortSignal: signal });
      } catch (error) {
        // Nothing to keep on the first publish.
        if (!isNotFound(error)) throw error;
      }
      await client.send(
        new PutObjectCommand({ Bucket: target.bucket, Key: target.key, Body: rendered.text, ContentType: CIMD_CONTENT_TYPE, CacheControl: target.cacheControl }),
        { abortSignal: signal },
      );
      return observe(sha256(rendered.text), signal);
    },
  };
}

const isNotFound = (error: unknown): boolean => error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404);
