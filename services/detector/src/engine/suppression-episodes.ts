import { BoundedMap } from './bounded-map.js';

/** The latest alerting event time seen in each of the last two suppression buckets of one (rule, actor, scope). */
interface Latest { readonly bucket: number; readonly t: number; readonly prev?: { readonly bucket: number; readonly t: number } }

/**
 * Suppression that does not cut at bucket boundaries. An alert's identity stays `rule|actor|scope|bucket` (one key
 * for the whole life of an alert, as delivery's exactly-once needs), but the bucket an event joins is chosen so that
 * a repeat within `suppressMs` of an alerting event of the previous bucket joins that bucket's alert instead of paging
 * again: two attempts one second apart across a boundary page once. The choice reads only alerting events of the
 * last `suppressMs`, so a detector that rebuilds at least that much history on restart (DETECTOR_LOOKBACK_MS) picks
 * the same buckets as before it stopped. Sustained activity still pages again, at most once per two buckets.
 */
export class SuppressionEpisodes {
  private readonly latest: BoundedMap<string, Latest>;
  constructor(maxKeys: number) { this.latest = new BoundedMap(maxKeys); }

  /**
   * The time whose bucket keys the alert of an alerting event at `t` (`t` itself, or the time of the previous
   * bucket's alerting event it continues), and records the event.
   */
  keyTime(id: string, t: number, suppressMs: number): number {
    const bucket = Math.floor(t / suppressMs);
    const last = this.latest.get(id);
    const inPrevious = last === undefined ? undefined : last.bucket === bucket - 1 ? last : last.prev?.bucket === bucket - 1 ? last.prev : undefined;
    const keyTime = inPrevious !== undefined && t - inPrevious.t < suppressMs ? inPrevious.t : t;
    this.record(id, bucket, t, last);
    return keyTime;
  }

  private record(id: string, bucket: number, t: number, last: Latest | undefined): void {
    if (last === undefined || bucket > last.bucket) {
      this.latest.set(id, { bucket, t, ...(last === undefined ? {} : { prev: { bucket: last.bucket, t: last.t } }) });
    } else if (bucket === last.bucket) {
      this.latest.set(id, { ...last, t: Math.max(last.t, t) });
    } else if (last.prev !== undefined && bucket === last.prev.bucket && t > last.prev.t) {
      // An event late for an older bucket (out of order): keep the latest time of that bucket.
      this.latest.set(id, { ...last, prev: { bucket, t } });
    }
  }

  get size(): number { return this.latest.size; }
}
