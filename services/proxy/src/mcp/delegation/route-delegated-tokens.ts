import { decodeJwt } from 'jose';
import type { TokenVerifier } from '../../auth/index.js';

/**
 * One verifier for the Kubernetes path: tokens whose (unverified) `iss` is the gateway's delegation issuer go to the
 * delegated-token verifier, every other token to the callers' verifier. The unverified `iss` only routes; each
 * verifier checks the signature and every claim itself.
 */
export function routeDelegatedTokens(callers: TokenVerifier, delegated: TokenVerifier, delegationIssuer: string): TokenVerifier {
  const issuerOf = (token: string): unknown => {
    try { return decodeJwt(token).iss; } catch { return undefined; }
  };
  return {
    verify: (token) => (issuerOf(token) === delegationIssuer ? delegated.verify(token) : callers.verify(token)),
    async close() { await Promise.allSettled([callers.close(), delegated.close()]); },
  };
}
