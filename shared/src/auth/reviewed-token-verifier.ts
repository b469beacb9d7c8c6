import { AppError, isAppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { authError } from './auth-error.js';
import type { TokenReviewAnswer, TokenReviewer } from './token-reviewer.js';
import type { TokenVerifier, VerifiedIdentity } from './types.js';

/** Options of {@link createReviewedTokenVerifier}. */
export interface ReviewedTokenVerifierOptions {
  readonly reviewer: TokenReviewer;
  /** Issuers whose service-account tokens are reviewed, each with the audiences to review them for. */
  readonly audiences: ReadonlyMap<string, readonly string[]>;
  /** How long the cluster's answer (yes or no) is reused for the same token, in ms; 0 asks on every request. */
  readonly cacheMs: number;
  /** Most tokens remembered; the longest remembered is forgotten beyond it. Default 10 000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly answer: TokenReviewAnswer;
  readonly at: number;
  readonly until: number;
  /** The identity served on cache hits, made once (no allocation per request). */
  readonly identity: VerifiedIdentity | undefined;
}

/**
 * Confirms each new service-account token with the cluster (TokenReview) after `inner` verified its signature and
 * claims, and reuses the answer for `cacheMs`: a token whose service account or pod was deleted stops working within
 * that time, long before it expires. Refusals are cached too (a revoked token cannot make the gateway ask the cluster
 * on every request); failures to ask are not, and fail closed (503). The identity carries the outcome in `review`;
 * a refusal's or failure's `details.identity` carries the verified identity, so the audit record can name it.
 */
export function createReviewedTokenVerifier(inner: TokenVerifier, options: ReviewedTokenVerifierOptions): TokenVerifier {
  const { reviewer, audiences, cacheMs } = options;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Entry>>();

  function settle(token: string, identity: VerifiedIdentity, answer: TokenReviewAnswer, at: number): Entry {
    const accepted = answer.authenticated && answer.username === identity.username;
    const entry: Entry = {
      answer: accepted ? answer : { ...answer, authenticated: false },
      at,
      until: Math.min(at + cacheMs, identity.expiresAt),
      identity: accepted ? { ...identity, review: { checked: true, authenticated: true, at, cached: true } } : undefined,
    };
    if (cacheMs > 0) {
      entries.set(token, entry);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    }
    return entry;
  }

  function ask(token: string, identity: VerifiedIdentity, forAudiences: readonly string[]): Promise<Entry> {
    let pending = inflight.get(token);
    if (pending === undefined) {
      pending = reviewer.review(token, forAudiences)
        .then((answer) => settle(token, identity, answer, now()))
        .finally(() => inflight.delete(token));
      inflight.set(token, pending);
    }
    return pending;
  }

  return {
    async verify(token) {
      const identity = await inner.verify(token);
      const forAudiences = identity.tokenKind === 'serviceaccount' ? audiences.get(identity.issuer) : undefined;
      if (forAudiences === undefined) return identity;
      // The hot path (a token in use, confirmed within cacheMs) is one lookup and the identity made at confirmation.
      let entry = entries.get(token);
      let cached = true;
      if (entry === undefined || entry.until <= now()) {
        if (entry !== undefined) entries.delete(token);
        try {
          entry = await ask(token, identity, forAudiences);
        } catch (error) {
          throw unavailable(error, identity);
        }
        cached = false;
      }
      if (entry.identity !== undefined) {
        return cached ? entry.identity : { ...identity, review: { checked: true, authenticated: true, at: entry.at, cached: false } };
      }
      const review = { checked: true as const, authenticated: false, at: entry.at, cached };
      const why = entry.answer.error ?? (entry.answer.username === undefined ? 'not authenticated' : 'it names another user');
      throw authError('token_review_refused', `the cluster refused the token (TokenReview: ${why})`, undefined, { identity: { ...identity, review } });
    },
    async close() {
      entries.clear();
      await Promise.allSettled([reviewer.close(), inner.close()]);
    },
  };
}

/** The reviewer's failure (503, fail closed) with the identity whose token could not be confirmed, for the record. */
function unavailable(error: unknown, identity: VerifiedIdentity): AppError {
  const e = isAppError(error) ? error : new AppError(`TokenReview failed: ${(error as Error).message}`, {
    code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, cause: error, details: { reason: 'token_review_unavailable' },
  });
  return new AppError(e.message, { code: e.code, status: e.status, retriable: e.retriable, cause: e.cause ?? e, details: { ...e.details, identity } });
}
