import { parseResolveRoutes, resolvingFetch, type FetchLike } from '../adapters/http/fetch';
import { perEnvironment, readEnv } from './env';

const spec = {
  CANARY_SECRET_PARAMETER_NAME: { fallback: '' },
  // Rehearsals only (keygate rehearse): "host=origin,host=origin" sends those hosts to local peers.
  VERIFY_RESOLVE: { fallback: '' },
};

/** The environment of the verify-chain function, read once per container (again when it changes). */
export const verifyEnv = /* @__PURE__ */ perEnvironment(Object.keys(spec), (): { CANARY_SECRET_PARAMETER_NAME: string; VERIFY_RESOLVE: string; fetch: FetchLike } => {
  const values = readEnv(spec);
  const routes = parseResolveRoutes(values.VERIFY_RESOLVE.split(',').filter(Boolean), 'VERIFY_RESOLVE');
  return { ...values, fetch: Object.keys(routes).length ? resolvingFetch(routes) : globalThis.fetch };
});
