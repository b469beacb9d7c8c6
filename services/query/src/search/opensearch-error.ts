import { AppError, ErrorCodes, isAppError } from '@auditgate/shared';

/** HTTP status of an OpenSearch client error, when it got an answer. */
export function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode ?? undefined;
}

/** Wraps an OpenSearch failure as a 503 (retriable) AppError; AppErrors pass through. */
export function opensearchError(error: unknown, what: string): AppError {
  if (isAppError(error)) return error;
  return new AppError(`${what} failed: ${(error as Error).message}`, {
    code: ErrorCodes.OPENSEARCH_UNAVAILABLE, status: 503, retriable: true, cause: error,
  });
}
