// The realm reconciler's figures against a real Keycloak 26.7.3 (scripts/keycloak/server.ts), for
// `npm run bench` (part "keycloak"): the server's start, a first converge, a converged re-run and a
// no-drift drift run, then the scale case: a realm that also holds 5,000 clients (as CIMD registrations
// create them), 200 client scopes and 50 profiles and 50 policies of other teams. Admin calls are
// counted at a recording proxy in front of Keycloak (what it received); times are wall times of the
// executions on this machine, Keycloak's start excluded.
import type { RunResult } from '../emulators/stepfunctions';
import { startWorld, type LocalWorld } from '../emulators/world';
import type { DriftReport } from '../functions/core/drift/report';
import type { RecordingProxy } from '../scripts/keycloak/recording-proxy';
import { adminClient, type AdminClient } from '../scripts/keycloak/admin-client';
import { startKeycloakServer } from '../scripts/keycloak/server';

type Row = [figure: string, value: string, against: string];
type World = LocalWorld<RecordingProxy>;

export const SCALE = { clients: 5000, scopes: 200, profiles: 50, policies: 50 };

export async function keycloakFigures(seed: () => Record<string, any>, speed: number, progress: (what: string) => void): Promise<Row[]> {
  progress('Keycloak: starting a real Keycloak 26.7.3 (installing it first if .aws-sam/keygate has none)');
  const server = await startKeycloakServer({ progress });
  const admin = adminClient(server.url, server.admin);
  try {
    const rows: Row[] = [[`real Keycloak ${server.version}: start to ready / whole start`, `${seconds(server.timings.readyMs)} / ${seconds(server.timings.startMs)}`, 'template database copied, kc.sh start --optimized, C1 only; not in the figures below']];
    const plain = await measure(seed(), 'kg-bench', server, admin, speed, progress, false);
    rows.push(
      ['real Keycloak: first converge (seed): admin calls / writes / SSM commands / wall', `${plain.first.calls} / ${plain.first.writes} / ${plain.first.ssm} / ${seconds(plain.first.ms)}`, `${plain.first.changes} changes, Keycloak's start excluded`],
      ['real Keycloak: converged re-run: admin calls / writes / SSM commands / wall', `${plain.rerun.calls} / ${plain.rerun.writes} / ${plain.rerun.ssm} / ${seconds(plain.rerun.ms)}`, '0 writes (at the proxy in front of Keycloak)'],
      ['real Keycloak: drift run, no drift: admin calls / writes / SSM commands', `${plain.drift.calls} / ${plain.drift.writes} / ${plain.drift.ssm}`, `${plain.drift.outcome}; verification off (the chain is timed in "verification run")`],
    );
    const big = await measure(seed(), 'kg-bench-scale', server, admin, speed, progress, true);
    const ratio = (a: number, b: number) => (b === 0 ? '–' : (a / b).toFixed(2));
    rows.push(
      [`real Keycloak, scale (${SCALE.clients} other clients, ${SCALE.scopes} scopes, ${SCALE.profiles} profiles + ${SCALE.policies} policies): observe + plan (dry run) wall, without / with`, `${seconds(plain.observe.ms)} / ${seconds(big.observe.ms)}`, `× ${ratio(big.observe.ms, plain.observe.ms)}`],
      ['real Keycloak, scale: observe command output, without / with', `${plain.observe.bytes} / ${big.observe.bytes} characters`, `${big.observe.bytes > 24_000 ? 'over' : 'under'} 24,000: ${big.observe.s3Reads ? `read from the output bucket (${big.observe.s3Reads} S3 GET${big.observe.s3Reads === 1 ? '' : 's'})` : 'read inline'}`],
      ['real Keycloak, scale: drift run, no drift: admin calls / writes / SSM commands, without → with', `${plain.drift.calls} / ${plain.drift.writes} / ${plain.drift.ssm} → ${big.drift.calls} / ${big.drift.writes} / ${big.drift.ssm}`, `client listings: ${big.clientListings} (keygate reads its canary by clientId only)`],
    );
    const huge = await measure(seed(), 'kg-bench-huge', server, admin, speed, progress, false, 600);
    rows.push(['real Keycloak: observe output with 600 long-named profiles of other teams', `${huge.observe.bytes} characters`, `${huge.observe.bytes > 24_000 ? 'over' : 'under'} 24,000: ${huge.observe.s3Reads ? `read in full from the output bucket (${huge.observe.s3Reads} S3 GET${huge.observe.s3Reads === 1 ? '' : 's'})` : 'read inline'}; dry run ${huge.drift.outcome}`]);
    return rows;
  } finally {
    await server.stop();
  }
}

interface Tally {
  calls: number;
  writes: number;
  ssm: number;
}

