/**
 * Jest's globalTeardown: stops what global-setup.ts started, one call per concern. The bundles
 * (prepareBundles) are files that the next run reuses; nothing to stop for them.
 */
export default async function globalTeardown(): Promise<void> {}
