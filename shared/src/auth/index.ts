/**
 * Bearer-token verification (`@auditgate/shared/auth`), one implementation for the proxy's callers and the query
 * service's analysts: JWTs from OIDC issuers and Kubernetes service-account issuers, optionally confirmed with the
 * cluster by TokenReview.
 */
export { createTokenVerifier } from './create-token-verifier.js';
export { createCachedTokenVerifier, type CachedTokenVerifierOptions } from './cached-token-verifier.js';
export { createReviewedTokenVerifier, type ReviewedTokenVerifierOptions } from './reviewed-token-verifier.js';
export { createTokenReviewer, type TokenReviewAnswer, type TokenReviewer, type TokenReviewerOptions } from './token-reviewer.js';
export { createIssuerFetch, type IssuerFetch, type IssuerFetchOptions, type IssuerRequestInit } from './issuer-fetch.js';
export { mapIdentity } from './map-identity.js';
export { AuthFailureReasons, authError, type AuthFailureReason } from './auth-error.js';
export type { TokenReviewOutcome, TokenVerifier, TokenVerifierOptions, TrustedIssuer, VerifiedIdentity } from './types.js';
