import { hostFilesOf, piggybackCimdObserveOps } from '../../core/cimd/host-program';
import { realmObservationOf, type RealmObservation } from '../../core/drift/observations';
import type { DesiredState } from '../../core/desired/document';
import { SsmCommandPendingError } from '../../core/errors';
import { hostErrorToKeycloakError } from '../../core/keycloak/host-outcome';
import { adminConnection, renderObserveOps, snapshotFromResults } from '../../core/keycloak/observe-realm';
import { readHostResult, type HostTarget } from '../host/host-result';
import { sendHostProgram } from '../host/host-runner';
import { readLongOutputFromS3 } from '../host/long-output';

export interface ObserveRealmOptions {
  /** Region the host reads its SecureStrings in (the Lambdas pass AWS_REGION). */
  region: string;
  signal?: AbortSignal;
  /** Give up waiting for the command after this long (default 5 minutes). */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The realm planned against what the host read, and the files the same command stat-ed. */
export interface RealmDriftReading {
  realm: RealmObservation;
  /** The published CIMD document's stat (`cimd`), when the document is published to the host. */
  hostFiles: Record<string, unknown>;
}

/**
 * One read-only SSM command on the Keycloak host (the realm reconciler's observe program, plus the
 * stat of a CIMD document published to the host, as the state machine's dry run sends it), waited for
 * with backoff (0.5 s, doubling, at most 15 s between polls), then planned. For `keygate drift` on an
 * operator's machine; the state machine runs the reconciler's dry run instead.
 */
export async function observeRealmDrift(desired: DesiredState, target: HostTarget, opts: ObserveRealmOptions): Promise<RealmDriftReading> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const connection = adminConnection(desired, opts.region);
  const ops = [...renderObserveOps(desired), ...piggybackCimdObserveOps(desired)];
  // Read-only: keygate's leftovers on the host are listed (drift), never removed here.
  const sent = await sendHostProgram(target, { ...connection, leftovers: 'report', ops }, { comment: `keygate drift observe realm ${desired.keycloak.realm.name}`, ...(opts.signal ? { signal: opts.signal } : {}) });
  const deadline = Date.now() + (opts.maxWaitMs ?? 300_000);
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await readHostResult(sent, { ...(opts.signal ? { signal: opts.signal } : {}), readLongOutput: readLongOutputFromS3 });
      if (!result.ok) throw hostErrorToKeycloakError(result, { instanceId: target.instanceId, realm: desired.keycloak.realm.name }, connection.admin.url, sent.commandId);
      return { realm: realmObservationOf(desired, snapshotFromResults(desired, result.results, target.instanceId), result.leftovers), hostFiles: hostFilesOf(result.results) };
    } catch (error) {
      if (!(error instanceof SsmCommandPendingError) || Date.now() > deadline) throw error;
      await sleep(Math.min(15_000, 500 * 2 ** attempt));
    }
  }
}
