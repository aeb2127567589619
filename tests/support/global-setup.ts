import { prepareBundles } from './bundles';
import { runIncludesSamBuild, startSamBuild } from './sam-build';

/**
 * Jest's globalSetup: what every test run needs once, before any test file runs. One call per
 * concern; each that starts something has its counterpart in global-teardown.ts.
 */
export default async function globalSetup(globalConfig: { testPathPatterns?: { patterns?: string[] } }): Promise<void> {
  await prepareBundles();
  if (runIncludesSamBuild(globalConfig.testPathPatterns?.patterns ?? [])) startSamBuild();
}
