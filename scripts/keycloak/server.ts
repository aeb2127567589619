import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromPackageRoot } from '../package-root';
import { adminToken } from './admin-client';
import { installKeycloak, KEYCLOAK_VERSION, type KeycloakBuild } from './dist';

/**
 * One real Keycloak on loopback, for tests and `keygate rehearse --keycloak real`.
 *
 * - Started from a pre-built server (`kc.sh start --optimized`, so no Quarkus re-augmentation per run)
 *   with what dev mode would set: plain http, `hostname-strict=false`, a local cache (no cluster
 *   discovery on the network), the embedded H2 database, here a throw-away copy of the template's.
 * - Listens on 127.0.0.1 only, on ports found free; proxy headers `xforwarded` as on the seed's host
 *   (behind an ALB), so a caller routing a public name to it (`resolvingFetch`) gets that name's issuer.
 * - The seed's CIMD cache options (min 1 s, max 60 s), a bounded heap.
 * - Its admin is `admin` with a password made for this run: it goes to the caller, never to a log.
 * - It runs under scripts/keycloak/supervise.py, which stops it when `stop()` is called, when this
 *   process dies (even by SIGKILL: the pipe closes, and PR_SET_PDEATHSIG), or on Ctrl-C, and then
 *   removes the run's directory.
 */
export interface KeycloakServer {
  version: string;
  build: KeycloakBuild;
  /** Base URL, e.g. http://127.0.0.1:41234 (what `keycloak.admin.url` points at). */
  url: string;
  /** Management interface (health). */
  managementUrl: string;
  admin: { realm: 'master'; username: string; password: string };
  /** The run's throw-away home (database, logs); removed when the server stops. */
  runDir: string;
  pid: number;
  /** Milliseconds from spawn to ready, and for the whole start (install check, copy, password change). */
  timings: { readyMs: number; startMs: number };
  /** The server's log so far (it never contains the admin password). */
  log(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  build?: KeycloakBuild;
  /**
   * Start on this data directory (a stopped server's `runDir`/data, kept with `keepData`) instead of a
   * fresh copy of the template's, with `dataAdmin` the admin credentials that database has.
   */
  data?: string;
  dataAdmin?: { username: string; password: string };
  /** Leave the data directory behind on stop (for a test that restarts on it with another build). */
  keepData?: boolean;
  progress?: (message: string) => void;
  /** Bound on the wait for readiness; a bound, not an expectation (a loaded machine is slow). */
  readyTimeoutMs?: number;
  /** More runtime options for `kc.sh start` (e.g. `--truststore-paths=…` for the login flow's CIMD host). */
  args?: string[];
  /** More JVM options (JAVA_OPTS_APPEND; e.g. `-Djdk.net.hosts.file=…` mapping public names to loopback). */
  javaOptions?: string[];
}

/** The seed's CIMD cache options (shared/seeds: min 1, max 60). */
export const CIMD_CACHE_OPTIONS = [
  '--spi-client-policy-executor--client-id-metadata-document--min-cache-time=1',
  '--spi-client-policy-executor--client-id-metadata-document--max-cache-time=60',
];
const HEAP = process.env.KG_HEAP ?? '-Xms256m -Xmx768m';
const ADMIN = 'admin';

/**
 * @example
 * const kc = await startKeycloakServer({ progress: (m) => console.error(m) });
 * // … kc.url, kc.admin …
 * await kc.stop();
 */
export async function startKeycloakServer(options: StartOptions = {}): Promise<KeycloakServer> {
  const started = Date.now();
  const installed = await installKeycloak(options.build ?? 'cimd', options.progress);
  const template = options.dataAdmin ?? (JSON.parse(readFileSync(installed.templateAdminFile, 'utf8')) as { username: string; password: string });
  const password = randomBytes(18).toString('base64url');
  let lastError: unknown;
  // A port found free can be taken before Keycloak binds it: then Keycloak exits, and we try other ports.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const runDir = prepareRunDir(installed.home, options.data ?? installed.templateData, options.data !== undefined);
    try {
      const server = await launch(installed.home, runDir, options, started);
      try {
        await changeAdminPassword(server.url, template, password);
      } catch (error) {
        await server.stop();
        throw error;
      }
      return { ...server, version: KEYCLOAK_VERSION, build: installed.build, admin: { realm: 'master', username: ADMIN, password }, timings: { ...server.timings, startMs: Date.now() - started } };
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) throw error;
    }
  }
  throw lastError;
}

