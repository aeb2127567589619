// `npm run build [-- --force]`: bundles every function of template.yaml as `sam build` would
// (scripts/bundles.ts) into .aws-sam/keygate/bundles/<LogicalId>/, skipping what is up to date,
// and prints each bundle's size. `sam build` itself: `npm run sam -- build`.
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { bundleOf, buildBundles } from './bundles';
import { packageRoot } from './package-root';
import { functionsOf, loadTemplate } from './template';

async function main() {
  const report = await buildBundles({ force: process.argv.includes('--force') });
  for (const fn of functionsOf(loadTemplate())) {
    const { file } = bundleOf(fn);
    const state = report.built.includes(fn.logicalId) ? 'built' : 'up to date';
    process.stdout.write(`${fn.logicalId.padEnd(36)} ${(statSync(file).size / 1024).toFixed(1).padStart(8)} KiB  ${relative(packageRoot(), file)}  (${state})\n`);
  }
  process.stdout.write(`${report.built.length} built, ${report.upToDate.length} up to date, ${(report.ms / 1000).toFixed(1)} s\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
