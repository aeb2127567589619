import type { HostTarget } from '../adapters/host/host-runner';
import type { DesiredState } from '../core/desired/document';
import type { KeycloakPlace } from '../core/errors';
import { readEnv } from './env';

let env: Readonly<Record<'KEYCLOAK_COMMAND_DOCUMENT' | 'COMMAND_OUTPUT_BUCKET' | 'AWS_REGION', string>> | undefined;

/** The environment of the realm reconciler's functions, read once per container. */
export function keycloakHostEnv() {
  env ??= readEnv({
    KEYCLOAK_COMMAND_DOCUMENT: { required: true, hint: 'name of the keygate Command document (template: KeycloakCommandDocument)' },
    COMMAND_OUTPUT_BUCKET: { fallback: '' },
    AWS_REGION: { required: true, hint: 'set by Lambda; the host reads its secrets from SSM in this region' },
  });
  return env;
}

/** Forget the environment read so far (tests change it between runs). */
export function resetKeycloakHostEnv(): void {
  env = undefined;
}

export function hostTarget(desired: DesiredState): HostTarget {
  const e = keycloakHostEnv();
  return { documentName: e.KEYCLOAK_COMMAND_DOCUMENT, instanceId: desired.keycloak.instanceId, ...(e.COMMAND_OUTPUT_BUCKET ? { outputBucket: e.COMMAND_OUTPUT_BUCKET } : {}) };
}

export const placeOf = (desired: DesiredState): KeycloakPlace => ({ instanceId: desired.keycloak.instanceId, realm: desired.keycloak.realm.name });
