import type { HttpObservation } from '../../core/verify/observation';
import { observe, type FetchLike } from '../http/fetch';

/** The canary's credentials: in memory for one run, never logged, never returned. */
export interface CanaryCredentials {
  clientId: string;
  secret: string;
}

// RFC 6749 §2.3.1: client_secret_basic form-encodes id and secret before base64.
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

/**
 * Asks the token endpoint for a client-credentials token (client_secret_basic), with `scope` and the
 * RFC 8707 `resource` (MCP clients always send it; Keycloak versions without resource indicators
 * ignore it). The observation holds the response body, token included: callers pass it to
 * `checkTokenResponse` and drop it.
 */
export function requestClientCredentialsToken(
  fetchFn: FetchLike,
  tokenEndpoint: string,
  credentials: CanaryCredentials,
  opts: { scope?: string; resource?: string },
): Promise<HttpObservation> {
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (opts.scope) body.set('scope', opts.scope);
  if (opts.resource) body.set('resource', opts.resource);
  const basic = Buffer.from(`${formEncode(credentials.clientId)}:${formEncode(credentials.secret)}`).toString('base64');
  return observe(fetchFn, tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
  });
}
