import { KeygateError, type Problem } from './base';
import { formatProblem } from './desired-state';

/** Where a Keycloak problem happened, so that every message names the host and the realm. */
export interface KeycloakPlace {
  instanceId: string;
  realm: string;
}

/** The admin API did not answer on the host's loopback (connection refused, timeout). Nothing was changed. */
export class KeycloakUnreachableError extends KeygateError {
  override readonly name = 'KeycloakUnreachableError';
  readonly code = 'ERR_KEYCLOAK_UNREACHABLE';

  constructor(
    readonly place: KeycloakPlace,
    readonly adminUrl: string,
    readonly detail: string,
  ) {
    super(
      `Keycloak's admin API at ${adminUrl} on ${place.instanceId} is unreachable (${detail}); nothing was changed in realm ${place.realm}. ` +
        'Check that the Keycloak container runs and publishes its port on the host loopback.',
    );
  }
}

/**
 * The host could not log in as the admin user, or could not read a secret it needs from SSM
 * Parameter Store. Names the user or the parameter, never a value. Nothing was changed.
 */
export class KeycloakCredentialsError extends KeygateError {
  override readonly name = 'KeycloakCredentialsError';
  readonly code = 'ERR_KEYCLOAK_CREDENTIALS';

  constructor(
    readonly place: KeycloakPlace,
    readonly detail: string,
  ) {
    super(`Keycloak credentials on ${place.instanceId} (realm ${place.realm}): ${detail}`);
  }
}

/**
 * The desired realm uses CIMD (client-id-metadata-document executor or client-id-uri condition) and
 * the server does not advertise `client_id_metadata_document_supported`. Raised before any write.
 */
export class KeycloakFeatureDisabledError extends KeygateError {
  override readonly name = 'KeycloakFeatureDisabledError';
  readonly code = 'ERR_KEYCLOAK_FEATURE_DISABLED';

  /** `stored`: CIMD policies the realm already holds (then every token request in it fails with 500 until the feature is back). */
  constructor(
    readonly place: KeycloakPlace,
    readonly feature: 'cimd',
    readonly usedBy: string[],
    readonly stored: string[] = [],
  ) {
    super(
      `realm ${place.realm} on ${place.instanceId}: ${usedBy.join(', ')} need${usedBy.length === 1 ? 's' : ''} Keycloak's CIMD feature, ` +
        "but the realm's discovery document does not advertise client_id_metadata_document_supported: start Keycloak with --features=cimd. Nothing was changed." +
        (stored.length
          ? ` The realm already stores ${stored.map((p) => `client policy ${p}`).join(', ')} with a client-id-uri condition: while the feature is off, Keycloak answers every token and authorization request in this realm with HTTP 500, for every client (the canary included); deleting the policies also ends it (disabling them is refused while the feature is off).`
          : ''),
    );
  }
}

/**
 * Keycloak rejected one change part-way through an apply. The changes before it are applied; the
 * next run observes again and resumes from there.
 */
export class KeycloakChangeFailedError extends KeygateError {
  override readonly name = 'KeycloakChangeFailedError';
  readonly code = 'ERR_KEYCLOAK_CHANGE_FAILED';

  constructor(
    readonly place: KeycloakPlace,
    /** The change, as the plan prints it, e.g. "create client-scope mcp:tools". */
    readonly change: string,
    readonly status: number,
    /** Keycloak's response body, redacted and cut to a few hundred characters. */
    readonly responseBody: string,
    readonly appliedBefore: number,
  ) {
    super(
      `realm ${place.realm} on ${place.instanceId}: Keycloak rejected "${change}" with HTTP ${status}: ${responseBody || '(empty body)'} ` +
        `(${appliedBefore} earlier operation${appliedBefore === 1 ? '' : 's'} applied; the next run resumes from the realm as it is)`,
    );
  }
}

/** After apply, observing again still shows changes: names each object and field that did not converge. */
export class KeycloakRealmNotConvergedError extends KeygateError {
  override readonly name = 'KeycloakRealmNotConvergedError';
  readonly code = 'ERR_KEYCLOAK_NOT_CONVERGED';

  constructor(
    readonly place: KeycloakPlace,
    readonly remaining: string[],
  ) {
    super(`realm ${place.realm} on ${place.instanceId} did not converge after apply: ${remaining.join('; ')}`);
  }
}

/**
 * A Keycloak snapshot (the observe step's output, or `--keycloak-observed FILE`) is not in the
 * documented format (docs/keycloak-snapshot.md). A TypeError: the input is wrong, never retried.
 */
export class KeycloakSnapshotInvalidError extends TypeError {
  override readonly name = 'KeycloakSnapshotInvalidError';
  readonly code = 'ERR_KEYCLOAK_SNAPSHOT_INVALID';

  /** `problems` lists each mistake with its path in the snapshot (`server.cimdSupported`, `users[0].id`) and fix. */
  constructor(
    readonly source: string,
    readonly problems: Problem[],
    more = 0,
  ) {
    super(
      `${source}: not a keygate Keycloak snapshot (docs/keycloak-snapshot.md), ${problems.length + more} problem${problems.length + more === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${formatProblem(source, p)}`).join('\n') +
        (more ? `\n  … and ${more} more` : '') +
        `\nA complete minimal snapshot is in docs/keycloak-snapshot.md; a real one is $.observed.snapshot of a reconcile-realm run with {"dryRun": true}.`,
    );
  }
}

/**
 * The document asks for something this reconciler cannot do (for now: `keycloak.admin.kcadm`).
 * A TypeError: a configuration mistake, raised before anything is sent to the host.
 */
export class KeycloakAdminAccessUnsupportedError extends TypeError {
  override readonly name = 'KeycloakAdminAccessUnsupportedError';
  readonly code = 'ERR_KEYCLOAK_ADMIN_ACCESS_UNSUPPORTED';

  constructor(readonly detail: string) {
    super(detail);
  }
}
