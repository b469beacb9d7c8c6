import type { Client } from '@opensearch-project/opensearch';
import { buildEventQuery, DENIED_QUERY, TIME_FIELD } from './build-event-query.js';
import type { EventFilters } from './event-filters.js';
import { opensearchError } from './opensearch-error.js';

/** A bucket of a top-N list. */
export interface KeyCount { readonly key: string; readonly count: number }

/** Aggregations over a filtered range. */
export interface EventAggregations {
  readonly interval: string;
  readonly total: number;
  readonly overTime: Array<{ t: string; count: number; denied: number }>;
  readonly topActors: KeyCount[];
  readonly verbs: KeyCount[];
  readonly resources: KeyCount[];
  readonly denials: KeyCount[];
}

/** The histogram interval for `requested` over a span: `auto` keeps buckets between ~60 and ~1500. */
export function chooseInterval(requested: 'auto' | '1m' | '1h' | '1d', spanMs: number): '1m' | '1h' | '1d' {
  if (requested !== 'auto') return requested;
  if (spanMs <= 6 * 3_600_000) return '1m';
  if (spanMs <= 14 * 86_400_000) return '1h';
  return '1d';
}

type Buckets = { buckets: Array<{ key: string | number; key_as_string?: string; doc_count: number; denied?: { doc_count: number } }> };
const keyCounts = (agg: Buckets | undefined): KeyCount[] => (agg?.buckets ?? []).map((b) => ({ key: String(b.key), count: b.doc_count }));

/** Counts over time (with denials), top actors, verbs, resources and denied actors of the events matching `filters`. */
export async function aggregateEvents(client: Client, prefix: string, filters: EventFilters, interval: '1m' | '1h' | '1d', top: number): Promise<EventAggregations> {
  const terms = (field: string): Record<string, unknown> => ({ terms: { field, size: top } });
  const body = {
    size: 0, track_total_hits: true, query: buildEventQuery(filters),
    aggs: {
      overTime: {
        date_histogram: {
          field: TIME_FIELD, fixed_interval: interval, min_doc_count: 0,
          extended_bounds: { min: filters.from, max: filters.to },
        },
        aggs: { denied: { filter: DENIED_QUERY } },
      },
      topActors: terms('auditgate.actor.username'),
      verbs: terms('verb'),
      resources: terms('objectRef.resource'),
      denials: { filter: DENIED_QUERY, aggs: { actors: terms('auditgate.actor.username') } },
    },
  };
  try {
    const r = await client.search({ index: `${prefix}-*`, body: body as never });
    const aggs = r.body.aggregations as unknown as Record<string, Buckets & { actors?: Buckets }>;
    const total = r.body.hits.total;
    return {
      interval,
      total: typeof total === 'number' ? total : total?.value ?? 0,
      overTime: (aggs['overTime']?.buckets ?? []).map((b) => ({ t: new Date(Number(b.key)).toISOString(), count: b.doc_count, denied: b.denied?.doc_count ?? 0 })),
      topActors: keyCounts(aggs['topActors']),
      verbs: keyCounts(aggs['verbs']),
      resources: keyCounts(aggs['resources']),
      denials: keyCounts(aggs['denials']?.actors),
    };
  } catch (error) { throw opensearchError(error, 'aggregation'); }
}