async function measure(raw: Record<string, any>, realm: string, server: { url: string; admin: { username: string; password: string } }, admin: AdminClient, speed: number, progress: (what: string) => void, scale: boolean, profiles = 0) {
  raw.keycloak.realm.name = realm;
  raw.gateway.authorizer.discoveryUrl = raw.gateway.authorizer.discoveryUrl.replace('/realms/mcp-demo/', `/realms/${realm}/`);
  raw.verify = { ...raw.verify, enabled: false };
  const w = (await startWorld({ document: raw, speed, keycloakServer: server })) as World;
  const tally = (): Tally => ({ calls: w.keycloak.callLog.filter((c) => c.path.startsWith('/admin/')).length, writes: w.keycloak.writes().length, ssm: w.ssm.calls.filter((c) => c.operation === 'SendCommand').length });
  const since = (t: Tally): Tally => {
    const n = tally();
    return { calls: n.calls - t.calls, writes: n.writes - t.writes, ssm: n.ssm - t.ssm };
  };
  const run = async (machine: string, input: Record<string, unknown>): Promise<RunResult> => {
    // No fixed poll intervals: the SSM polls follow the machines' Retry, time-scaled.
    const result = await w.run(machine, { input: machine === 'provision' ? {} : { desiredState: w.document, ...input }, overrides: { retryIntervalOverrides: {} } });
    if (result.status !== 'SUCCEEDED') throw new Error(`${machine} on ${realm}: ${result.error}: ${result.cause}`);
    return result;
  };
  try {
    progress(`Keycloak: first converge of ${realm}`);
    let t = tally();
    const first = await run('reconcile-realm', {});
    const firstTally = { ...since(t), ms: first.durationMs, changes: (first.output as { changeCount: number }).changeCount };
    // The gateway, its target and policy too, so that a drift run has nothing but Keycloak to look at.
    progress(`Keycloak: provisioning the rest around ${realm}`);
    await run('provision', {});
    if (scale || profiles) await plantOthers(admin, realm, scale, profiles, progress);
    t = tally();
    const rerun = await run('reconcile-realm', {});
    const rerunTally = { ...since(t), ms: rerun.durationMs };
    const s3Before = w.s3.calls.filter((c) => c.method === 'GET').length;
    const invocationsBefore = w.ssm.invocations.size;
    t = tally();
    const observe = await run('reconcile-realm', { dryRun: true });
    const observeOutput = [...w.ssm.invocations.values()].slice(invocationsBefore).map((i) => i.stdout.length);
    const observeTally = { ms: observe.durationMs, bytes: Math.max(0, ...observeOutput), s3Reads: w.s3.calls.filter((c) => c.method === 'GET').length - s3Before };
    t = tally();
    const drift = await run('drift', { mode: 'report' });
    const driftTally = { ...since(t), outcome: (drift.output as DriftReport).outcome };
    const clientListings = w.keycloak.callLog.filter((c) => c.method === 'GET' && /\/admin\/realms\/[^/]+\/clients$/.test(c.path) && !c.query.startsWith('clientId=')).length;
    return { first: firstTally, rerun: rerunTally, observe: observeTally, drift: driftTally, clientListings };
  } finally {
    await w.close();
  }
}

/** Other teams' objects, planted through the admin API: clients in one partial import, scopes, profiles and policies. */
async function plantOthers(admin: AdminClient, realm: string, scale: boolean, longProfiles: number, progress: (what: string) => void): Promise<void> {
  const base = `/admin/realms/${realm}`;
  if (scale) {
    progress(`Keycloak: ${SCALE.clients} clients, ${SCALE.scopes} scopes, ${SCALE.profiles} profiles and ${SCALE.policies} policies of other teams in ${realm}`);
    const clients = Array.from({ length: SCALE.clients }, (_, i) => ({ clientId: `https://cimd.team-${i % 50}.example.org/clients/${i}.json`, publicClient: true, redirectUris: ['http://127.0.0.1/cb'], attributes: { 'cimd.cache.expiry.time.in.sec': '0' } }));
    for (let i = 0; i < clients.length; i += 1000) await admin.ok('POST', `${base}/partialImport`, { ifResourceExists: 'SKIP', clients: clients.slice(i, i + 1000) });
    for (let i = 0; i < SCALE.scopes; i++) await admin.ok('POST', `${base}/client-scopes`, { name: `team-${i}:read`, protocol: 'openid-connect' });
  }
  const count = scale ? SCALE.profiles : longProfiles;
  const name = (i: number) => (longProfiles ? `team-${String(i).padStart(4, '0')}-${'x'.repeat(30)}` : `team-${i}-profile`);
  const { profiles } = await admin.ok('GET', `${base}/client-policies/profiles`);
  await admin.ok('PUT', `${base}/client-policies/profiles`, { profiles: [...profiles, ...Array.from({ length: count }, (_, i) => ({ name: name(i), executors: [{ executor: 'secure-session', configuration: {} }] }))] });
  if (scale) {
    const { policies } = await admin.ok('GET', `${base}/client-policies/policies`);
    await admin.ok('PUT', `${base}/client-policies/policies`, { policies: [...policies, ...Array.from({ length: SCALE.policies }, (_, i) => ({ name: `team-${i}-policy`, enabled: false, conditions: [{ condition: 'any-client', configuration: {} }], profiles: [name(i)] }))] });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
