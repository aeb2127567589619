import { writeFileSync } from 'node:fs';
import { start as startCimdHost, type CimdHost } from '../../../emulators/cimd-host';
import { startWorld, type LocalWorld } from '../../../emulators/world';
import { observe, resolvingFetch } from '../../../functions/adapters/http/fetch';
import type { CimdOutcome } from '../../../functions/adapters/cimd/reconcile-cimd';
import { renderCimdDocument } from '../../../functions/core/cimd/render-cimd';
import type { DesiredState } from '../../../functions/core/desired/document';
import { validateDesiredStateShape } from '../../../functions/core/desired/load';
import { checkCimdDocument } from '../../../functions/core/verify/cimd';
import { expectationsFor } from '../../../functions/core/verify/expectations';
import { deployed, invoke } from '../../support/lambda';
import { seedRaw } from '../../support/seed';

// Publish → served → compared: the host executor writes the file under the world's host root, the
// CIMD host peer serves that very file the way nginx serves its web root, and the verification
// check fetches it by its public URL.

const handler = deployed('PublishCimdDocumentFunction');
const PATH = '/opt/cimd/public/oauth/client-metadata.json';
let world: LocalWorld;
let desired: DesiredState;
const hosts: CimdHost[] = [];

beforeAll(async () => {
  world = await startWorld({ document: seedRaw(), speed: 400 });
  desired = validateDesiredStateShape(world.document, 'world');
  await expect(invoke(handler, { desired }) as Promise<CimdOutcome>).resolves.toMatchObject({ outcome: 'created' });
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  await world.close();
});

/** Serves the published file with this Cache-Control and runs the CIMD checks against it by its public URL. */
async function servedCheck(cacheControl: string, d: DesiredState = desired) {
  const host = await startCimdHost({ path: new URL(d.cimd!.url).pathname, file: world.hostFile(PATH), cacheControl });
  hosts.push(host);
  const fetchFn = resolvingFetch({ [new URL(d.cimd!.url).host]: host.url });
  const checks = checkCimdDocument(await observe(fetchFn, d.cimd!.url), expectationsFor(d));
  return checks.find((c) => c.id === 'cimd.current')!;
}

describe('the served check on the published document', () => {
  it('passes on what keygate published, and reports the Cache-Control and Keycloak\'s resulting cache time', async () => {
    const check = await servedCheck('max-age=60');
    expect(check).toMatchObject({ status: 'pass', observed: { cacheControl: 'max-age=60', keycloakCacheSeconds: 300, keycloakCacheBasis: 'max-age=60 raised to min-cache-time' } });
    expect(check.evidence).toMatch(/equals the one keygate renders; served with Cache-Control "max-age=60": Keycloak keeps a fetched copy for 300 s \(5 min\)/);
  });

  it('fails on a hand-edited file, naming the fields and the cache time (a max-age within the bounds is used as is)', async () => {
    // Prepare
    const current = renderCimdDocument(desired.cimd!);
    writeFileSync(world.hostFile(PATH), JSON.stringify({ ...current.document, redirect_uris: ['https://callback.attacker.example/cb'] }));
    // Act
    const check = await servedCheck('public, max-age=86400');
    // Assess
    expect(check).toMatchObject({ status: 'fail', diagnosis: 'cimd-stale', observed: { differing: ['redirect_uris'], cacheControl: 'public, max-age=86400', keycloakCacheSeconds: 86_400 } });
    expect(check.evidence).toMatch(/differs from the declared one in redirect_uris .* Keycloak keeps a fetched copy for 86400 s \(1 day\) \(max-age=86400; min-cache-time 300 s, max-cache-time 259200 s\)/);
    expect(check.fix).toMatch(/allow Keycloak's cache time \(86400 s \(1 day\)\)/);
  });

  it('uses the document\'s keycloakCache bounds, and passes again once the document is published', async () => {
    // Prepare: Keycloak started with min-cache-time=0 and max-cache-time=600
    const raw = structuredClone(world.document);
    raw.cimd.keycloakCache = { minSeconds: 0, maxSeconds: 600 };
    const bounded = validateDesiredStateShape(raw, 'bounded');
    // Act / Assess: still the edited file
    expect(await servedCheck('max-age=86400', bounded)).toMatchObject({ status: 'fail', observed: { keycloakCacheSeconds: 600, keycloakCacheBasis: 'max-age=86400 lowered to max-cache-time' } });
    expect(await servedCheck('no-store', bounded)).toMatchObject({ status: 'fail', observed: { keycloakCacheSeconds: 0, keycloakCacheBasis: 'no-store: min-cache-time' } });
    // Act: publish, then serve again
    await expect(invoke(handler, { desired: bounded }) as Promise<CimdOutcome>).resolves.toMatchObject({ outcome: 'updated' });
    expect(await servedCheck('no-store', bounded)).toMatchObject({ status: 'pass' });
  });
});
