import type { Client } from '@opensearch-project/opensearch';
import { buildEventQuery, TIME_FIELD } from './build-event-query.js';
import type { EventFilters } from './event-filters.js';
import { HISTOGRAM_INTERVALS, type HistogramInterval } from './histogram-interval.js';
import { opensearchError } from './opensearch-error.js';

/** How histogram bars are split: by policy decision and status class (`allow/2xx`), by verb, or not at all. */
export type HistogramStack = 'outcome' | 'verb' | 'none';

/** One bar: its start, its count, and its count per series (series without events left out). */
export interface HistogramBucket { readonly t: string; readonly count: number; readonly stacks: Record<string, number> }

/** A date histogram of the events matching a filter, stacked by one dimension. */
export interface EventHistogram {
  readonly interval: HistogramInterval;
  readonly intervalMs: number;
  /** The filter's resolved range (buckets are aligned to the epoch, so the first may start before it). */
  readonly from: string;
  readonly to: string;
  readonly total: number;
  readonly stack: HistogramStack;
  /** The series in stacking order (bottom first), each with its count over the range. */
  readonly series: Array<{ key: string; count: number }>;
  readonly buckets: HistogramBucket[];
}

/** Decisions in stacking order; `none` for exchanges recorded without one. */
export const DECISIONS = ['allow', 'mask', 'deny', 'none'] as const;
/** Status classes in stacking order; `pending` while no response status is recorded. */
export const STATUS_CLASSES = ['2xx', '1xx', '3xx', '4xx', '5xx', 'pending'] as const;
const OUTCOME_ORDER: string[] = DECISIONS.flatMap((d) => STATUS_CLASSES.map((c) => `${d}/${c}`));
const MAX_VERBS = 10;

const classFilters = Object.fromEntries(STATUS_CLASSES.filter((c) => c !== 'pending')
  .map((c) => [c, { range: { 'responseStatus.code': { gte: Number(c[0]) * 100, lte: Number(c[0]) * 100 + 99 } } }]));

function stackAggs(stack: HistogramStack): Record<string, unknown> {
  if (stack === 'outcome') {
    return {
      decision: {
        terms: { field: 'auditgate.policy.decision', size: DECISIONS.length, missing: 'none' },
        aggs: { status: { filters: { filters: classFilters, other_bucket_key: 'pending' } } },
      },
    };
  }
  if (stack === 'verb') return { verb: { terms: { field: 'verb', size: MAX_VERBS } } };
  return {};
}

interface Terms { buckets: Array<{ key: string; doc_count: number; status?: { buckets: Record<string, { doc_count: number }> } }> }
interface DateBucket { key: number; doc_count: number; decision?: Terms; verb?: Terms }

function stacksOf(bucket: DateBucket, stack: HistogramStack, verbs: ReadonlySet<string>): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (key: string, n: number): void => { if (n > 0) out[key] = (out[key] ?? 0) + n; };
  if (stack === 'outcome') {
    for (const d of bucket.decision?.buckets ?? []) {
      for (const [cls, b] of Object.entries(d.status?.buckets ?? {})) add(`${d.key}/${cls}`, b.doc_count);
    }
  } else if (stack === 'verb') {
    let seen = 0;
    for (const v of bucket.verb?.buckets ?? []) { add(verbs.has(v.key) ? v.key : 'other', v.doc_count); seen += v.doc_count; }
    add('other', bucket.doc_count - seen);
  }
  return out;
}

/** Orders series: outcomes in their fixed order, verbs by count (then name) with `other` last. */
export function orderSeries(stack: HistogramStack, totals: ReadonlyMap<string, number>): Array<{ key: string; count: number }> {
  const entries = [...totals].map(([key, count]) => ({ key, count }));
  if (stack === 'outcome') {
    const rank = (k: string): number => { const i = OUTCOME_ORDER.indexOf(k); return i < 0 ? OUTCOME_ORDER.length : i; };
    return entries.sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
  }
  return entries.sort((a, b) => Number(a.key === 'other') - Number(b.key === 'other') || b.count - a.count || a.key.localeCompare(b.key));
}

/** The date histogram of the events matching `filters`, one bucket per `interval` over the whole range, split by `stack`. */
export async function eventHistogram(client: Client, prefix: string, filters: EventFilters, interval: HistogramInterval, stack: HistogramStack): Promise<EventHistogram> {
  const body = {
    size: 0, track_total_hits: true, query: buildEventQuery(filters),
    aggs: {
      overTime: {
        date_histogram: { field: TIME_FIELD, fixed_interval: interval, min_doc_count: 0, extended_bounds: { min: filters.from, max: filters.to } },
        aggs: stackAggs(stack),
      },
      // The verbs of the whole range name the series, so each bar splits the same way.
      ...(stack === 'verb' ? { verbs: { terms: { field: 'verb', size: MAX_VERBS } } } : {}),
    },
  };
  let r;
  try {
    r = await client.search({ index: `${prefix}-*`, body: body as never });
  } catch (error) { throw opensearchError(error, 'histogram'); }
  const aggs = r.body.aggregations as unknown as { overTime?: { buckets: DateBucket[] }; verbs?: Terms };
  const verbs = new Set((aggs.verbs?.buckets ?? []).map((b) => b.key));
  const totals = new Map<string, number>();
  const buckets = (aggs.overTime?.buckets ?? []).map((b) => {
    const stacks = stacksOf(b, stack, verbs);
    for (const [k, n] of Object.entries(stacks)) totals.set(k, (totals.get(k) ?? 0) + n);
    return { t: new Date(Number(b.key)).toISOString(), count: b.doc_count, stacks };
  });
  const total = r.body.hits.total;
  return {
    interval, intervalMs: HISTOGRAM_INTERVALS[interval], from: new Date(filters.from).toISOString(), to: new Date(filters.to).toISOString(),
    total: typeof total === 'number' ? total : total?.value ?? 0, stack, series: orderSeries(stack, totals), buckets,
  };
}
