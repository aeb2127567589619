import type { MachineRun } from '../../support/local-machine';
import { startRealmHarness, type RealmHarness } from '../../support/realm-harness';

// An apply stopped at any of its writes converges in ONE further run: the real reconcile-realm.asl.json,
// the Command document running the real executor, the Keycloak stand-in. The stop is a fault at a named
// point, the k-th admin write (emulators/ssm/host-fault.py), never a time: the whole command is killed
// with its process group right after Keycloak answered that write (so it landed), as SSM does at the
// document's timeoutSeconds.

const MACHINE = 'reconcile-realm.asl.json';
let h: RealmHarness;
let runMachine: typeof import('../../support/local-machine').runMachine;
const reconcile = (): Promise<MachineRun> => runMachine(MACHINE, { desiredState: h.desired });
const owned = () => JSON.parse(h.kc.realm('mcp-demo')!.attributes['keygate.owned'] ?? 'null') as Record<string, unknown>;

beforeAll(async () => {
  h = await startRealmHarness();
  ({ runMachine } = await import('../../support/local-machine'));
});
afterAll(() => h.close());

/** How many admin writes a full apply against an empty Keycloak makes (the stop points to try). */
let writes = 0;

it('a full apply against an empty Keycloak (the reference: its writes are the stop points)', async () => {
  const before = h.kc.writes().length;
  const run = await reconcile();
  expect(run.output).toMatchObject({ outcome: 'applied' });
  writes = h.kc.writes().length - before;
  expect(writes).toBe(12);
});

describe('stopped after write k (killed with its process group; the k-th write landed)', () => {
  // The seed's apply against an empty Keycloak makes 12 writes: realm, ownership intent, user, scope, …, final record.
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))('k = %i: the next run converges, and the one after writes nothing', async (k) => {
    // Prepare: an empty Keycloak, and the apply command armed to die after its k-th write.
    h.kc.putRealm('mcp-demo', undefined);
    h.ssm.injectHostFault({ at: 'keycloak-write', nth: k, when: 'after', action: 'kill-group', command: 'apply' });
    const failed = await reconcile();
    expect(h.ssm.hostFaultFired()).toMatchObject({ nth: k });
    expect(failed.error?.name).toBe('SsmCommandFailedError');
    h.ssm.clearHostFault();
    // Act
    const resumed = await reconcile();
    const writesBefore = h.kc.writes().length;
    const again = await reconcile();
    // Assess: one clean run converges (its own check re-plans after apply), the next is a no-op.
    expect([k, resumed.error]).toEqual([k, undefined]);
    expect(resumed.output.outcome).toMatch(/^(applied|converged)$/);
    expect(again.output).toMatchObject({ outcome: 'converged', changeCount: 0 });
    expect(h.kc.writes().length).toBe(writesBefore);
    // Every object keygate created is recorded with its id.
    const record = owned() as { users: Array<{ id: string | null }>; clientScopes: Array<{ id: string | null }>; audienceMappers: Array<{ id: string | null }>; clients: Array<{ id: string | null }> };
    for (const entry of [...record.users, ...record.clientScopes, ...record.audienceMappers, ...record.clients]) expect(entry.id).toEqual(expect.any(String));
  });
});
