import { CopyObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Readable } from 'node:stream';
import { s3Destination } from '../../../functions/adapters/cimd/s3-destination';
import { sha256 } from '../../../functions/core/cimd/digest';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import { seedDesired } from '../../support/seed';

const s3 = mockClient(S3Client);
const target = { bucket: 'cimd-docs', key: 'oauth/client-metadata.json', cacheControl: 'max-age=60' };
const body = (text: string) => sdkStreamMixin(Readable.from([Buffer.from(text)]));
const rendered = renderCimdDocument(seedDesired().cimd!);

beforeEach(() => s3.reset());

describe('S3 CIMD destination', () => {
  it('reports a missing object as absent', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'no such key' }));
    await expect(s3Destination(target, new S3Client({})).observe(sha256(rendered.text))).resolves.toEqual({ exists: false });
  });

  it('reports hash, size and headers only when the object matches, the content too when it differs', async () => {
    s3.on(GetObjectCommand)
      .resolvesOnce({ Body: body(rendered.text) as never, ContentType: 'application/json', CacheControl: 'max-age=60' })
      .resolves({ Body: body('{"client_id":"x"}') as never, ContentType: 'text/plain' });
    const dest = s3Destination(target, new S3Client({}));
    expect(dest.attributes).toEqual({ contentType: 'application/json', cacheControl: 'max-age=60' });
    expect(await dest.observe(sha256(rendered.text))).toEqual({ exists: true, sha256: sha256(rendered.text), bytes: rendered.bytes, attributes: { contentType: 'application/json', cacheControl: 'max-age=60' } });
    expect(await dest.observe(sha256(rendered.text))).toEqual({ exists: true, sha256: sha256('{"client_id":"x"}'), bytes: 17, content: '{"client_id":"x"}', attributes: { contentType: 'text/plain', cacheControl: '' } });
  });

  it('keeps the previous object, puts application/json with the declared Cache-Control, then reads the object back', async () => {
    s3.on(CopyObjectCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand).resolves({ Body: body(rendered.text) as never, ContentType: 'application/json', CacheControl: 'max-age=60' });
    const after = await s3Destination(target, new S3Client({})).publish(rendered);
    expect(s3).toHaveReceivedNthCommandWith(1, CopyObjectCommand, { Bucket: 'cimd-docs', Key: 'oauth/client-metadata.json.previous', CopySource: 'cimd-docs/oauth%2Fclient-metadata.json' });
    expect(s3).toHaveReceivedNthCommandWith(2, PutObjectCommand, { Bucket: 'cimd-docs', Key: 'oauth/client-metadata.json', Body: rendered.text, ContentType: 'application/json', CacheControl: 'max-age=60' });
    expect(s3).toHaveReceivedNthCommandWith(3, GetObjectCommand, { Bucket: 'cimd-docs', Key: 'oauth/client-metadata.json' });
    expect(after).toMatchObject({ exists: true, sha256: sha256(rendered.text) });
  });

  it('publishes the first version without a previous copy', async () => {
    s3.on(CopyObjectCommand).rejects(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'no such key' }));
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand).resolves({ Body: body(rendered.text) as never });
    await s3Destination(target, new S3Client({})).publish(rendered);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it('an AccessDenied on a missing object (no s3:ListBucket) is an error, not "missing"', async () => {
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' }));
    await expect(s3Destination(target, new S3Client({})).observe(sha256(rendered.text))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('writes nothing when keeping the previous copy fails for another reason', async () => {
    s3.on(CopyObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'denied' }));
    await expect(s3Destination(target, new S3Client({})).publish(rendered)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });
});
