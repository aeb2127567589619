import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { packageRoot } from '../../scripts/package-root';

const execFileAsync = promisify(execFile);

/**
 * Finding and starting the headless Chromium that logs in at Keycloak: Debian's `chromium` when it is
 * installed (or the browser KEYGATE_CHROMIUM names; `KEYGATE_CHROMIUM=@sparticuz/chromium` skips Debian's), else the binary the npm package
 * `@sparticuz/chromium` ships (unpacked into the temporary directory on first use, ~4 s). Never a
 * browser download at run time: with neither, {@link ChromiumNotFoundError} says what to install.
 * Driven by playwright-core, which brings no browser of its own.
 */
export interface ChromiumChoice {
  executablePath: string;
  /** Where it came from, for reports: `debian` (or the one KEYGATE_CHROMIUM names) or `@sparticuz/chromium`. */
  source: 'debian' | 'env' | '@sparticuz/chromium';
  /** Flags this build needs to run here (the npm build: no sandbox as root, its headless shell, software GL). */
  args: string[];
}

/** Where Debian (and Ubuntu's deb) put the browser. */
export const DEBIAN_CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** KEYGATE_CHROMIUM's value that picks the npm package's build (not a path). */
export const SPARTICUZ = '@sparticuz/chromium';

export class ChromiumNotFoundError extends Error {
  override readonly name = 'ChromiumNotFoundError' as const;
  constructor(readonly tried: string[]) {
    super(
      `no Chromium for the login flow: tried ${tried.join(', ')}. Install Debian's package (apt-get install chromium) or the npm package (npm install @sparticuz/chromium, which ships its binary), or set KEYGATE_CHROMIUM to a Chromium or Chrome executable (or to @sparticuz/chromium for the npm package's build); keygate never downloads a browser.`,
    );
  }
}

export interface FindOptions {
  env?: NodeJS.ProcessEnv;
  debianPaths?: readonly string[];
  exists?: (path: string) => boolean;
  /** Loads @sparticuz/chromium (injectable so that its absence can be tested). */
  loadSparticuz?: () => Promise<{ executablePath(): Promise<string>; args: string[] }>;
}

/**
 * @example
 * const chromium = await findChromium(); // { executablePath: '/usr/bin/chromium', source: 'debian', args: [] }
 */
export async function findChromium(options: FindOptions = {}): Promise<ChromiumChoice> {
  const env = options.env ?? process.env;
  const exists = options.exists ?? existsSync;
  const tried: string[] = [];
  const named = env.KEYGATE_CHROMIUM?.trim();
  // The npm package's build even where Debian's is installed: what a fresh machine (CI) without Debian's chromium runs.
  const npmOnly = named === SPARTICUZ;
  if (named && !npmOnly) {
    if (exists(named)) return { executablePath: named, source: 'env', args: rootArgs() };
    tried.push(`KEYGATE_CHROMIUM=${named} (no such file)`);
  }
  for (const path of npmOnly ? [] : (options.debianPaths ?? DEBIAN_CHROMIUM_PATHS)) {
    if (exists(path)) return { executablePath: path, source: 'debian', args: rootArgs() };
    tried.push(path);
  }
  try {
    const sparticuz = await (options.loadSparticuz ?? loadSparticuz)();
    const executablePath = await sparticuz.executablePath();
    if (executablePath && exists(executablePath)) return { executablePath, source: '@sparticuz/chromium', args: sparticuzArgs(sparticuz.args) };
    tried.push(`@sparticuz/chromium (no binary at ${executablePath})`);
  } catch (error) {
    tried.push(`@sparticuz/chromium (${(error as { code?: string }).code === 'MODULE_NOT_FOUND' || /Cannot find module/.test(String(error)) ? 'not installed' : String((error as Error).message ?? error)})`);
  }
  throw new ChromiumNotFoundError(tried);
}

/**
 * @sparticuz/chromium is an ES module that finds its binary through import.meta.url, which neither
 * the CLI's CommonJS bundle nor jest can load: a child node process asks it (and unpacks the binary
 * into the temporary directory the first time).
 */
async function loadSparticuz(): Promise<{ executablePath(): Promise<string>; args: string[] }> {
  const script = "import c from '@sparticuz/chromium'; process.stdout.write(JSON.stringify({ path: await c.executablePath(), args: c.args }));";
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot(), timeout: 120_000 }).catch((error: { stderr?: string; message: string }) => {
    const missing = /ERR_MODULE_NOT_FOUND|Cannot find package '@sparticuz\/chromium'/.test(error.stderr ?? error.message);
    throw Object.assign(new Error(missing ? 'not installed' : (error.stderr ?? error.message).trim().split('\n').slice(-1)[0]), { code: missing ? 'MODULE_NOT_FOUND' : undefined });
  });
  const found = JSON.parse(stdout) as { path: string; args: string[] };
  return { executablePath: async () => found.path, args: found.args };
}

/** As root (containers, CI) Chromium refuses to start with its sandbox. */
const rootArgs = (): string[] => (process.getuid?.() === 0 ? ['--no-sandbox'] : []);

/**
 * The npm build's own flags, less those that would weaken what the login proves: it turns off the
 * same-origin policy and mixed-content blocking for its serverless users (--disable-web-security,
 * --allow-running-insecure-content), which a real user's browser never does.
 */
function sparticuzArgs(args: readonly string[]): string[] {
  const weakening = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials']);
  // --single-process and --no-zygote suit one page per Lambda; here one browser serves many contexts, and a
  // single-process browser closes itself when a renderer goes away.
  const lambdaOnly = new Set(['--single-process', '--no-zygote']);
  return args.filter((a) => !weakening.has(a) && !lambdaOnly.has(a) && !a.startsWith('--headless'));
}

export interface LaunchOptions {
  /** `--host-resolver-rules`: public names to loopback without touching /etc/hosts. */
  hostResolverRules?: string;
  /** Base64 SHA-256 SPKI hashes of certificates to accept (a local CA's server certificates). */
  trustedSpki?: string[];
  chromium?: ChromiumChoice;
}

/**
 * A headless Chromium for one login flow (or one test file: contexts are cheap, the browser is not).
 * A closed network: no background requests, component updates, sync or first-run pages; a fresh
 * profile directory (playwright makes one per launch and removes it on close).
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<{ browser: Browser; chromium: ChromiumChoice }> {
  const chromium = options.chromium ?? (await findChromium());
  const { chromium: driver } = await import('playwright-core');
  const browser = await driver.launch({
    executablePath: chromium.executablePath,
    headless: true,
    args: [
      ...chromium.args,
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--no-first-run',
      ...(options.hostResolverRules ? [`--host-resolver-rules=${options.hostResolverRules}`] : []),
      ...(options.trustedSpki?.length ? [`--ignore-certificate-errors-spki-list=${options.trustedSpki.join(',')}`] : []),
    ],
  });
  return { browser, chromium };
}
