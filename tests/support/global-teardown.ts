import { stopRealKeycloakService } from './real-keycloak';
import { stopSamBuild } from './sam-build';

/**
 * Jest's globalTeardown: stops what global-setup.ts started, one call per concern. The bundles
 * (prepareBundles) are files the next run reuses; a background `sam build` still running is stopped.
 */
export default async function globalTeardown(): Promise<void> {
  stopSamBuild();
  await stopRealKeycloakService();
}
