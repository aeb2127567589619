import server from '../../../../emulators/keycloak/keycloak-26.7.3.json';
import { BUILTIN_CLIENT_PROFILES } from '../../../../functions/core/keycloak/builtins';

// The built-in profile names lint and the planner know are those of Keycloak 26.7.3, as captured
// from the real server (the contract test holds that capture to the running server).
describe('BUILTIN_CLIENT_PROFILES', () => {
  it('are exactly the global profiles of Keycloak 26.7.3', () => {
    expect([...BUILTIN_CLIENT_PROFILES].sort()).toEqual(server.globalProfiles.map((p) => p.name).sort());
  });
});
