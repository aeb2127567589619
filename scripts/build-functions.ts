// `npm run build`: bundles every function declared in template.yaml with the options SAM would use,
// into dist/<LogicalId>/, and prints the sizes. `sam build` does the same through aws-lambda-builders.
import { build } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root';
import { bundleFileName, esbuildOptionsFor, functionsOf, loadTemplate } from './template';

async function main() {
  const root = packageRoot();
  for (const fn of functionsOf(loadTemplate(root))) {
    const outdir = join(root, 'dist', fn.logicalId);
    mkdirSync(outdir, { recursive: true });
    const outfile = join(outdir, bundleFileName(fn));
    await build({ ...esbuildOptionsFor(fn, root), outfile });
    process.stdout.write(`${fn.logicalId.padEnd(36)} ${(statSync(outfile).size / 1024).toFixed(1).padStart(8)} KiB  ${outfile.slice(root.length + 1)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
