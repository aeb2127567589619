import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The `name` in keygate's own package.json: the directory that has it is the package root. */
const PACKAGE_NAME = 'keygate';

let root: string | undefined;

/**
 * keygate's package root (template.yaml, statemachine/, examples/), wherever the process runs from:
 * the nearest directory up from this code whose package.json is keygate's. Not the cwd: `keygate
 * rehearse` runs from any directory. Not a fixed number of `..`: bundled by bin/run-ts.cjs,
 * `__dirname` is the entry's directory (cli/ or bench/), not this file's.
 *
 * @example
 * readFileSync(join(packageRoot(), 'template.yaml'), 'utf8')
 */
export function packageRoot(): string {
  root ??= find(__dirname);
  return root;
}

/** A path inside keygate's package root. */
export const fromPackageRoot = (...parts: string[]): string => join(packageRoot(), ...parts);

function find(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (nameOf(join(dir, 'package.json')) === PACKAGE_NAME) return dir;
    if (dir === dirname(dir)) throw new Error(`keygate's package root not found: no package.json named "${PACKAGE_NAME}" in ${start} or above it`);
  }
}

function nameOf(file: string): unknown {
  if (!existsSync(file)) return undefined;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined; // an unreadable package.json on the way up is not ours
  }
}
