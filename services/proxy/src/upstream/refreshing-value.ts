import { upstreamError } from './upstream-error.js';

/** A loaded value with the times (ms since epoch, by the injected clock) to refresh it and to stop using it. */
export interface Fresh<T> {
  readonly value: T;
  /** From here on, callers still get this value while a background refresh runs. */
  readonly refreshAt: number;
  /** From here on, callers wait for a new value. */
  readonly expiresAt: number;
}

/** Options for {@link createRefreshingValue}. */
export interface RefreshingValueOptions<T> {
  /** Loads a new value; called at most once at a time. */
  readonly load: () => Promise<Fresh<T>>;
  readonly now: () => number;
  /** What the failure is about, for error messages. */
  readonly what: string;
  /** After a failed background refresh, wait this long before trying again (default 5 s). */
  readonly retryAfterMs?: number;
  /** Called with each failed background refresh (foreground failures are thrown to the caller instead). */
  readonly onBackgroundError?: (error: unknown) => void;
  /** Refresh proactively on an unref'd timer at `refreshAt` (default true). */
  readonly timer?: boolean;
}

/** A cached value that refreshes in the background before it expires. */
export interface RefreshingValue<T> {
  /** The cached value, resolved at once while it is fresh; waits for a load only when there is none or it expired. */
  get(): Promise<T>;
  /** Loads now (single-flight) and returns the new value. */
  refresh(): Promise<T>;
  /** The current entry, if any, without side effects. */
  peek(): Fresh<T> | undefined;
  /** Stops the refresh timer; safe to call twice. */
  close(): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Creates a {@link RefreshingValue}: the hot path is a clock read and a cached resolved promise. */
export function createRefreshingValue<T>(options: RefreshingValueOptions<T>): RefreshingValue<T> {
  const { load, now, what } = options;
  const retryAfterMs = options.retryAfterMs ?? 5_000;
  const useTimer = options.timer ?? true;
  let current: Fresh<T> | undefined;
  let resolved: Promise<T> | undefined;
  let inflight: Promise<Fresh<T>> | undefined;
  let retryNotBefore = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const schedule = (entry: Fresh<T>): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (!useTimer || closed) return;
    const delay = Math.min(Math.max(entry.refreshAt - now(), 0), MAX_TIMER_MS);
    timer = setTimeout(background, delay);
    timer.unref();
  };

  const reload = (): Promise<Fresh<T>> => {
    inflight ??= load().then(
      (entry) => {
        current = entry;
        resolved = Promise.resolve(entry.value);
        inflight = undefined;
        retryNotBefore = 0;
        schedule(entry);
        return entry;
      },
      (error: unknown) => {
        inflight = undefined;
        retryNotBefore = now() + retryAfterMs;
        throw upstreamError(what, error);
      },
    );
    return inflight;
  };

  function background(): void {
    timer = undefined;
    if (closed || inflight !== undefined) return;
    reload().catch((error: unknown) => {
      options.onBackgroundError?.(error);
      // Keep trying while the old value is still usable.
      if (!closed && useTimer && current !== undefined && now() < current.expiresAt) {
        timer = setTimeout(background, retryAfterMs);
        timer.unref();
      }
    });
  }

  return {
    get() {
      const entry = current;
      if (entry !== undefined && resolved !== undefined) {
        const t = now();
        if (t < entry.expiresAt) {
          if (t >= entry.refreshAt && inflight === undefined && t >= retryNotBefore) background();
          return resolved;
        }
      }
      return reload().then((e) => e.value);
    },
    refresh: () => reload().then((e) => e.value),
    peek: () => current,
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
