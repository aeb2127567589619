import { parseResolveRoutes, resolvingFetch, type FetchLike } from '../adapters/http/fetch';
import { readEnv } from './env';

let env: { CANARY_SECRET_PARAMETER_NAME: string; VERIFY_RESOLVE: string; fetch: FetchLike } | undefined;

/** The environment of the verify-chain function, read once per container. */
export function verifyEnv() {
  if (env) return env;
  const values = readEnv({
    CANARY_SECRET_PARAMETER_NAME: { fallback: '' },
    // Rehearsals only (keygate rehearse): "host=origin,host=origin" sends those hosts to local peers.
    VERIFY_RESOLVE: { fallback: '' },
  });
  const routes = parseResolveRoutes(values.VERIFY_RESOLVE.split(',').filter(Boolean), 'VERIFY_RESOLVE');
  env = { ...values, fetch: Object.keys(routes).length ? resolvingFetch(routes) : globalThis.fetch };
  return env;
}

/** Forget the environment read so far (the local world routes verification to new peers on every start). */
export function resetVerifyEnv(): void {
  env = undefined;
}
