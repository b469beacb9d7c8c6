import { AppError, ErrorCodes, isAppError } from '@auditgate/shared';

/** HTTP status of an OpenSearch client error, when it got an answer. */
export function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode ?? undefined;
}

/**
 * Wraps an OpenSearch failure for the caller, keeping the original as `cause` (logged, never sent): no answer, a
 * timeout, 429 or 5xx is a retriable 503 `OPENSEARCH_UNAVAILABLE`; any other refusal means a query we should not have
 * built, a 500 `INTERNAL`. The message names only `what` failed, never OpenSearch's addresses, indices or reasons.
 * AppErrors pass through.
 */
export function opensearchError(error: unknown, what: string): AppError {
  if (isAppError(error)) return error;
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new AppError(`${what} failed: OpenSearch refused the query`, { code: ErrorCodes.INTERNAL, status: 500, cause: error });
  }
  return new AppError(`${what} failed: OpenSearch is unavailable; try again shortly`, {
    code: ErrorCodes.OPENSEARCH_UNAVAILABLE, status: 503, retriable: true, cause: error,
  });
}
