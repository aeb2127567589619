import { stopRealKeycloakService } from './real-keycloak';

/** jest globalTeardown: stops what global-setup.ts started, one line per service. */
export default async function globalTeardown(): Promise<void> {
  await stopRealKeycloakService();
}
