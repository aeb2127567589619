import { buildSync } from 'esbuild';
import { esbuildOptionsFor, type FunctionSpec } from '../../scripts/template';
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
 * Builds the function as SAM would (unminified, so the class name literals stay readable) and reads
 * which SDK clients and which of keygate's error classes its code can reach.
 */
export function bundleFacts(fn: FunctionSpec, root = fromRoot()): BundleFacts {
  const result = buildSync({ ...esbuildOptionsFor(fn, root), minify: false, write: false, metafile: true });
  const output = Object.values(result.metafile!.outputs)[0]!;
  const services = new Set<string>();
  for (const [file, info] of Object.entries(output.inputs)) {
    const m = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\/dist-[a-z]+\/commands\/\w+Command\.js$/.exec(file);
    if (m && info.bytesInOutput > 0) services.add(IAM_PREFIX[m[1]!] ?? `(unknown @aws-sdk/${m[1]})`);
  }
  const text = result.outputFiles[0]!.text;
  const errorNames = new Set([...text.matchAll(/\bname = "(\w+Error)"/g)].map((m) => m[1]!));
  return { services: [...services].sort(), errorNames: [...errorNames].sort() };
}
