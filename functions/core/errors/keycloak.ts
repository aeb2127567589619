import { KeygateError, type Problem } from './base';
import { formatProblem } from './desired-state';

/** Where a Keycloak problem happened, so that every message names the host and the realm. */
export interface KeycloakPlace {
  instanceId: string;
  realm: string;
}

/** How far a host program got before it stopped: writes completed, writes it has, and the one it stopped at. */
export interface ApplyProgress {
  applied: number;
  writes: number;
  /** The change of the write it stopped at, as the plan prints it. */
  change?: string;
  /** `maybe`: that write was sent and its answer never came, so it may have landed too. */
  landed?: 'maybe';
}

/** What already happened, in words: nothing, or how many writes, and whether the last one may have landed. */
export function appliedText(p: ApplyProgress | undefined): string | undefined {
  if (!p || (p.applied === 0 && p.landed !== 'maybe')) return undefined;
  const last = p.landed === 'maybe' ? `, and the last one${p.change ? ` ("${p.change}")` : ''} was sent but its answer never came, so it may have landed too` : '';
  return `${p.applied} of ${p.writes} write${p.writes === 1 ? '' : 's'} were applied before it${last}`;
}

/**
 * The admin API did not answer on the host's loopback (connection refused, reset, timeout). Says
 * whether anything was changed before: nothing, or how many writes, and whether the last one may have
 * landed (sent, its answer lost); the next run observes again, so it applies only what is missing.
 */
export class KeycloakUnreachableError extends KeygateError {
  override readonly name = 'KeycloakUnreachableError';
  readonly code = 'ERR_KEYCLOAK_UNREACHABLE';

  constructor(
    readonly place: KeycloakPlace,
    readonly adminUrl: string,
    readonly detail: string,
    readonly progress?: ApplyProgress,
  ) {
    const applied = appliedText(progress);
    super(
      applied
        ? `Keycloak's admin API at ${adminUrl} on ${place.instanceId} became unreachable during the apply to realm ${place.realm} (${detail}): ${applied}. ` +
            'The next run observes the realm as it is and applies only what is still missing. Check that the Keycloak container runs (it may have restarted) and publishes its port on the host loopback.'
        : `Keycloak's admin API at ${adminUrl} on ${place.instanceId} is unreachable (${detail}); nothing was changed in realm ${place.realm}. ` +
            'The next run observes the realm and applies what the plan says. Check that the Keycloak container runs and publishes its port on the host loopback.',
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

/** What to do about a write Keycloak answered with `status`. */
function rejectionFix(status: number): string {
  if (status === 409) return 'Fix: nothing, usually: the object exists already (another admin, or a run at the same time, made it), and the next run sees it and updates it instead of creating it';
  if (status >= 500) return "Fix: Keycloak failed on its side: look at its log on the host; the next run tries again";
  return 'Fix: Keycloak refused what keygate sent: check the document (keygate lint) and Keycloak\'s message above; if lint passes, it is a keygate bug worth reporting with this message';
}

/**
 * Keycloak rejected one change part-way through an apply. Says how many writes were applied before it;
 * the next run observes again and applies only what is still missing.
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
    /** Writes of the apply completed before this one, and how many it has. */
    readonly progress: { applied: number; writes: number },
  ) {
    super(
      `realm ${place.realm} on ${place.instanceId}: Keycloak rejected "${change}" with HTTP ${status}: ${responseBody || '(empty body)'} ` +
        `(${progress.applied} of ${progress.writes} write${progress.writes === 1 ? '' : 's'} applied before it; the next run observes the realm as it is and applies only what is still missing). ${rejectionFix(status)}.`,
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
    super(
      `realm ${place.realm} on ${place.instanceId} did not converge after apply: ${remaining.join('; ')}. ` +
        'Every write of the apply succeeded, so either something changed these objects during the apply (another admin, a run at the same time), ' +
        'or keygate cannot converge them (a bug: report it with this message). The next run observes the realm again and applies what is still missing.',
    );
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
