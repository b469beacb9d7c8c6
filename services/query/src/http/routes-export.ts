import { Router, type RequestHandler } from 'express';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { QueryConfig } from '../config/query-config.js';
import { streamExport } from '../export/stream-export.js';
import { FILTER_PARAMETERS } from '../search/event-filters.js';
import type { EventSearch } from '../search/event-search.js';
import { parseFilters, rejectUnknown, type RawParams } from '../search/parse-filters.js';
import { factsOf } from './api-context.js';
import { enumParam, intParam } from './params.js';

/** Dependencies of the export route. */
export interface ExportRoutesDeps {
  readonly config: QueryConfig;
  readonly search: EventSearch;
  readonly now: () => number;
  readonly guard: (route: string) => RequestHandler[];
  readonly onRows?: (format: string, rows: number) => void;
}

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[:.]/g, '-');

/** `GET /export?<filters>&format=ndjson|csv&limit`: a streamed evidence export in time order. */
export function exportRoutes(d: ExportRoutesDeps): Router {
  const router = Router();
  // Each running export holds an OpenSearch point in time (a cluster-wide, limited resource) and a search stream.
  let running = 0;
  router.get('/export', ...d.guard('export'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, [...FILTER_PARAMETERS, 'format', 'limit']);
    const filters = parseFilters(params, d.now(), d.config.limits);
    const format = enumParam(params, 'format', ['ndjson', 'csv'], 'ndjson');
    const limit = intParam(params, 'limit', d.config.limits.maxExport, 1, d.config.limits.maxExport);
    factsOf(res).format = format;
    if (running >= d.config.limits.maxConcurrentExports) {
      res.setHeader('retry-after', '30');
      throw new AppError(`${running} exports are running, the most this service runs at once; try again when one ends`, { code: ErrorCodes.RATE_LIMITED, status: 429, retriable: true });
    }
    running += 1;
    let ended = false;
    const end = (): void => { if (!ended) { ended = true; running -= 1; } };
    res.once('finish', end);
    res.once('close', end);
    const abort = new AbortController();
    res.on('close', () => { if (!res.writableFinished) abort.abort(); });
    res.status(200);
    res.setHeader('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    res.setHeader('content-disposition', `attachment; filename="auditgate-events-${stamp(filters.from)}-${stamp(filters.to)}.${format}"`);
    res.setHeader('cache-control', 'no-store');
    const { written, complete } = await streamExport({ search: d.search, filters, format, limit, out: res, signal: abort.signal, onProgress: (n) => { factsOf(res).results = n; } });
    factsOf(res).results = written;
    d.onRows?.(format, written);
    if (complete) res.end();
  });
  return router;
}
