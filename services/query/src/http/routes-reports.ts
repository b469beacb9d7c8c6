import { Router, type RequestHandler } from 'express';
import type { Client } from '@opensearch-project/opensearch';
import type { QueryConfig } from '../config/query-config.js';
import { complianceReport } from '../reports/compliance-report.js';
import { renderReportHtml } from '../reports/render-report-html.js';
import { parseFilters, rejectUnknown, type RawParams } from '../search/parse-filters.js';
import { factsOf } from './api-context.js';
import { enumParam } from './params.js';

/** Dependencies of the report route. */
export interface ReportRoutesDeps {
  readonly config: QueryConfig;
  readonly client: Client;
  readonly now: () => number;
  readonly guard: (route: string) => RequestHandler[];
}

/** `GET /reports/compliance?from&to&cluster&format=json|html` (default period: the last 30 days). */
export function reportRoutes(d: ReportRoutesDeps): Router {
  const router = Router();
  router.get('/reports/compliance', ...d.guard('reports.compliance'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, ['from', 'to', 'since', 'cluster', 'format']);
    const filters = parseFilters(params, d.now(), d.config.limits, 30 * 86_400_000);
    const format = enumParam(params, 'format', ['json', 'html'], 'json');
    factsOf(res).format = format;
    const report = await complianceReport(d.client, d.config.indices.events, filters, d.now());
    factsOf(res).results = report.totalEvents;
    if (format === 'json') { res.json(report); return; }
    res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    res.type('html').send(renderReportHtml(report));
  });
  return router;
}
