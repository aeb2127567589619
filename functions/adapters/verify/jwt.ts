import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type RemoteJWKSet } from 'jose';
import type { PublicJwk } from '../../core/verify/authorization-server';
import { ASYMMETRIC_ALGORITHMS } from '../../core/desired/verify';
import type { SignatureOutcome } from '../../core/verify/token';
import { networkErrorText, type FetchLike } from '../http/fetch';

/** The realm's key set, fetched through the injected fetch (jose's `customFetch`). */
export function remoteKeySet(jwksUri: string, fetchFn: FetchLike, timeoutMs: number): RemoteJWKSet {
  return createRemoteJWKSet(new URL(jwksUri), {
    timeoutDuration: timeoutMs,
    [customFetch]: (url, options) => fetchFn(url, options),
  });
}

/** Loads the key set once, for the `as.jwks` check: its public keys, or why it did not load. */
export async function loadKeySet(keySet: RemoteJWKSet): Promise<{ keys: PublicJwk[] } | { error: string; unreachable: boolean }> {
  try {
    await keySet.reload();
    return { keys: (keySet.jwks()?.keys ?? []) as PublicJwk[] };
  } catch (error) {
    const unreachable = error instanceof errors.JWKSTimeout || (error instanceof TypeError && /fetch failed/.test(error.message));
    return { error: unreachable ? networkErrorText(error) : (error as Error).message, unreachable };
  }
}

/** The token's protected header (alg, kid, typ), or undefined when it is not a JWS at all. */
export function tokenHeader(token: string): Record<string, unknown> | undefined {
  try {
    return decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Verifies the canary token with jose: signature against the realm's key set (any asymmetric
 * algorithm; `token.algorithm` judges which one), issuer, audience and time at `now`. Claim failures
 * come back with the payload jose verified, so that every claim can be diagnosed, not just the first.
 */
export async function verifyToken(
  token: string,
  keySet: RemoteJWKSet,
  opts: { issuer: string; audiences: string[]; now: Date; clockToleranceSeconds: number },
): Promise<SignatureOutcome> {
  try {
    const { payload } = await jwtVerify(token, keySet, {
      algorithms: [...ASYMMETRIC_ALGORITHMS],
      issuer: opts.issuer,
      ...(opts.audiences.length ? { audience: opts.audiences } : {}),
      currentDate: opts.now,
      clockTolerance: opts.clockToleranceSeconds,
      requiredClaims: ['exp'],
    });
    return { verified: true, payload: payload as Record<string, unknown> };
  } catch (error) {
    if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) {
      return { verified: false, signatureValid: true, code: error.code, claim: error.claim, payload: error.payload as JWTPayload & Record<string, unknown> };
    }
    const unreachable = error instanceof errors.JWKSTimeout || (error instanceof TypeError && /fetch failed/.test(error.message));
    return { verified: false, signatureValid: false, code: (error as { code?: string }).code ?? (error as Error).name, message: unreachable ? networkErrorText(error) : (error as Error).message, unreachable };
  }
}
