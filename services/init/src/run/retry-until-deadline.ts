import { isAppError, type Logger } from '@auditgate/shared';

/** Dependencies and limits of {@link retryUntilDeadline}. */
export interface RetryOptions {
  /** Epoch ms after which a failed attempt is the last one. */
  readonly deadline: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<unknown>;
  readonly logger: Logger;
  /** Longest wait between attempts (the wait doubles from 1 s up to it). */
  readonly maxDelayMs?: number;
}

/**
 * Runs `step` until it succeeds; retries a failure while the deadline has not passed and the error is not an
 * `AppError` marked not retriable. Rethrows the last error.
 */
export async function retryUntilDeadline<T>(what: string, step: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await step();
      options.logger.info({ step: what, attempt }, `${what}: done`);
      return result;
    } catch (error) {
      if ((isAppError(error) && !error.retriable) || options.now() > options.deadline) throw error;
      const code = isAppError(error) ? error.code : undefined;
      options.logger.warn({ step: what, attempt, code, error: (error as Error).message }, `${what}: attempt ${attempt} failed; retrying`);
      await options.sleep(Math.min(maxDelayMs, 500 * 2 ** attempt));
    }
  }
}
