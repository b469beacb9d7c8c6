import { AppError, ErrorCodes, isAppError } from '@auditgate/shared';

/** Wraps a failure to obtain upstream credentials as a retriable `UPSTREAM_UNAVAILABLE` (503); AppErrors pass through. */
export function upstreamError(message: string, cause: unknown): AppError {
  if (isAppError(cause)) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new AppError(`${message}: ${detail}`, {
    code: ErrorCodes.UPSTREAM_UNAVAILABLE,
    retriable: true,
    status: 503,
    cause,
  });
}
