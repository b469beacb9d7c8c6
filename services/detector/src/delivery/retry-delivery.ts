import { isAppError } from '@auditgate/shared';

/** Bounded retries with exponential backoff. */
export interface RetryPolicy { readonly maxAttempts: number; readonly initialBackoffMs: number; readonly maxBackoffMs: number }

/** How a delivery ended: accepted, given up (`reason`), or abandoned because the process is stopping. */
export type RetryOutcome =
  | { readonly ok: true; readonly attempts: number }
  | { readonly ok: false; readonly aborted: boolean; readonly reason: string; readonly attempts: number };

/** Hooks of {@link retryDelivery}. */
export interface RetryHooks {
  /** Waits `ms`; resolves false when the wait was cut short by a stop. */
  readonly sleep: (ms: number) => Promise<boolean>;
  readonly stopping: () => boolean;
  readonly onRetry?: (attempt: number, reason: string) => void | Promise<void>;
}

/**
 * Runs `attempt` until it resolves, a non-retriable error (AppError `retriable: false`, e.g. a 4xx) or `maxAttempts`.
 * A stop cuts the backoff short and reports `aborted`, so the caller neither commits nor dead-letters.
 */
export async function retryDelivery(attempt: () => Promise<void>, policy: RetryPolicy, hooks: RetryHooks): Promise<RetryOutcome> {
  for (let n = 1; ; n += 1) {
    try {
      await attempt();
      return { ok: true, attempts: n };
    } catch (error) {
      const reason = (error as Error).message;
      if (hooks.stopping()) return { ok: false, aborted: true, reason, attempts: n };
      const retriable = isAppError(error) ? error.retriable : true;
      if (!retriable || n >= policy.maxAttempts) return { ok: false, aborted: false, reason, attempts: n };
      await hooks.onRetry?.(n, reason);
      const slept = await hooks.sleep(Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (n - 1)));
      if (!slept || hooks.stopping()) return { ok: false, aborted: true, reason, attempts: n };
    }
  }
}
