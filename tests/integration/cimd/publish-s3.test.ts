import { startWorld, type LocalWorld } from '../../../emulators/world';
import type { CimdOutcome } from '../../../functions/adapters/cimd/reconcile-cimd';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import type { DesiredState } from '../../../functions/core/desired/document';
import { validateDesiredStateShape } from '../../../functions/core/desired/check';
import { deployed, invoke } from '../../support/lambda';
import { seedRaw } from '../../support/seed';

// The S3 destination through the real S3 client and the S3 emulator (path-style REST): its own
// function (Publish CIMD To S3), the same step code and destination interface as the host file's.

const handler = deployed('PublishCimdToS3Function');
const hostPublisher = deployed('PublishCimdDocumentFunction');
const BUCKET = 'cimd-documents';
const KEY = 'oauth/client-metadata.json';
let world: LocalWorld;
let desired: DesiredState;
const publish = (mode: 'publish' | 'observe' = 'publish') => invoke(handler, { desired, mode }) as Promise<CimdOutcome>;

beforeAll(async () => {
  const raw = seedRaw();
  raw.cimd.publish = { s3: { bucket: BUCKET, key: KEY, cacheControl: 'max-age=300' } };
  world = await startWorld({ document: raw, speed: 400 });
  desired = validateDesiredStateShape(world.document, 'world');
});
afterAll(() => world.close());

describe('publishing the CIMD document to S3', () => {
  const text = () => renderCimdDocument(desired.cimd!).text;
  const putsOf = () => world.s3.calls.filter((c) => c.bucket === BUCKET && c.method === 'PUT' && c.status === 200).map((c) => c.key);

  it('creates the object with application/json and the declared Cache-Control; a second run puts nothing', async () => {
    await expect(publish()).resolves.toMatchObject({ outcome: 'created', destination: `s3://${BUCKET}/${KEY}`, plan: { action: 'create' } });
    expect(world.s3.getObject(BUCKET, KEY)).toMatchObject({ contentType: 'application/json', cacheControl: 'max-age=300' });
    expect(world.s3.getObject(BUCKET, KEY)!.body.toString('utf8')).toBe(text());
    expect(putsOf()).toEqual([KEY]);
    await expect(publish()).resolves.toMatchObject({ outcome: 'unchanged', plan: { action: 'noop' } });
    expect(putsOf()).toEqual([KEY]);
  });

  it('an object replaced out of band (other bytes, other headers) is drift, restored with the replaced copy kept as .previous', async () => {
    // Prepare
    const foreign = JSON.stringify({ client_id: desired.cimd!.url, client_name: 'uploaded by hand', redirect_uris: ['http://127.0.0.1/oauth/callback'] });
    world.s3.putObject(BUCKET, KEY, foreign, { contentType: 'text/plain' });
    // Act
    const observed = await publish('observe');
    // Assess
    expect(observed).toMatchObject({ outcome: 'drifted' });
    expect(observed.outcome !== 'skipped' && observed.plan.fields.map((f) => f.field)).toEqual(['client_name', 'grant_types', 'response_types', 'token_endpoint_auth_method', '(contentType)', '(cacheControl)']);
    await expect(publish()).resolves.toMatchObject({ outcome: 'updated' });
    expect(world.s3.getObject(BUCKET, KEY)!.body.toString('utf8')).toBe(text());
    expect(world.s3.getObject(BUCKET, `${KEY}.previous`)).toMatchObject({ contentType: 'text/plain' });
    expect(world.s3.getObject(BUCKET, `${KEY}.previous`)!.body.toString('utf8')).toBe(foreign);
    await expect(publish('observe')).resolves.toMatchObject({ outcome: 'in-sync' });
  });

  it('each publisher refuses the other destination before anything is read or written, naming the function that publishes it', async () => {
    const calls = world.s3.calls.length;
    const error = await invoke(hostPublisher, { desired, mode: 'publish' }).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'CimdPublishFailedError', message: expect.stringContaining('routes an S3 destination to Publish CIMD To S3') });
    expect(world.s3.calls.length).toBe(calls);
    const onHost: DesiredState = { ...desired, cimd: { ...desired.cimd!, publish: { host: { path: '/opt/cimd/public/oauth/client-metadata.json', mode: '0644' } } } };
    await expect(invoke(handler, { desired: onHost, mode: 'observe' })).rejects.toMatchObject({ name: 'CimdPublishFailedError', message: expect.stringContaining('routes a host destination to Publish CIMD Document') });
  });
});
