import { prepareBundles } from './bundles';

/**
 * Jest's globalSetup: what every test run needs once, before any test file runs. One call per
 * concern; each that starts something has its counterpart in global-teardown.ts.
 */
export default async function globalSetup(): Promise<void> {
  await prepareBundles();
}
