import type { HostTarget } from '../adapters/host/host-runner';
import type { DesiredState } from '../core/desired/document';
import type { KeycloakPlace } from '../core/errors';
import { envOnce } from './env';

/** The environment of the realm reconciler's functions, read once per container. */
export const keycloakHostEnv = /* @__PURE__ */ envOnce({
  KEYCLOAK_COMMAND_DOCUMENT: { required: true, hint: 'name of the keygate Command document (template: KeycloakCommandDocument)' },
  COMMAND_OUTPUT_BUCKET: { fallback: '' },
  AWS_REGION: { required: true, hint: 'set by Lambda; the host reads its secrets from SSM in this region' },
});

export function hostTarget(desired: DesiredState): HostTarget {
  const e = keycloakHostEnv();
  return { documentName: e.KEYCLOAK_COMMAND_DOCUMENT, instanceId: desired.keycloak.instanceId, ...(e.COMMAND_OUTPUT_BUCKET ? { outputBucket: e.COMMAND_OUTPUT_BUCKET } : {}) };
}

export const placeOf = (desired: DesiredState): KeycloakPlace => ({ instanceId: desired.keycloak.instanceId, realm: desired.keycloak.realm.name });
