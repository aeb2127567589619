import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fromPackageRoot } from '../package-root';

/**
 * The real Keycloak keygate is tested against: the server distribution from Maven Central, pinned,
 * fetched by Maven into the git-ignored `.aws-sam/keygate/keycloak/` and built once per set of build options.
 * Inside `.aws-sam/`, beside the SAM CLI's venv, for the venv's reason (scripts/toolchain/python-tools.ts):
 * `sam build` copies the project root minus `.aws-sam`, `.git` and `node_modules` once per function. The
 * cache was once `.keygate-cache/` in the root: every build copied its 250 MB 25 times, and a build that ran
 * while the first run was unpacking Keycloak there failed on a file gone mid-copy (CopySource, Errno 2).
 * 26.7.3: the newest 26.7 on Maven Central (26.6 is not served there; 26.5 has no CIMD).
 */
export const KEYCLOAK_VERSION = '26.7.3';
export const KEYCLOAK_ARTIFACT = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`;

/**
 * Build-time options of each server kind (features are build-time in Keycloak: a server without CIMD
 * is another build). dev-file: the embedded H2 database dev mode uses, one throw-away copy per run.
 */
export const BUILDS = {
  cimd: ['--db=dev-file', '--health-enabled=true', '--features=cimd'],
  // RFC 8707 resource indicators: experimental in 26.7 (Profile.Feature.RESOURCE_INDICATORS, type
  // EXPERIMENTAL in keycloak-common-26.7.3.jar), so off unless the build names it.
  'cimd-resource-indicators': ['--db=dev-file', '--health-enabled=true', '--features=cimd,resource-indicators'],
  'no-cimd': ['--db=dev-file', '--health-enabled=true'],
} as const;
export type KeycloakBuild = keyof typeof BUILDS;

/** Where everything for this version lives (git-ignored). */
export const cacheDir = (): string => fromPackageRoot('.aws-sam', 'keygate', 'keycloak', KEYCLOAK_VERSION);

/** Everything a run needs from the cache: the built server's home and a database with the master realm in it. */
export interface InstalledKeycloak {
  build: KeycloakBuild;
  /** The built home (bin/kc.sh, lib/quarkus with the build's output); read-only while servers run. */
  home: string;
  /** `data/` of a server started once from this build: schema created, master realm with a bootstrap admin. */
  templateData: string;
  /** That bootstrap admin (the template's password lives only in this 0600 file; each run replaces it). */
  templateAdminFile: string;
}

type Progress = (message: string) => void;

/**
 * Fetches, unpacks and builds Keycloak, and makes the template database, each step only once: every
 * step writes into a temporary directory renamed into place when complete, so an interrupted or
 * concurrent install never leaves a half-made cache (a second install racing the first discards its copy).
 *
 * @example
 * const kc = await installKeycloak('cimd', (m) => process.stderr.write(`${m}\n`));
 */
export async function installKeycloak(build: KeycloakBuild, progress: Progress = () => undefined): Promise<InstalledKeycloak> {
  const dist = ensureDist(progress);
  const home = await ensureBuild(dist, build, progress);
  const template = await ensureTemplate(home, build, progress);
  return { build, home, templateData: join(template, 'data'), templateAdminFile: join(template, 'admin.json') };
}

/** `<cache>/dist/keycloak-<version>`: the unpacked distribution, never modified. */
function ensureDist(progress: Progress): string {
  const final = join(cacheDir(), 'dist');
  const home = join(final, `keycloak-${KEYCLOAK_VERSION}`);
  if (existsSync(join(home, 'bin', 'kc.sh'))) return home;
  requireTool('mvn', ['-v'], 'Maven fetches Keycloak from Maven Central: install it (Debian: apt-get install maven)');
  requireTool('java', ['-version'], 'Keycloak runs on Java 17, 21 or 25: install one (Debian: apt-get install openjdk-17-jre-headless)');
  progress(`keygate: fetching Keycloak ${KEYCLOAK_VERSION} (${KEYCLOAK_ARTIFACT}) with Maven into ${final} (once)`);
  const tmp = temporarySibling(final);
  // Without a pom, the plugin's marker files would go to a literal `${project.basedir}/target` in the cwd.
  const markers = join(tmp, '.markers');
  const done = spawnSync('mvn', ['-q', '-B', 'dependency:unpack', `-Dartifact=${KEYCLOAK_ARTIFACT}`, `-DoutputDirectory=${tmp}`, `-DmarkersDirectory=${markers}`], { cwd: tmp, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  for (const litter of [markers, join(tmp, '${project.basedir}')]) rmSync(litter, { recursive: true, force: true });
  if (done.status !== 0 || !existsSync(join(tmp, `keycloak-${KEYCLOAK_VERSION}`, 'bin', 'kc.sh'))) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`Maven could not fetch ${KEYCLOAK_ARTIFACT} (exit ${done.status}): ${tail(`${done.stdout}\n${done.stderr}`)}`);
  }
  return moveIntoPlace(tmp, final, home);
}

/**
 * `<cache>/builds/<build>-<hash of the options>`: a home whose lib/quarkus holds `kc.sh build`'s output
 * for these options. lib/lib (the 170 MB of jars) is a link to the unpacked distribution: the build
 * writes only lib/quarkus. Measured 2026-12-06 (2 vCPU, shared): 40-57 s, once per cache. The link is
 * relative, so the cache survives a moved checkout; a build whose link no longer resolves (an older cache's
 * absolute link, then moved: Keycloak then fails with "Could not find or load main class
 * io.quarkus.bootstrap.runner.QuarkusEntryPoint") is made again.
 */
async function ensureBuild(dist: string, build: KeycloakBuild, progress: Progress): Promise<string> {
  const options = BUILDS[build];
  const final = join(cacheDir(), 'builds', `${build}-${digest(options.join(' '))}`);
  if (existsSync(join(final, 'lib', 'quarkus', 'quarkus-application.dat'))) {
    if (existsSync(join(final, 'lib', 'lib'))) return final;
    rmSync(final, { recursive: true, force: true });
  }
  progress(`keygate: building Keycloak ${KEYCLOAK_VERSION} (${options.join(' ')}) into ${final} (once)`);
  const tmp = temporarySibling(final);
  for (const entry of readdirSync(dist)) if (entry !== 'lib') cpSync(join(dist, entry), join(tmp, entry), { recursive: true });
  mkdirSync(join(tmp, 'lib'));
  for (const entry of readdirSync(join(dist, 'lib'))) {
    // Relative: tmp is renamed to final, a sibling, so the same path resolves from there.
    if (entry === 'lib') symlinkSync(relative(join(tmp, 'lib'), join(dist, 'lib', 'lib')), join(tmp, 'lib', 'lib'));
    else cpSync(join(dist, 'lib', entry), join(tmp, 'lib', entry), { recursive: true });
  }
  const code = await run(join(tmp, 'bin', 'kc.sh'), ['build', ...options], join(tmp, 'build.log'));
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`kc.sh build ${options.join(' ')} failed with exit code ${code}`);
  }
  return moveIntoPlace(tmp, final, final);
}

/**
 * `<cache>/templates/<build>`: the data directory of a server started once and stopped, so that each run
 * copies a database that already has its schema and master realm (Liquibase's schema creation alone took
 * 17-32 s of a first start, measured 2026-12-06) instead of making one.
 */
async function ensureTemplate(home: string, build: KeycloakBuild, progress: Progress): Promise<string> {
  const final = join(cacheDir(), 'templates', basename(home));
  if (existsSync(join(final, 'admin.json')) && existsSync(join(final, 'data', 'h2'))) return final;
  progress(`keygate: creating Keycloak's template database in ${final} (once)`);
  const { makeTemplate } = await import('./server');
  const tmp = temporarySibling(final);
  try {
    await makeTemplate(home, tmp);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return moveIntoPlace(tmp, final, final);
}

function requireTool(command: string, args: string[], fix: string): void {
  const done = spawnSync(command, args, { stdio: 'ignore' });
  if (done.error || done.status !== 0) throw new Error(`${command} is not available: ${fix}`);
}

function temporarySibling(final: string): string {
  const tmp = `${final}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  return tmp;
}

/** Renames `tmp` to `final`; if another install got there first, keeps theirs. Returns `result`. */
function moveIntoPlace(tmp: string, final: string, result: string): string {
  try {
    renameSync(tmp, final);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(final)) throw error;
  }
  return result;
}

function run(command: string, args: string[], log: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { openSync, closeSync } = require('node:fs') as typeof import('node:fs');
    const fd = openSync(log, 'a');
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: { ...process.env, JAVA_OPTS_KC_HEAP: '-Xms64m -Xmx768m' } });
    closeSync(fd);
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);
const tail = (text: string): string => text.trim().split('\n').slice(-8).join('\n');
