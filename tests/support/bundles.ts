import { buildBundles } from '../../scripts/bundles';

/**
 * Builds the Lambda bundles the integration tests load (scripts/bundles.ts: the command line
 * `sam build` runs, into .aws-sam/keygate/bundles), skipping those that are up to date.
 */
export async function prepareBundles(): Promise<void> {
  const report = await buildBundles();
  if (report.built.length) process.stderr.write(`\nkeygate: bundled ${report.built.length} function(s) as sam build does, in ${(report.ms / 1000).toFixed(1)} s\n`);
}
