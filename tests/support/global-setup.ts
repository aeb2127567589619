import type { Config } from '@jest/types';
import { prepareBundles } from './bundles';
import { startRealKeycloakService } from './real-keycloak';
import { runIncludesSamBuild, startSamBuild } from './sam-build';

/**
 * Jest's globalSetup: what every test run needs once, before any test file runs. One call per
 * concern (each decides whether this run needs it); each that starts something has its counterpart
 * in global-teardown.ts.
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  await prepareBundles();
  if (runIncludesSamBuild(globalConfig.testPathPatterns?.patterns ?? [])) startSamBuild();
  await startRealKeycloakService(globalConfig);
}
