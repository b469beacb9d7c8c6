/**
 * Caller authentication: bearer JWTs from trusted OIDC issuers and Kubernetes service-account issuers, verified by the
 * one verifier in `@auditgate/shared/auth` (shared with the query service); the bearer header parsing is the proxy's.
 */
export {
  AuthFailureReasons, authError, createCachedTokenVerifier, createReviewedTokenVerifier, createTokenReviewer, createTokenVerifier,
  type AuthFailureReason, type CachedTokenVerifierOptions, type TokenReviewOutcome, type TokenVerifier, type TokenVerifierOptions,
  type TrustedIssuer, type VerifiedIdentity,
} from '@auditgate/shared/auth';
export { extractBearerToken } from './extract-bearer-token.js';
