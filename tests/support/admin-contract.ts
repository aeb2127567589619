import type { AdminResponse, RealKeycloak } from './real-keycloak';

/**
 * The admin REST contract between keygate and Keycloak: one recorded sequence of the calls keygate
 * makes (functions/core/keycloak/*, functions/host/executor.py), happy paths and the errors keygate
 * can meet, each with the normalized answer that must be the same from the real Keycloak 26.7.3 and
 * from the stand-in (emulators/keycloak). Normalized: the status, the whole error body, a Location's
 * path with ids as {id}, and for success bodies the fields keygate reads, ids as `<id>`.
 */
export interface ContractStep {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path from the server root; `{name}` is replaced by the variable `name` (`{realm}` always exists). */
  path: string;
  body?: unknown | ((vars: Vars) => unknown);
  /** Stores what later steps need (ids from a Location or a list, whole documents for a read-modify-write). */
  bind?: (response: AdminResponse, vars: Vars) => void;
  /** The success body as keygate reads it (default: none). */
  pick?: (body: any, vars: Vars) => unknown;
}

export type Vars = Record<string, any>;

export interface Normalized {
  step: string;
  status: number;
  location?: string;
  body?: unknown;
}

/** Runs the sequence on one server; every step runs whatever the earlier ones answered. */
export async function runContract(kc: RealKeycloak, steps: ContractStep[], vars: Vars): Promise<Normalized[]> {
  const out: Normalized[] = [];
  for (const step of steps) {
    const path = step.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (!(name in vars)) throw new Error(`${step.name}: variable ${name} is not bound`);
      return encodeURIComponent(String(vars[name]));
    });
    const body = typeof step.body === 'function' ? (step.body as (v: Vars) => unknown)(vars) : step.body;
    const response = await kc.call(step.method, path, body);
    try {
      step.bind?.(response, vars);
    } catch (error) {
      throw new Error(`${step.name}: cannot bind from HTTP ${response.status} ${JSON.stringify(response.body)}: ${(error as Error).message}`);
    }
    const result: Normalized = { step: step.name, status: response.status };
    if (response.location) result.location = idsOut(new URL(response.location).pathname, vars);
    if (response.status >= 400) result.body = response.body;
    else if (step.pick) result.body = step.pick(response.body, vars);
    out.push(result);
  }
  return out;
}

/** The last path segment of a Location header (what the executor binds). */
export const idFromLocation = (response: AdminResponse): string | undefined => response.location?.replace(/\/$/, '').split('/').at(-1);

/** Replaces known ids (UUIDs in a Location) by {id}. */
function idsOut(path: string, vars: Vars): string {
  return path.replace(new RegExp(`/${vars.realm}(/|$)`), '/{realm}$1').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{id}');
}

/** `<id>` for any string that looks like an id, so two servers' documents compare. */
export function withoutIds(value: unknown): unknown {
  if (typeof value === 'string') return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value) ? '<id>' : value;
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutIds(v)]));
  return value;
}

/** Picks `keys` of an object, in that order, leaving out the absent ones (Keycloak omits null fields). */
export const pickKeys = (object: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> =>
  Object.fromEntries(keys.filter((k) => object && object[k] !== undefined).map((k) => [k, object![k]]));
