/** Options for {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Clock in milliseconds. */
  readonly now: () => number;
  /** Most actors tracked at once; the least recently used is dropped beyond it. Default 10 000. */
  readonly maxKeys?: number;
  /** How often (clock time) idle, fully refilled buckets are swept. Default 60 000 ms. */
  readonly sweepIntervalMs?: number;
}

/** Per-actor token buckets. */
export interface RateLimiter {
  /**
   * Takes one token from `key`'s bucket; false when empty. `ratePerSecond` 0 means unlimited (always true);
   * `burst` 0 means ceil(rate), at least 1.
   */
  take(key: string, ratePerSecond: number, burst: number): boolean;
  /** How many actors are tracked now. */
  size(): number;
}

interface Bucket { tokens: number; last: number; rate: number; capacity: number }

/**
 * Token buckets per actor with bounded memory: the Map doubles as an LRU (touched keys move to the end), buckets that
 * have refilled completely are swept (dropping them loses nothing), and beyond `maxKeys` the oldest is evicted.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { now } = options;
  const maxKeys = options.maxKeys ?? 10_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  const refill = (bucket: Bucket, at: number): void => {
    // A clock that steps backwards must not mint tokens or leave the bucket stuck.
    const elapsed = Math.max(0, at - bucket.last);
    bucket.tokens = Math.min(bucket.capacity, bucket.tokens + (elapsed * bucket.rate) / 1000);
    bucket.last = at;
  };

  const sweep = (at: number): void => {
    lastSweep = at;
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= bucket.capacity) buckets.delete(key);
    }
  };

  return {
    take(key, ratePerSecond, burst) {
      if (!(ratePerSecond > 0)) return true;
      const at = now();
      if (at - lastSweep >= sweepIntervalMs) sweep(at);
      const capacity = burst > 0 ? burst : Math.max(1, Math.ceil(ratePerSecond));
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= maxKeys) {
          const oldest = buckets.keys().next();
          if (oldest.done !== true) buckets.delete(oldest.value);
        }
        bucket = { tokens: capacity, last: at, rate: ratePerSecond, capacity };
      } else {
        buckets.delete(key);
        refill(bucket, at);
        // A policy reload may change the limits; apply them from now on.
        bucket.rate = ratePerSecond;
        if (bucket.capacity !== capacity) { bucket.capacity = capacity; bucket.tokens = Math.min(bucket.tokens, capacity); }
      }
      buckets.set(key, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    size: () => buckets.size,
  };
}
