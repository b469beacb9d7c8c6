import type { Client } from '@opensearch-project/opensearch';
import { opensearchError } from '../search/opensearch-error.js';
import { alertQuery } from './alert-query.js';
import type { AlertFilters } from './alert-store.js';

/** A value and how many alerts carry it. */
export interface AlertCount { readonly key: string; readonly count: number }

/** Counts of the alerts matching a filter: by severity, triage status (`open` when never triaged) and rule. */
export interface AlertAggregations {
  readonly total: number;
  readonly severity: AlertCount[];
  readonly status: AlertCount[];
  readonly rule: AlertCount[];
}

/** Severities from the most to the least urgent (the detector's scale). */
export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'] as const;

const rank = (k: string): number => { const i = (SEVERITY_ORDER as readonly string[]).indexOf(k); return i < 0 ? SEVERITY_ORDER.length : i; };
type Terms = { buckets?: Array<{ key: string; doc_count: number }> };
const counts = (t: Terms | undefined): AlertCount[] => (t?.buckets ?? []).map((b) => ({ key: String(b.key), count: b.doc_count }));

/** Aggregates the alerts of `<prefix>-*` matching `filters`; severities most urgent first, rules the `top` most frequent. */
export async function aggregateAlerts(client: Client, prefix: string, filters: AlertFilters, top: number): Promise<AlertAggregations> {
  const body = {
    size: 0, track_total_hits: true, query: alertQuery(filters),
    aggs: {
      severity: { terms: { field: 'severity', size: 20 } },
      status: { terms: { field: 'triage.status', size: 5, missing: 'open' } },
      rule: { terms: { field: 'rule', size: top, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
    },
  };
  try {
    const r = await client.search({ index: `${prefix}-*`, body: body as never });
    const aggs = (r.body.aggregations ?? {}) as unknown as Record<string, Terms>;
    const total = r.body.hits.total;
    return {
      total: typeof total === 'number' ? total : total?.value ?? 0,
      severity: counts(aggs['severity']).sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key)),
      status: counts(aggs['status']),
      rule: counts(aggs['rule']),
    };
  } catch (error) { throw opensearchError(error, 'alert aggregation'); }
}
