import { AppError, ErrorCodes } from '@auditgate/shared';

/** Every reason a token can be refused for, as found in `details.reason`. */
export const AuthFailureReasons = [
  'missing_token', 'malformed', 'too_large', 'unknown_issuer', 'alg_not_allowed', 'bad_signature', 'expired',
  'not_yet_valid', 'wrong_audience', 'wrong_issuer', 'unknown_kid', 'missing_claim', 'invalid_claim', 'jwks_unreachable',
] as const;

/** One of {@link AuthFailureReasons}. */
export type AuthFailureReason = (typeof AuthFailureReasons)[number];

/** A 401 AppError for `reason`; `message` must never contain the token. Only `jwks_unreachable` is retriable. */
export function authError(reason: AuthFailureReason, message: string, cause?: unknown): AppError {
  return new AppError(`bearer token rejected: ${message}`, {
    code: ErrorCodes.UNAUTHENTICATED,
    status: 401,
    retriable: reason === 'jwks_unreachable',
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
}
