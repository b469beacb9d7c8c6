import type { Client } from '@opensearch-project/opensearch';
import { AppError, ErrorCodes, installAlertsIndexTemplate } from '@auditgate/shared';
import { opensearchError, statusOf } from '../search/opensearch-error.js';
import type { PageCursor } from '../search/page-cursor.js';
import { alertQuery } from './alert-query.js';
import { applyTriage, triageOf, type TriageEntry, type TriageStatus } from './alert-triage.js';

/** An alert document as the detector indexes it, with its triage filled in. */
export type AlertDoc = Record<string, unknown> & { id: string; triage: ReturnType<typeof triageOf> };

/** Typed alert filters. */
export interface AlertFilters {
  readonly status?: TriageStatus;
  readonly severity?: string[];
  readonly rule?: string[];
  readonly actor?: string[];
  readonly from?: number;
  readonly to?: number;
}

/** Reads alerts and writes their triage with optimistic concurrency. */
export interface AlertStore {
  /** Installs the alert indices' template, the one the detector installs too (idempotent). */
  ensureTemplate(): Promise<void>;
  list(filters: AlertFilters, size: number, after?: PageCursor['after']): Promise<{ total: number; alerts: AlertDoc[]; after?: PageCursor['after'] }>;
  get(id: string): Promise<AlertDoc>;
  /** Applies a triage action; concurrent actions are serialised by if_seq_no/if_primary_term (409 when no longer allowed). */
  transition(id: string, action: TriageEntry['action'], by: string, note: string | undefined): Promise<AlertDoc>;
}

interface Hit { _id: string; _index: string; _source?: Record<string, unknown>; _seq_no?: number; _primary_term?: number; sort?: PageCursor['after'] }

const notFound = (id: string): AppError => new AppError(`no alert ${id}`, { code: ErrorCodes.NOT_FOUND, status: 404 });
const withTriage = (hit: Hit): AlertDoc => ({ ...(hit._source ?? {}), id: String(hit._source?.['id'] ?? hit._id), triage: triageOf(hit._source ?? {}) });

/** An {@link AlertStore} over `<prefix>-*`. */
export function createAlertStore(client: Client, prefix: string, now: () => number): AlertStore {
  const pattern = `${prefix}-*`;
  async function find(id: string): Promise<Hit> {
    try {
      const r = await client.search({ index: pattern, seq_no_primary_term: true, body: { size: 1, query: { ids: { values: [id] } } } as never });
      const hit = (r.body.hits.hits as unknown as Hit[])[0];
      if (hit === undefined) throw notFound(id);
      return hit;
    } catch (error) { throw opensearchError(error, 'alert lookup'); }
  }
  return {
    async ensureTemplate() {
      // The same template, under the same name, as the detector installs: whichever starts first, the mapping is one.
      await installAlertsIndexTemplate(client, prefix);
    },
    async list(f, size, after) {
      const body = {
        size, track_total_hits: true, query: alertQuery(f),
        sort: [{ lastSeen: { order: 'desc', unmapped_type: 'date' } }, { _id: { order: 'asc' } }],
        ...(after === undefined ? {} : { search_after: after }),
      };
      try {
        const r = await client.search({ index: pattern, body: body as never });
        const hits = r.body.hits.hits as unknown as Hit[];
        const total = typeof r.body.hits.total === 'number' ? r.body.hits.total : r.body.hits.total?.value ?? 0;
        const last = hits.at(-1)?.sort;
        return { total, alerts: hits.map(withTriage), ...(hits.length === size && last !== undefined ? { after: last } : {}) };
      } catch (error) { throw opensearchError(error, 'alert search'); }
    },
    async get(id) { return withTriage(await find(id)); },
    async transition(id, action, by, note) {
      const { _index: index } = await find(id);
      for (let attempt = 0; ; attempt += 1) {
        // A realtime GET, not a search: after a lost race the winner's write must be visible at once.
        let hit: Hit;
        try {
          const r = await client.get({ index, id });
          hit = r.body as unknown as Hit;
        } catch (error) { throw statusOf(error) === 404 ? notFound(id) : opensearchError(error, 'alert read'); }
        const triage = applyTriage(triageOf(hit._source ?? {}), action, by, new Date(now()).toISOString(), note);
        try {
          await client.update({
            index: hit._index, id: hit._id, if_seq_no: hit._seq_no!, if_primary_term: hit._primary_term!, refresh: 'wait_for',
            body: { doc: { triage } } as never,
          });
          return withTriage({ ...hit, _source: { ...hit._source, triage } });
        } catch (error) {
          // Someone else (another analyst, or the detector updating the alert) wrote first: re-read and decide again.
          if (statusOf(error) === 409 && attempt < 5) continue;
          throw opensearchError(error, 'alert triage update');
        }
      }
    },
  };
}
