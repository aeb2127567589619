import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { bundleOf } from '../../scripts/bundles';
import type { FunctionSpec } from '../../scripts/template';
import { IAM_PREFIX } from './iam';
import { fromRoot } from './paths';

/** What a function's esbuild bundle (after tree shaking) can raise towards Step Functions. */
export interface BundleFacts {
  /** IAM prefixes of the AWS services whose SDK commands contribute bytes (`ssm`, `s3`, …). */
  services: string[];
  /** keygate error names whose classes survive tree shaking (`name = "…Error"` literals). */
  errorNames: string[];
}

/**
 * The files that contribute code to the function's bundle as `sam build` makes it (built by the
 * test run's globalSetup), relative to the package root: its source map lists exactly those (an
 * import that tree shaking removed entirely is not among them).
 */
export function bundleSources(fn: FunctionSpec): string[] {
  const map = `${bundleOf(fn).file}.map`;
  const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
  return sources.map((s) => relative(fromRoot(), resolve(dirname(map), s)));
}

/** Which SDK clients and which of keygate's error classes the function's deployed bundle contains. */
export function bundleFacts(fn: FunctionSpec): BundleFacts {
  const services = new Set<string>();
  for (const file of bundleSources(fn)) {
    const m = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\/dist-[a-z]+\/commands\/\w+Command\.js$/.exec(file);
    if (m) services.add(IAM_PREFIX[m[1]!] ?? `(unknown @aws-sdk/${m[1]})`);
  }
  // KeepNames keeps class names; an error class sets its name as a string literal (minified: name="…Error").
  const text = readFileSync(bundleOf(fn).file, 'utf8');
  const errorNames = new Set([...text.matchAll(/\bname\s*=\s*"(\w+Error)"/g)].map((m) => m[1]!));
  return { services: [...services].sort(), errorNames: [...errorNames].sort() };
}
