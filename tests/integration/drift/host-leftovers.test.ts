import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { DriftItem } from '../../../functions/core/drift/report';
import { reportOf, startDriftWorld, type DriftWorld } from '../../support/drift';

// Leftovers of a killed command on the Keycloak host are drift: a drift report lists them (and leaves
// them), a repair removes them, and nothing of keygate's is left on the host afterwards. The command is
// killed at a named point (the rename of the CIMD document, emulators/ssm/host-fault.py); "older than the
// Command document's timeout" is made true by moving the leftovers' time stamps back, as the clock would.

const STAGING = '/opt/cimd/public/oauth/.keygate-staging';
let w: DriftWorld;
const workDirs = () => readdirSync(w.local.hostFile('/tmp')).filter((n) => n.startsWith('keygate-host.'));
const staged = () => (existsSync(w.local.hostFile(STAGING)) ? readdirSync(w.local.hostFile(STAGING)) : []);
const leftoverItems = (items: DriftItem[]) => items.filter((i) => i.resource.startsWith('keycloak-host/'));

function ageLeftovers() {
  const then = Date.now() / 1000 - 11 * 60;
  for (const name of workDirs()) utimesSync(join(w.local.hostFile('/tmp'), name), then, then);
  for (const name of staged()) utimesSync(join(w.local.hostFile(STAGING), name), then, then);
  utimesSync(w.local.hostFile(STAGING), then, then);
}

beforeAll(async () => {
  w = await startDriftWorld();
  // Prepare: the first provisioning's CIMD publish is killed (with bash: no EXIT trap) right before its rename.
  w.local.ssm.injectHostFault({ at: 'rename', command: 'publish', action: 'kill-group' });
  const killed = await w.provision();
  expect(w.local.ssm.hostFaultFired()).toMatchObject({ at: 'rename' });
  expect({ status: killed.status, error: killed.error }).toEqual({ status: 'FAILED', error: 'SsmCommandFailedError' });
  w.local.ssm.clearHostFault();
  await w.local.ssm.settle();
  expect([workDirs().length, staged().length]).toEqual([1, 1]);
  ageLeftovers();
});
afterAll(() => w.close());

it('a drift report lists each leftover (path, kind, age; never content) and leaves it', async () => {
  // Act
  const run = await w.drift({ mode: 'report' });
  // Assess
  expect(run.status).toBe('SUCCEEDED');
  const report = reportOf(run);
  expect(report.outcome).toBe('drift');
  const instance = w.document.keycloak.instanceId;
  expect(leftoverItems(report.items)).toEqual([
    expect.objectContaining({ area: 'keycloak', resource: `keycloak-host/${instance}`, field: join(w.local.hostFile('/tmp'), workDirs()[0]!), expected: null, actual: expect.stringMatching(/^work directory, \d+ s old$/), change: expect.objectContaining({ action: 'delete', kind: 'host-leftover' }) }),
    expect.objectContaining({ field: `${STAGING}/${staged()[0]}`, actual: expect.stringMatching(/^temporary file, \d+ s old, \d+ bytes$/) }),
  ]);
  expect([workDirs().length, staged().length]).toEqual([1, 1]);
});

it('a repair removes them, and the fresh observation finds none', async () => {
  // Act
  const run = await w.drift({ mode: 'repair' });
  // Assess
  expect(run.status).toBe('SUCCEEDED');
  expect(reportOf(run)).toMatchObject({ outcome: 'repaired' });
  expect(leftoverItems(reportOf(run).items)).toHaveLength(2);
  expect(workDirs()).toEqual([]);
  expect(existsSync(w.local.hostFile(STAGING))).toBe(false);
  // And the next report is clean.
  expect(reportOf(await w.drift({ mode: 'report' }))).toMatchObject({ outcome: 'clean', items: [] });
});
