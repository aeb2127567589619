import type { Config } from '@jest/types';
import { startRealKeycloakService } from './real-keycloak';

/** jest globalSetup: one line per service the run needs (each decides whether this run needs it). */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  await startRealKeycloakService(globalConfig);
}
