import { KeycloakChangeFailedError, KeycloakCredentialsError, KeycloakUnreachableError, SsmCommandOutputError, type KeycloakPlace } from '../errors';
import type { HostError } from '../host/program';

/**
 * Turns the executor's error into the error the state machine sees, naming the host, the realm and
 * the change (never a secret: the executor scrubs them, and Keycloak bodies are cut short).
 *
 * @example
 * hostErrorToKeycloakError({ kind: 'unreachable', message: 'Connection refused' }, place, 'http://127.0.0.1:8080', 'c0ffee…')
 * // KeycloakUnreachableError
 */
export function hostErrorToKeycloakError(error: HostError, place: KeycloakPlace, adminUrl: string, commandId: string, done: number): Error {
  switch (error.kind) {
    case 'unreachable':
      return new KeycloakUnreachableError(place, adminUrl, error.message);
    case 'login':
    case 'secret':
      return new KeycloakCredentialsError(place, error.message);
    case 'rejected':
      return new KeycloakChangeFailedError(place, error.label ?? `operation ${error.index ?? '?'}`, error.status ?? 0, (error.body ?? '').slice(0, 400), done);
    default:
      return new SsmCommandOutputError(commandId, `the host executor refused its program: ${error.message}`);
  }
}
