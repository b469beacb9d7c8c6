import { badRequest } from '../errors/bad-request.js';

/** The fixed intervals a chart histogram may use, in milliseconds. */
export const HISTOGRAM_INTERVALS = {
  '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '1d': 86_400_000,
} as const;

/** A histogram interval name. */
export type HistogramInterval = keyof typeof HISTOGRAM_INTERVALS;

/** `auto` picks the finest interval giving at most this many buckets over the range. */
export const AUTO_MAX_BUCKETS = 300;
/** An explicit interval may give at most this many buckets (each bucket carries up to ~24 stacked series). */
export const MAX_HISTOGRAM_BUCKETS = 1000;

/** Buckets `interval` makes over `[from, to]` (aligned to the epoch, as OpenSearch aligns them). */
export function bucketCount(interval: HistogramInterval, from: number, to: number): number {
  const ms = HISTOGRAM_INTERVALS[interval];
  return Math.floor(to / ms) - Math.floor(from / ms) + 1;
}

/** The interval for `requested` over `[from, to]`; an explicit one making too many buckets is a 400 on `interval`. */
export function chooseHistogramInterval(requested: HistogramInterval | 'auto', from: number, to: number): HistogramInterval {
  const names = Object.keys(HISTOGRAM_INTERVALS) as HistogramInterval[];
  const chosen = requested === 'auto' ? names.find((n) => bucketCount(n, from, to) <= AUTO_MAX_BUCKETS) ?? '1d' : requested;
  if (bucketCount(chosen, from, to) > MAX_HISTOGRAM_BUCKETS) {
    throw badRequest('interval', `${chosen} makes more than ${MAX_HISTOGRAM_BUCKETS} buckets over this range`);
  }
  return chosen;
}
