import type { RealmState } from '../../../emulators/keycloak/state';
import type { MachineRun } from '../../support/local-machine';
import { startRealmHarness, type RealmHarness } from '../../support/realm-harness';

// A failed apply leaves nothing the next run cannot converge. The seed's realm is applied to an empty
// Keycloak once to count its writes; then, for every write of that apply, the apply is run again from
// an empty Keycloak with that write failing: Keycloak refusing it (409, or 400), and the host failing
// at that step after Keycloak applied the write (the connection, and with it the executor's answer, is
// lost). Each time the run fails, and the next run, with no hand edit, converges to exactly the realm
// the clean apply made: the same objects and settings, every one recorded as keygate's.

const MACHINE = 'reconcile-realm.asl.json';
let h: RealmHarness;
let runMachine: typeof import('../../support/local-machine').runMachine;
let writes = 0;
let clean: unknown;

const reconcile = (): Promise<MachineRun> => runMachine(MACHINE, { desiredState: h.desired }, { retryIntervalMs: 20 });

/** The realm as keygate manages it, without server-made ids (the ownership record says only whether each id is recorded). */
function canonical(realm: RealmState): unknown {
  const scopeName = (id: string) => realm.clientScopes.find((s) => s.id === id)?.name;
  // A client's scope lists hold names in Keycloak's representation, ids in the stand-in's state: names either way.
  const nameOf = (idOrName: string) => scopeName(idOrName) ?? idOrName;
  const owned = JSON.parse(realm.attributes['keygate.owned'] ?? '{}') as Record<string, unknown>;
  const withoutIds = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(withoutIds).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'id' ? typeof x === 'string' : withoutIds(x)])) : v;
  return {
    enabled: realm.enabled,
    users: realm.users.map(({ id: _id, createdTimestamp: _at, credentials, ...u }) => ({ ...u, passwords: credentials.length })).sort((a, b) => a.username.localeCompare(b.username)),
    clientScopes: realm.clientScopes
      .map(({ id: _id, protocolMappers, ...s }) => ({ ...s, protocolMappers: protocolMappers.map(({ id: _m, ...m }) => m) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    defaultScopes: realm.defaultDefaultScopes.map(scopeName).sort(),
    optionalScopes: realm.defaultOptionalScopes.map(scopeName).sort(),
    clients: realm.clients
      .map(({ id: _id, secret: _secret, ...c }) => ({ ...c, defaultClientScopes: c.defaultClientScopes.map(nameOf).sort(), optionalClientScopes: c.optionalClientScopes.map(nameOf).sort() }))
      .sort((a, b) => a.clientId.localeCompare(b.clientId)),
    profiles: realm.profiles,
    policies: realm.policies,
    owned: withoutIds(owned),
  };
}

beforeAll(async () => {
  h = await startRealmHarness();
  ({ runMachine } = await import('../../support/local-machine'));
  // Prepare: the clean apply, from an empty Keycloak.
  const before = h.kc.writes().length;
  const run = await reconcile();
  expect(run.output).toMatchObject({ outcome: 'applied' });
  writes = h.kc.writes().length - before;
  clean = canonical(h.kc.realm('mcp-demo')!);
}, 60_000);
afterAll(() => h.close());

describe.each([
  ['Keycloak refuses the write (409 at odd steps, 400 at even ones)', (step: number) => ({ status: step % 2 ? 409 : 400, body: { errorMessage: `refused at write ${step} for this test` } }), 'KeycloakChangeFailedError'],
  ['the host fails after Keycloak applied the write (the answer is lost)', () => 'drop-after-apply' as const, 'KeycloakUnreachableError'],
])('%s', (_, fault, error) => {
  it('at every write of the apply, the next run converges without a hand edit', async () => {
    for (let step = 1; step <= writes; step++) {
      // Prepare: an empty Keycloak again, and the fault at this step of the apply.
      h.kc.putRealm('mcp-demo', undefined);
      h.kc.failWrite(step, fault(step));
      // Act
      const failed = await reconcile();
      const recovered = await reconcile();
      // Assess: the failed run stopped with the error the state machine reports; the next one converged
      // (the reconciler re-reads after apply and fails unless nothing is left to change) to the clean realm.
      expect({ step, error: failed.error?.name }).toEqual({ step, error });
      expect({ step, error: recovered.error, outcome: recovered.output?.outcome }).toEqual({ step, error: undefined, outcome: expect.stringMatching(/^(applied|converged)$/) });
      expect({ step, realm: canonical(h.kc.realm('mcp-demo')!) }).toEqual({ step, realm: clean });
    }
  }, 600_000);
});

it('the seed\'s apply has the writes the scenarios step through', () => {
  expect(writes).toBeGreaterThan(10);
});