/** Makes the template: a first start on an empty database with a bootstrap admin, then a clean stop. */
export async function makeTemplate(home: string, into: string): Promise<void> {
  const password = randomBytes(18).toString('base64url');
  mkdirSync(join(into, 'data'), { recursive: true });
  const runDir = prepareRunDir(home, undefined, false);
  const server = await launch(home, runDir, { keepData: true, readyTimeoutMs: 15 * 60_000 }, Date.now(), { KC_BOOTSTRAP_ADMIN_USERNAME: ADMIN, KC_BOOTSTRAP_ADMIN_PASSWORD: password });
  await server.stop();
  cpSync(join(runDir, 'data', 'h2'), join(into, 'data', 'h2'), { recursive: true, filter: (src) => !src.endsWith('.trace.db') });
  rmSync(runDir, { recursive: true, force: true });
  writeFileSync(join(into, 'admin.json'), JSON.stringify({ username: ADMIN, password }), { mode: 0o600 });
}

class PortTakenError extends Error {}

/**
 * A home of its own for one run: links to the built server's lib, conf, providers and themes, and a
 * real data directory (Keycloak keeps its database and transaction logs under `kc.home.dir`/data).
 */
function prepareRunDir(home: string, data: string | undefined, inPlace: boolean): string {
  const runDir = mkdtempSync(join(tmpdir(), 'keygate-keycloak-'));
  for (const entry of ['lib', 'conf', 'providers', 'themes']) symlinkSync(join(home, entry), join(runDir, entry));
  if (data && inPlace) symlinkSync(data, join(runDir, 'data'));
  else if (data) cpSync(data, join(runDir, 'data'), { recursive: true });
  else mkdirSync(join(runDir, 'data'));
  return runDir;
}

async function launch(home: string, runDir: string, options: StartOptions, started: number, env: Record<string, string> = {}): Promise<Omit<KeycloakServer, 'version' | 'build' | 'admin'>> {
  const [httpPort, managementPort] = await freePorts(2);
  const spawned = Date.now();
  const logFile = join(runDir, 'keycloak.log');
  const args = [
    fromPackageRoot('scripts', 'keycloak', 'supervise.py'),
    '--log', logFile,
    ...(options.keepData ? [] : ['--remove', runDir]),
    '--',
    join(home, 'bin', 'kc.sh'),
    'start',
    '--optimized',
    `-Dkc.home.dir=${runDir}`,
    '--http-enabled=true',
    '--http-host=127.0.0.1',
    `--http-port=${httpPort}`,
    `--http-management-port=${managementPort}`,
    '--hostname-strict=false',
    '--proxy-headers=xforwarded',
    '--cache=local',
    ...CIMD_CACHE_OPTIONS,
    ...(options.args ?? []),
  ];
  const child = spawn('python3', args, {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, ...env, JAVA_OPTS_KC_HEAP: HEAP, ...(options.javaOptions?.length ? { JAVA_OPTS_APPEND: [process.env.JAVA_OPTS_APPEND, ...options.javaOptions].filter(Boolean).join(' ') } : {}) },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  child.once('error', () => undefined);
  const url = `http://127.0.0.1:${httpPort}`;
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return stderr;
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopChild(child, exited));
  const ready = await waitReady(managementUrl, exited, options.readyTimeoutMs ?? 10 * 60_000);
  if (ready !== 'ready') {
    await stop();
    const text = `${stderr}\n${log()}`;
    if (/Address already in use|Port\(s\) already bound/i.test(text)) throw new PortTakenError(`port ${httpPort} or ${managementPort} was taken`);
    throw new Error(`Keycloak ${KEYCLOAK_VERSION} did not become ready (${ready}); its log ends:\n${text.trim().split('\n').slice(-25).join('\n')}`);
  }
  return { url, managementUrl, runDir, pid: child.pid!, timings: { readyMs: Date.now() - spawned, startMs: Date.now() - started }, log, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<number>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.stdin!.end('stop\n');
  await exited;
}

async function waitReady(managementUrl: string, exited: Promise<number>, timeoutMs: number): Promise<'ready' | string> {
  let done: string | undefined;
  void exited.then((code) => (done ??= `it exited with code ${code}`));
  const deadline = Date.now() + timeoutMs;
  while (!done) {
    if (Date.now() > deadline) return `not ready after ${Math.round(timeoutMs / 1000)} s`;
    try {
      const response = await fetch(`${managementUrl}/health/ready`, { signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      if (response.status === 200) return 'ready';
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return done;
}

/** The template's bootstrap admin gets this run's password (Keycloak creates a bootstrap admin only with the master realm). */
async function changeAdminPassword(url: string, template: { username: string; password: string }, password: string): Promise<void> {
  const token = await adminToken(url, template.username, template.password);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const users = (await (await fetch(`${url}/admin/realms/master/users?username=${encodeURIComponent(ADMIN)}&exact=true`, { headers })).json()) as Array<{ id: string }>;
  const response = await fetch(`${url}/admin/realms/master/users/${users[0]!.id}/reset-password`, { method: 'PUT', headers, body: JSON.stringify({ type: 'password', value: password, temporary: false }) });
  if (response.status !== 204) throw new Error(`Keycloak refused to set this run's admin password: HTTP ${response.status}`);
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<import('node:net').Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
