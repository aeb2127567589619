/**
 * The real Keycloak test service: one Keycloak 26.7.3 server for the whole jest run, shared by every
 * test file, each test on realms of its own.
 *
 * How a test uses it (tests/integration/keycloak-real/ holds the tests that need it):
 *
 *   const kc = await realKeycloak();                 // the run's server: url, admin, helpers
 *   const realm = await kc.freshRealm('my-test');    // a new, enabled realm with a unique name
 *   const token = await kc.token();                  // an admin access token (master realm, admin-cli)
 *   const { status, body } = await kc.call('GET', `/admin/realms/${realm}/clients`);
 *   await kc.deleteRealm(realm);                     // optional: the server and its database go at the end
 *
 * - The jest global setup (tests/support/global-setup.ts) starts it when the run includes a test under
 *   tests/integration/keycloak-real/ (the whole suite does), and the global teardown stops it; a server
 *   never outlives jest (scripts/keycloak/supervise.py).
 * - Installation (Maven fetch, `kc.sh build`, the template database) happens on the first run only,
 *   into `.aws-sam/keygate/keycloak/` (scripts/keycloak/dist.ts).
 * - The admin password is made per run. Workers read the connection from a 0600 file whose path (not
 *   the password) is in KEYGATE_KEYCLOAK_CONNECTION; it is never printed.
 * - `npm run keycloak` keeps a server running between jest runs (while working on these tests): with
 *   KEYGATE_KEYCLOAK_CONNECTION set to the file it prints, the global setup uses that server.
 * - A test that needs a server of its own (another build, a restart) calls startKeycloakServer from
 *   scripts/keycloak/server.ts directly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@jest/types';
import { adminClient, type AdminClient, type AdminResponse } from '../../scripts/keycloak/admin-client';
import { startKeycloakServer, type KeycloakServer } from '../../scripts/keycloak/server';
import { fromPackageRoot } from '../../scripts/package-root';
import { prepareKeycloakTrust } from '../../scripts/tls/keycloak-trust';

export const CONNECTION_ENV = 'KEYGATE_KEYCLOAK_CONNECTION';
export const REAL_KEYCLOAK_TESTS = fromPackageRoot('tests', 'integration', 'keycloak-real');

/** What a worker knows about the run's server. */
export interface Connection {
  version: string;
  url: string;
  managementUrl: string;
  admin: { realm: 'master'; username: string; password: string };
  /**
   * The run's local CA, which the server's truststore holds (the login flow's CIMD host,
   * tests/integration/keycloak-real/login.test.ts): its certificate and key files (0600).
   */
  tls?: { caCertFile: string; caKeyFile: string };
}

export type { AdminResponse };

export interface RealKeycloak extends Connection, Omit<AdminClient, 'url'> {
  /** Creates an enabled realm named `kg-<label>-<random>` and returns its name. */
  freshRealm(label: string, representation?: Record<string, unknown>): Promise<string>;
  /** A name for a realm that does not exist yet (for tests where keygate creates it). */
  realmName(label: string): string;
  deleteRealm(name: string): Promise<void>;
}

type Holder = { server?: KeycloakServer; dir?: string };
const holder = (): Holder => ((globalThis as { __keygateKeycloak?: Holder }).__keygateKeycloak ??= {});

/**
 * Global-setup concern: starts the server when this run includes a real-Keycloak test. Prints what it
 * does on stderr (the first run installs Keycloak: a few minutes), never the password.
 */
export async function startRealKeycloakService(globalConfig: Config.GlobalConfig): Promise<void> {
  if (!needsRealKeycloak(globalConfig)) return;
  const given = process.env[CONNECTION_ENV];
  if (given) {
    if (!existsSync(given)) throw new Error(`${CONNECTION_ENV} names ${given}, which does not exist: unset it, or start a server with npm run keycloak`);
    process.stderr.write(`keygate: using the running Keycloak of ${given} (${CONNECTION_ENV})\n`);
    return;
  }
  const progress = (message: string) => process.stderr.write(`${message}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'keygate-kc-connection-'));
  // The login flow's CIMD host is served over HTTPS by a local CA: Keycloak trusts it from the start.
  const trust = prepareKeycloakTrust(dir);
  const server = await startKeycloakServer({ progress, ...trust.serverOptions });
  const file = join(dir, 'connection.json');
  const connection: Connection = { version: server.version, url: server.url, managementUrl: server.managementUrl, admin: server.admin, tls: { caCertFile: trust.caCertFile, caKeyFile: trust.caKeyFile } };
  writeFileSync(file, JSON.stringify(connection), { mode: 0o600 });
  process.env[CONNECTION_ENV] = file;
  Object.assign(holder(), { server, dir });
  progress(`keygate: Keycloak ${server.version} ready at ${server.url} in ${(server.timings.startMs / 1000).toFixed(1)} s (ready ${(server.timings.readyMs / 1000).toFixed(1)} s after its start)`);
}

/** Global-teardown concern: stops the server and removes the connection file. */
export async function stopRealKeycloakService(): Promise<void> {
  const h = holder();
  await h.server?.stop();
  if (h.dir) rmSync(h.dir, { recursive: true, force: true });
  delete process.env[CONNECTION_ENV];
  delete h.server;
  delete h.dir;
}

/** Whether the selected tests include one under tests/integration/keycloak-real/ (no selection: all do). */
function needsRealKeycloak(globalConfig: Config.GlobalConfig): boolean {
  if (globalConfig.listTests) return false;
  const patterns = globalConfig.testPathPatterns;
  if (!patterns?.isSet()) return true;
  const executor = patterns.toExecutor({ rootDir: globalConfig.rootDir });
  const files = existsSync(REAL_KEYCLOAK_TESTS) ? readdirSync(REAL_KEYCLOAK_TESTS).filter((f) => f.endsWith('.test.ts')) : [];
  return files.some((f) => executor.isMatch(join(REAL_KEYCLOAK_TESTS, f)));
}

let cached: Promise<RealKeycloak> | undefined;

/**
 * The run's real Keycloak, from a test file.
 *
 * @example
 * const kc = await realKeycloak();
 * const realm = await kc.freshRealm('contract');
 */
export function realKeycloak(): Promise<RealKeycloak> {
  return (cached ??= (async () => {
    const file = process.env[CONNECTION_ENV];
    if (!file || !existsSync(file)) {
      throw new Error(`the real Keycloak is not running: ${CONNECTION_ENV} is ${file ? `${file}, which does not exist` : 'unset'}. Run the test with jest from the package root (the global setup starts Keycloak for tests under tests/integration/keycloak-real/).`);
    }
    return connect(JSON.parse(readFileSync(file, 'utf8')) as Connection);
  })());
}

/** Helpers over a connection (also for a server a test started itself). */
export function connect(connection: Connection): RealKeycloak {
  const admin = adminClient(connection.url, connection.admin);
  const realmName = (label: string) => `kg-${label}-${randomBytes(3).toString('hex')}`;
  return {
    ...connection,
    token: admin.token,
    call: admin.call,
    ok: admin.ok,
    realmName,
    freshRealm: async (label, representation = {}) => {
      const name = realmName(label);
      await admin.ok('POST', '/admin/realms', { realm: name, enabled: true, ...representation });
      return name;
    },
    deleteRealm: async (name) => {
      const response = await admin.call('DELETE', `/admin/realms/${encodeURIComponent(name)}`);
      if (response.status !== 204 && response.status !== 404) throw new Error(`DELETE realm ${name}: HTTP ${response.status}`);
    },
  };
}
