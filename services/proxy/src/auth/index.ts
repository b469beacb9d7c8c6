/** Caller authentication: bearer JWTs from trusted OIDC issuers and Kubernetes service-account issuers. */
export { createTokenVerifier } from './create-token-verifier.js';
export { extractBearerToken } from './extract-bearer-token.js';
export { AuthFailureReasons, authError, type AuthFailureReason } from './auth-error.js';
export type { TokenVerifier, TokenVerifierOptions, TrustedIssuer, VerifiedIdentity } from './types.js';
export { createCachedTokenVerifier, type CachedTokenVerifierOptions } from './cached-token-verifier.js';
