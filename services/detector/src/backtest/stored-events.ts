import type { Client } from '@opensearch-project/opensearch';
import { AppError, ErrorCodes, type AuditEvent } from '@auditgate/shared';
import { eventFromDocument } from './stored-event.js';

/** Where and which stored exchanges to read. */
export interface StoredEventsQuery {
  /** Index pattern of the events, e.g. `auditgate-events-*`. */
  readonly index: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Documents per page (search_after paging). */
  readonly pageSize?: number;
}

const TIME = 'requestReceivedTimestamp';

/**
 * The stored exchanges of a period as audit events, in event-time order (auditID breaks ties), one page at a time
 * with `search_after`. Stage records (`stages.*.event`) are not fetched: the document's own fields carry the event.
 */
export async function* storedEvents(client: Client, query: StoredEventsQuery): AsyncGenerator<AuditEvent> {
  let after: unknown[] | undefined;
  for (;;) {
    let hits: Array<{ _source?: unknown; sort?: unknown[] }>;
    try {
      const res = await client.search({
        index: query.index, ignore_unavailable: true, allow_no_indices: true,
        body: {
          size: query.pageSize ?? 1000, track_total_hits: false, _source: { excludes: ['stages.*.event'] },
          query: { range: { [TIME]: { gte: new Date(query.fromMs).toISOString(), lte: new Date(query.toMs).toISOString(), format: 'strict_date_optional_time' } } },
          sort: [{ [TIME]: 'asc' }, { auditID: 'asc' }],
          ...(after === undefined ? {} : { search_after: after }),
        },
      } as never);
      hits = (res.body.hits.hits ?? []) as typeof hits;
    } catch (error) {
      throw new AppError(`reading stored events from ${query.index} failed: ${(error as Error).message}`, { code: ErrorCodes.OPENSEARCH_UNAVAILABLE, retriable: true, cause: error });
    }
    for (const hit of hits) {
      const event = eventFromDocument((hit._source ?? {}) as Record<string, unknown>);
      if (event !== undefined) yield event;
    }
    const last = hits.at(-1);
    if (last?.sort === undefined || hits.length < (query.pageSize ?? 1000)) return;
    after = last.sort;
  }
}
