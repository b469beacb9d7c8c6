import type { Client } from '@opensearch-project/opensearch';
import { opensearchError } from '../search/opensearch-error.js';
import type { PageCursor } from '../search/page-cursor.js';

/** A page of the query service's own audit records, newest first. */
export async function listAudit(client: Client, prefix: string, f: { from: number; to: number; actor?: string }, size: number, after?: PageCursor['after']): Promise<{ total: number; records: unknown[]; after?: PageCursor['after'] }> {
  const filter: Array<Record<string, unknown>> = [{ range: { '@timestamp': { gte: new Date(f.from).toISOString(), lte: new Date(f.to).toISOString() } } }];
  if (f.actor !== undefined) filter.push({ term: { username: f.actor } });
  try {
    const r = await client.search({
      index: `${prefix}-*`,
      body: { size, track_total_hits: true, query: { bool: { filter } }, sort: [{ '@timestamp': 'desc' }, { id: 'asc' }], ...(after === undefined ? {} : { search_after: after }) } as never,
    });
    const hits = r.body.hits.hits as unknown as Array<{ _source: unknown; sort?: PageCursor['after'] }>;
    const total = typeof r.body.hits.total === 'number' ? r.body.hits.total : r.body.hits.total?.value ?? 0;
    const last = hits.at(-1)?.sort;
    return { total, records: hits.map((h) => h._source), ...(hits.length === size && last !== undefined ? { after: last } : {}) };
  } catch (error) { throw opensearchError(error, 'audit search'); }
}
