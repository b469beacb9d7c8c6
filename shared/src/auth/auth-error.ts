import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';

/** Every reason a token can be refused for, as found in `details.reason`. */
export const AuthFailureReasons = [
  'missing_token', 'malformed', 'too_large', 'unknown_issuer', 'alg_not_allowed', 'bad_signature', 'expired',
  'not_yet_valid', 'wrong_audience', 'wrong_issuer', 'unknown_kid', 'missing_claim', 'invalid_claim', 'jwks_unreachable',
  'token_review_refused',
  // A gateway-delegated token (one MCP tool call's) whose call already ended, whose claims name another call or server
  // than the one its id was issued for, or that this gateway never issued a call for.
  'delegation_ended', 'delegation_mismatch', 'delegation_unknown',
] as const;

/** One of {@link AuthFailureReasons}. */
export type AuthFailureReason = (typeof AuthFailureReasons)[number];

/**
 * A 401 AppError for `reason`, with `extra` beside it in `details`; `message` must never contain the token. Only
 * `jwks_unreachable` is retriable.
 */
export function authError(reason: AuthFailureReason, message: string, cause?: unknown, extra: Record<string, unknown> = {}): AppError {
  return new AppError(`bearer token rejected: ${message}`, {
    code: ErrorCodes.UNAUTHENTICATED,
    status: 401,
    retriable: reason === 'jwks_unreachable',
    details: { ...extra, reason },
    ...(cause === undefined ? {} : { cause }),
  });
}
