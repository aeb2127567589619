import { readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { cacheDir, installKeycloak, KEYCLOAK_VERSION } from '../../../scripts/keycloak/dist';

// The Keycloak cache (scripts/keycloak/dist.ts) must survive a moved checkout: each build links the
// unpacked distribution's jars (lib/lib) instead of copying 170 MB, and an absolute link broke when the
// cache moved (Keycloak then could not find its main class). The run's server is installed already
// (jest's global setup), so this reads the cache; on a machine without one it installs it.
jest.setTimeout(900_000);

describe('the Keycloak cache', () => {
  it("links a build to the distribution's jars by a relative path", async () => {
    const { home } = await installKeycloak('cimd');
    const link = join(home, 'lib', 'lib');
    expect(isAbsolute(readlinkSync(link))).toBe(false);
    expect(realpathSync(link)).toBe(realpathSync(join(cacheDir(), 'dist', `keycloak-${KEYCLOAK_VERSION}`, 'lib', 'lib')));
  });
});
