import { AppError, ErrorCodes, type Logger } from '@auditgate/shared';
import {
  createCachedTokenVerifier, createReviewedTokenVerifier, createTokenReviewer, createTokenVerifier, type TokenVerifier, type TrustedIssuer,
} from '@auditgate/shared/auth';
import type { ApiServerConnection } from '@auditgate/shared/kube';
import type { QueryIssuer } from './query-issuer.js';

/** Dependencies of {@link createAnalystVerifier}. */
export interface AnalystVerifierDeps {
  /** The API server of each issuer configured with a `kubeconfig`, by issuer URL (built by main.ts). */
  readonly connections: ReadonlyMap<string, ApiServerConnection>;
  readonly now: () => number;
  /** How long a TokenReview answer is reused (QUERY_TOKEN_REVIEW_CACHE_MS); default 10 s. */
  readonly reviewCacheMs?: number;
  readonly logger?: Logger;
  /** Transport of issuers with neither `caFile` nor `kubeconfig` (tests). */
  readonly fetch?: typeof fetch;
}

/** Default of {@link AnalystVerifierDeps.reviewCacheMs}. */
const DEFAULT_REVIEW_CACHE_MS = 10_000;

/**
 * The verifier of analysts' bearer tokens: the same one as the gateway's (`@auditgate/shared/auth`), with the
 * query's roles claim kept for role mapping. An issuer with a `kubeconfig` is reached through its cluster (its CA
 * and credentials) and, for service-account tokens, each new token is confirmed by a TokenReview (its answer reused
 * for `reviewCacheMs`; when the cluster cannot be asked the verification fails with reason `token_review_unavailable`).
 */
export function createAnalystVerifier(issuers: readonly QueryIssuer[], rolesClaim: string, deps: AnalystVerifierDeps): TokenVerifier {
  const reviewers: Array<{ issuer: string; audiences: string[]; apiServer: ApiServerConnection }> = [];
  const trusted = issuers.map((issuer): TrustedIssuer => {
    const apiServer = issuer.kubeconfig === undefined ? undefined : deps.connections.get(issuer.issuer);
    if (issuer.kubeconfig !== undefined && apiServer === undefined) {
      throw new AppError(`issuer ${issuer.issuer}: no connection for its kubeconfig ${issuer.kubeconfig}`, { code: ErrorCodes.CONFIG_INVALID });
    }
    const kind = issuer.kind ?? 'oidc';
    if (apiServer !== undefined && kind === 'serviceaccount' && issuer.tokenReview !== false) reviewers.push({ issuer: issuer.issuer, audiences: issuer.audiences, apiServer });
    return {
      issuer: issuer.issuer, audiences: issuer.audiences, kind, extraClaims: [rolesClaim],
      ...(issuer.algorithms === undefined ? {} : { algorithms: issuer.algorithms }),
      ...(issuer.caFile === undefined ? {} : { caFile: issuer.caFile }),
      ...(issuer.usernameClaim === undefined ? {} : { usernameClaim: issuer.usernameClaim }),
      ...(issuer.groupsClaim === undefined ? {} : { groupsClaim: issuer.groupsClaim }),
      ...(apiServer === undefined ? {} : { apiServer }),
    };
  });
  let verifier = createCachedTokenVerifier(createTokenVerifier({
    issuers: trusted, now: deps.now,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  }), { now: deps.now });
  // One reviewer per cluster; each reviews only its own issuer's tokens.
  for (const { issuer, audiences, apiServer } of reviewers) {
    verifier = createReviewedTokenVerifier(verifier, {
      reviewer: createTokenReviewer({ apiServer }), audiences: new Map([[issuer, audiences]]), cacheMs: deps.reviewCacheMs ?? DEFAULT_REVIEW_CACHE_MS, now: deps.now,
    });
  }
  return verifier;
}
