import type { Client } from '@opensearch-project/opensearch';
import { badRequest } from '../errors/bad-request.js';
import { buildEventQuery, TIME_FIELD } from './build-event-query.js';
import type { EventFilters } from './event-filters.js';
import { opensearchError, statusOf } from './opensearch-error.js';
import type { PageCursor } from './page-cursor.js';

/** An exchange document as the indexer writes it (see services/indexer/src/search/build-document.ts). */
export type EventDoc = Record<string, unknown>;

/** Where the next page of an event listing starts (a decoded cursor). */
export interface EventPosition { readonly pit?: string; readonly after: PageCursor['after']; readonly seen: number }

/** One page of events. */
export interface EventPage { readonly total: number; readonly events: EventDoc[]; readonly next?: EventPosition }

/** A page request. */
export interface EventPageRequest {
  readonly filters: EventFilters;
  readonly size: number;
  readonly order: 'asc' | 'desc';
  readonly position?: EventPosition;
  /** Leave the (large) request and response objects out. */
  readonly light?: boolean;
  /**
   * Page through a point in time (a snapshot held open between pages, for exports that run to their end). Listings
   * leave it off: their cursors page with `search_after` over the first page's pinned range and hold nothing open, so
   * pages an analyst never asks for cannot exhaust OpenSearch's point-in-time contexts.
   */
  readonly snapshot?: boolean;
}

/** Reads exchange documents; deep pages use `search_after` (and, for snapshots, a point in time), so they cost the same as the first. */
export interface EventSearch {
  page(request: EventPageRequest): Promise<EventPage>;
  /** The exchange `auditID`, or undefined. */
  byId(auditID: string): Promise<EventDoc | undefined>;
  /** Releases a point in time early (a listing abandoned before its end). */
  release(position: EventPosition | undefined): Promise<void>;
}

interface Hits { total?: { value: number } | number; hits: Array<{ _source?: EventDoc; sort?: PageCursor['after'] }> }

const LIGHT_EXCLUDES = ['requestObject', 'responseObject'];

/** An {@link EventSearch} over the daily indices `<prefix>-*`. */
export function createEventSearch(client: Client, prefix: string, keepAlive: string): EventSearch {
  const pattern = `${prefix}-*`;
  return {
    async page({ filters, size, order, position, light, snapshot }) {
      const body: Record<string, unknown> = {
        size, query: buildEventQuery(filters), track_total_hits: true,
        sort: [{ [TIME_FIELD]: { order } }, { auditID: { order } }],
        ...(light === true ? { _source: { excludes: LIGHT_EXCLUDES } } : {}),
        ...(position === undefined ? {} : { search_after: position.after }),
      };
      let hits: Hits;
      let pit = position?.pit;
      try {
        if (pit !== undefined) {
          const r = await client.search({ body: { ...body, pit: { id: pit, keep_alive: keepAlive } } as never });
          pit = (r.body as { pit_id?: string }).pit_id ?? pit;
          hits = r.body.hits as unknown as Hits;
        } else {
          const r = await client.search({ index: pattern, body: body as never });
          hits = r.body.hits as unknown as Hits;
        }
      } catch (error) {
        const status = statusOf(error);
        if (pit !== undefined && (status === 400 || status === 404)) throw badRequest('cursor', 'the cursor has expired or is invalid; start again from the first page');
        throw opensearchError(error, 'event search');
      }
      const total = typeof hits.total === 'number' ? hits.total : hits.total?.value ?? 0;
      const events = hits.hits.map((h) => h._source ?? {});
      const seen = (position?.seen ?? 0) + events.length;
      const last = hits.hits.at(-1)?.sort;
      if (events.length < size || seen >= total || last === undefined) {
        if (pit !== undefined) await this.release({ pit, after: [], seen });
        return { total, events };
      }
      if (pit === undefined && snapshot === true) {
        try {
          const r = await client.createPit({ index: [pattern], keep_alive: keepAlive });
          pit = r.body.pit_id;
        } catch (error) { throw opensearchError(error, 'opening a point in time'); }
      }
      return { total, events, next: { ...(pit === undefined ? {} : { pit }), after: last, seen } };
    },
    async byId(auditID) {
      try {
        const r = await client.search({ index: pattern, body: { size: 1, query: { ids: { values: [auditID] } } } as never });
        return (r.body.hits as unknown as Hits).hits[0]?._source;
      } catch (error) { throw opensearchError(error, 'event lookup'); }
    },
    async release(position) {
      if (position?.pit === undefined) return;
      await client.deletePit({ body: { pit_id: [position.pit] } }).catch(() => undefined);
    },
  };
}
