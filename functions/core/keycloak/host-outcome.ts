import { KeycloakChangeFailedError, KeycloakCredentialsError, KeycloakUnreachableError, SsmCommandOutputError, type KeycloakPlace } from '../errors';
import type { HostResult } from '../host/program';

/**
 * Turns the executor's error into the error the state machine sees, naming the host, the realm and
 * the change (never a secret: the executor scrubs them, and Keycloak bodies are cut short).
 *
 * @example
 * hostErrorToKeycloakError({ ok: false, done: 3, applied: 0, writes: 2, error: { kind: 'unreachable', message: 'Connection refused' } }, place, 'http://127.0.0.1:8080', 'c0ffee…')
 * // KeycloakUnreachableError
 */
export function hostErrorToKeycloakError(result: Extract<HostResult, { ok: false }>, place: KeycloakPlace, adminUrl: string, commandId: string): Error {
  const { error } = result;
  const progress = { applied: result.applied ?? 0, writes: result.writes ?? 0 };
  switch (error.kind) {
    case 'unreachable':
      return new KeycloakUnreachableError(place, adminUrl, error.message, { ...progress, ...(error.label ? { change: error.label } : {}), ...(error.landed ? { landed: error.landed } : {}) });
    case 'login':
    case 'secret':
      return new KeycloakCredentialsError(place, error.message);
    case 'rejected':
      return new KeycloakChangeFailedError(place, error.label ?? `operation ${error.index ?? '?'}`, error.status ?? 0, (error.body ?? '').slice(0, 400), progress);
    default:
      return new SsmCommandOutputError(commandId, `the host executor refused its program: ${error.message}`);
  }
}
