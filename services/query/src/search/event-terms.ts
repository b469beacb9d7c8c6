import type { Client } from '@opensearch-project/opensearch';
import { buildEventQuery, TIME_FIELD } from './build-event-query.js';
import type { EventFilters } from './event-filters.js';
import { opensearchError } from './opensearch-error.js';

/** The fields a terms aggregation may count, named as the filter parameters (so each value is a search), with their document fields. */
export const TERM_FIELDS = {
  actor: 'auditgate.actor.username', onBehalfOf: 'auditgate.onBehalfOf.username', verb: 'verb', resource: 'objectRef.resource',
  namespace: 'objectRef.namespace', name: 'objectRef.name', apiGroup: 'objectRef.apiGroup', subresource: 'objectRef.subresource',
  decision: 'auditgate.policy.decision', status: 'responseStatus.code', cluster: 'auditgate.cluster.name',
  session: 'auditgate.mcp.sessionId', tool: 'auditgate.mcp.toolName',
} as const;

/** A term field name. */
export type TermField = keyof typeof TERM_FIELDS;

/** A value and how many events carry it. */
export interface TermCount { readonly key: string; readonly count: number }

/** One top value of the counted field, with its time span and its top values of each `by` field. */
export interface TermBucket extends TermCount {
  /** requestReceivedTimestamp of its first and last event. */
  readonly first: string | null;
  readonly last: string | null;
  readonly by: Record<string, TermCount[]>;
  /** Events of this bucket without a value of each `by` field. */
  readonly byMissing: Record<string, number>;
}

/** The top values of one field over the events matching a filter. */
export interface EventTerms {
  readonly field: TermField;
  readonly by: TermField[];
  readonly total: number;
  /** Events without a value of `field`. */
  readonly missing: number;
  /** Events with a value outside the top `size`. */
  readonly other: number;
  readonly buckets: TermBucket[];
}

/** What to count: `field`'s top `size` values, each split by the top `bySize` values of each `by` field. */
export interface TermsRequest { readonly field: TermField; readonly size: number; readonly by: readonly TermField[]; readonly bySize: number }

interface Raw { key: string | number; doc_count: number; first?: { value_as_string?: string; value?: number | null }; last?: { value_as_string?: string; value?: number | null } }
type RawBucket = Raw & { readonly [agg: string]: unknown };

const iso = (v: { value?: number | null } | undefined): string | null => (typeof v?.value === 'number' ? new Date(v.value).toISOString() : null);

/** Counts the top values of `req.field` (and of each `req.by` within them) over the events matching `filters`. */
export async function eventTerms(client: Client, prefix: string, filters: EventFilters, req: TermsRequest): Promise<EventTerms> {
  const sub: Record<string, unknown> = { first: { min: { field: TIME_FIELD } }, last: { max: { field: TIME_FIELD } } };
  for (const b of req.by) {
    sub[`by_${b}`] = { terms: { field: TERM_FIELDS[b], size: req.bySize } };
    sub[`missing_${b}`] = { missing: { field: TERM_FIELDS[b] } };
  }
  const body = {
    size: 0, track_total_hits: true, query: buildEventQuery(filters),
    aggs: {
      top: { terms: { field: TERM_FIELDS[req.field], size: req.size, order: [{ _count: 'desc' }, { _key: 'asc' }] }, aggs: sub },
      missing: { missing: { field: TERM_FIELDS[req.field] } },
    },
  };
  let r;
  try {
    r = await client.search({ index: `${prefix}-*`, body: body as never });
  } catch (error) { throw opensearchError(error, 'terms aggregation'); }
  const aggs = (r.body.aggregations ?? {}) as unknown as { top?: { buckets: RawBucket[]; sum_other_doc_count?: number }; missing?: { doc_count: number } };
  const total = r.body.hits.total;
  return {
    field: req.field, by: [...req.by], total: typeof total === 'number' ? total : total?.value ?? 0,
    missing: aggs.missing?.doc_count ?? 0, other: aggs.top?.sum_other_doc_count ?? 0,
    buckets: (aggs.top?.buckets ?? []).map((b) => ({
      key: String(b.key), count: b.doc_count, first: iso(b.first), last: iso(b.last),
      by: Object.fromEntries(req.by.map((f) => [f, ((b[`by_${f}`] as { buckets?: Raw[] } | undefined)?.buckets ?? []).map((x) => ({ key: String(x.key), count: x.doc_count }))])),
      byMissing: Object.fromEntries(req.by.map((f) => [f, (b[`missing_${f}`] as { doc_count?: number } | undefined)?.doc_count ?? 0])),
    })),
  };
}
