import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callerOf, readBody } from '../http';

/**
 * A minimal S3 on loopback for the objects keygate reads and writes (SSM command output, later the
 * CIMD document): path-style REST (`/bucket/key`), PutObject, CopyObject (`x-amz-copy-source`),
 * GetObject, HeadObject, DeleteObject, with S3's XML errors (NoSuchBucket, NoSuchKey). Use the real S3 client with `forcePathStyle: true`
 * and `AWS_ENDPOINT_URL_S3` pointing here. Other agents (the SSM emulator's "instance") write through
 * {@link S3Emulator.putObject} directly, as the SSM agent uploads with the instance role.
 */
export interface StoredObject {
  body: Buffer;
  contentType: string;
  cacheControl?: string;
  etag: string;
  lastModified: Date;
}

export interface S3Emulator {
  endpoint: string;
  close(): Promise<void>;
  createBucket(name: string): void;
  putObject(bucket: string, key: string, body: string | Buffer, meta?: { contentType?: string; cacheControl?: string }): boolean;
  getObject(bucket: string, key: string): StoredObject | undefined;
  listKeys(bucket: string): string[];
  /** `query`: the request's query string (`?list-type=2` lists); `copySource`: a CopyObject's source; `caller`: the access key that signed it. */
  calls: Array<{ method: string; bucket: string; key: string; status: number; query: string; copySource?: string; caller: string }>;
  /**
   * The next `times` requests (of `method`, when given) answer one of S3's transient errors
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): InternalError 500,
   * ServiceUnavailable and SlowDown 503; or AccessDenied 403 (a policy that does not allow the call).
   */
  failNext(spec: { code: S3FaultCode; times?: number; method?: string }): void;
  /** Forgets every fault not yet used up. */
  clearFaults(): void;
}

export type S3TransientCode = 'InternalError' | 'ServiceUnavailable' | 'SlowDown';
export type S3FaultCode = S3TransientCode | 'AccessDenied';
const TRANSIENT: Record<S3FaultCode, [number, string]> = {
  AccessDenied: [403, 'Access Denied'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
  ServiceUnavailable: [503, 'Reduce your request rate.'],
  SlowDown: [503, 'Please reduce your request rate.'],
};

export async function start(options: { buckets?: string[] } = {}): Promise<S3Emulator> {
  const buckets = new Map<string, Map<string, StoredObject>>((options.buckets ?? []).map((b) => [b, new Map()]));
  const calls: S3Emulator['calls'] = [];
  const faults: Array<{ code: S3FaultCode; left: number; method?: string }> = [];
  const putObject: S3Emulator['putObject'] = (bucket, key, body, meta = {}) => {
    const objects = buckets.get(bucket);
    if (!objects) return false;
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    objects.set(key, { body: buffer, contentType: meta.contentType ?? 'binary/octet-stream', ...(meta.cacheControl ? { cacheControl: meta.cacheControl } : {}), etag: `"${createHash('md5').update(buffer).digest('hex')}"`, lastModified: new Date() });
    return true;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const body = await readBody(req);
    const reply = (status: number, headers: Record<string, string> = {}, payload?: Buffer | string) => {
      const copySource = req.headers['x-amz-copy-source'];
      calls.push({ method: req.method ?? 'GET', bucket, key, status, query: url.search, ...(typeof copySource === 'string' ? { copySource: decodeURIComponent(copySource.replace(/^\//, '').split('?')[0]!) } : {}), caller: callerOf(req) });
      res.writeHead(status, { 'x-amz-request-id': 'KG0000000000000', ...headers }).end(req.method === 'HEAD' ? undefined : payload);
    };
    const xmlError = (status: number, code: string, message: string) =>
      reply(status, { 'content-type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Key>${key}</Key><RequestId>KG0000000000000</RequestId></Error>`);
    const fault = faults.find((f) => f.left > 0 && (!f.method || f.method === req.method));
    if (fault) {
      fault.left -= 1;
      return xmlError(TRANSIENT[fault.code][0], fault.code, TRANSIENT[fault.code][1]);
    }
    const objects = buckets.get(bucket);
    if (!objects) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const copySource = req.headers['x-amz-copy-source'];
    if (req.method === 'PUT' && typeof copySource === 'string') {
      // CopyObject: the source is "<bucket>/<url-encoded key>"; the copy keeps its metadata (MetadataDirective COPY).
      const [sourceBucket = '', ...sourceKey] = decodeURIComponent(copySource.replace(/^\//, '').split('?')[0]!).split('/');
      const source = buckets.get(sourceBucket)?.get(sourceKey.join('/'));
      if (!source) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
      putObject(bucket, key, Buffer.from(source.body), { contentType: source.contentType, ...(source.cacheControl ? { cacheControl: source.cacheControl } : {}) });
      const copy = objects.get(key)!;
      return reply(200, { 'content-type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><ETag>${copy.etag}</ETag><LastModified>${copy.lastModified.toISOString()}</LastModified></CopyObjectResult>`);
    }
    if (req.method === 'PUT') {
      putObject(bucket, key, body, { contentType: req.headers['content-type'] ?? 'binary/octet-stream', ...(req.headers['cache-control'] ? { cacheControl: String(req.headers['cache-control']) } : {}) });
      return reply(200, { etag: objects.get(key)!.etag });
    }
    const object = objects.get(key);
    if (req.method === 'DELETE') return objects.delete(key), reply(204);
    if (!object) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
    return reply(200, { 'content-type': object.contentType, 'content-length': String(object.body.length), etag: object.etag, 'last-modified': object.lastModified.toUTCString(), ...(object.cacheControl ? { 'cache-control': object.cacheControl } : {}) }, object.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    createBucket: (name) => void (buckets.has(name) || buckets.set(name, new Map())),
    putObject,
    getObject: (bucket, key) => buckets.get(bucket)?.get(key),
    listKeys: (bucket) => [...(buckets.get(bucket)?.keys() ?? [])],
    calls,
    failNext: ({ code, times = 1, method }) => void faults.push({ code, left: times, ...(method ? { method } : {}) }),
    clearFaults: () => void faults.splice(0),
  };
}
