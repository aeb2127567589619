import type { DesiredState } from './core/desired/document';
import { KeycloakRealmNotConvergedError } from './core/errors';
import { blocksConvergence, planRealm } from './core/keycloak/plan-realm';
import { changeLabel } from './core/keycloak/render-apply';
import { parseSnapshot } from './core/keycloak/snapshot';
import { placeOf } from './platform/keycloak-host';
import { makeHandler, type TaskInput } from './platform/make-handler';

export interface VerifyRealmConvergedInput extends TaskInput {
  desired: DesiredState;
  /** The snapshot the apply command took after its last write. */
  snapshot: unknown;
}

/** Step "Verify Realm Converged": planning again after apply must give nothing to do. */
export const handler = makeHandler('verify-realm-converged', async (input: VerifyRealmConvergedInput, { logger }) => {
  const realm = input.desired.keycloak.realm.name;
  logger.appendKeys({ realm });
  const plan = planRealm(input.desired, parseSnapshot(input.snapshot, 'apply step output'));
  const remaining = plan.changes.filter(blocksConvergence);
  if (remaining.length) {
    throw new KeycloakRealmNotConvergedError(
      placeOf(input.desired),
      remaining.map((c) => `${changeLabel(c)}${c.diff?.length ? ` (${c.diff.map((d) => `${d.field}: expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual)}`).join(', ')})` : ''}`),
    );
  }
  logger.info('realm converged', { unchanged: plan.changes.length });
  return { realm, converged: true };
});
