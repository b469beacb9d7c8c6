import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { EventFilters } from '../search/event-filters.js';
import type { EventPosition, EventSearch } from '../search/event-search.js';
import { csvHeader, csvRow } from './csv-row.js';

/** Options of {@link streamExport}. */
export interface StreamExportOptions {
  readonly search: EventSearch;
  readonly filters: EventFilters;
  readonly format: 'ndjson' | 'csv';
  readonly limit: number;
  readonly out: Writable;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  readonly pageSize?: number;
  /** Told the running count after every line, so an abandoned export still reports what it sent. */
  readonly onProgress?: (written: number) => void;
}

/**
 * Writes every matching exchange in time order, one line each, page by page through a point in time, never holding more
 * than one page: waits for `drain` whenever `write` says the buffer is full, and stops (releasing the point in time)
 * as soon as `signal` aborts. Resolves with the number of lines written and whether the export ran to its end.
 */
export async function streamExport(o: StreamExportOptions): Promise<{ written: number; complete: boolean }> {
  const pageSize = o.pageSize ?? 1000;
  let written = 0;
  let position: EventPosition | undefined;
  const aborted = new Promise<void>((resolve) => { if (o.signal.aborted) resolve(); else o.signal.addEventListener('abort', () => resolve(), { once: true }); });
  try {
    if (o.format === 'csv' && !o.out.write(csvHeader())) await Promise.race([once(o.out, 'drain'), aborted]);
    while (written < o.limit && !o.signal.aborted) {
      const size = Math.min(pageSize, o.limit - written);
      const page = await o.search.page({ filters: o.filters, size, order: 'asc', snapshot: true, ...(position === undefined ? {} : { position }) });
      position = page.next;
      for (const doc of page.events) {
        if (o.signal.aborted) break;
        const line = o.format === 'csv' ? csvRow(doc) : `${JSON.stringify(doc)}\n`;
        written += 1;
        o.onProgress?.(written);
        if (!o.out.write(line)) await Promise.race([once(o.out, 'drain'), aborted]);
      }
      if (position === undefined) break;
    }
    return { written, complete: !o.signal.aborted };
  } finally {
    await o.search.release(position);
  }
}
