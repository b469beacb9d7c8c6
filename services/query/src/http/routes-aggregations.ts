import { Router, type RequestHandler } from 'express';
import type { Client } from '@opensearch-project/opensearch';
import { aggregateAlerts } from '../alerts/aggregate-alerts.js';
import type { QueryConfig } from '../config/query-config.js';
import { badRequest } from '../errors/bad-request.js';
import { FILTER_PARAMETERS } from '../search/event-filters.js';
import { eventHistogram, type HistogramStack } from '../search/event-histogram.js';
import { eventTerms, TERM_FIELDS, type TermField } from '../search/event-terms.js';
import { chooseHistogramInterval, HISTOGRAM_INTERVALS, type HistogramInterval } from '../search/histogram-interval.js';
import { parseFilters, rejectUnknown, single, type RawParams } from '../search/parse-filters.js';
import { factsOf } from './api-context.js';
import { enumParam, intParam } from './params.js';
import { ALERT_FILTER_PARAMETERS, parseAlertFilters } from './routes-alerts.js';

/** Dependencies of the chart aggregation routes. */
export interface AggregationRoutesDeps {
  readonly config: QueryConfig;
  readonly client: Client;
  readonly now: () => number;
  /** Role check + audit record of a route. */
  readonly guard: (route: string) => RequestHandler[];
}

const FIELD_NAMES = Object.keys(TERM_FIELDS) as TermField[];
const MAX_BY = 3;

function termField(params: RawParams, key: string): TermField {
  const raw = single(params, key);
  if (raw === undefined) throw badRequest(key, `required: one of ${FIELD_NAMES.join(', ')}`);
  if (!(FIELD_NAMES as string[]).includes(raw)) throw badRequest(key, `must be one of ${FIELD_NAMES.join(', ')}`);
  return raw as TermField;
}

function byFields(params: RawParams, field: TermField): TermField[] {
  const raw = single(params, 'by');
  if (raw === undefined || raw === '') return [];
  const list = raw.split(',');
  if (list.length > MAX_BY) throw badRequest('by', `at most ${MAX_BY} fields`);
  for (const f of list) {
    if (!(FIELD_NAMES as string[]).includes(f)) throw badRequest('by', `"${f}" is not one of ${FIELD_NAMES.join(', ')}`);
    if (f === field) throw badRequest('by', 'a field cannot split itself');
  }
  if (new Set(list).size !== list.length) throw badRequest('by', 'a field is named twice');
  return list as TermField[];
}

/** `/aggregations/histogram`, `/aggregations/terms` (events) and `/aggregations/alerts`: the figures of the analyst UI's charts. */
export function aggregationRoutes(d: AggregationRoutesDeps): Router {
  const router = Router();
  const limits = d.config.limits;

  router.get('/aggregations/histogram', ...d.guard('aggregations.histogram'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, [...FILTER_PARAMETERS, 'interval', 'stack']);
    const filters = parseFilters(params, d.now(), limits);
    const requested = enumParam<HistogramInterval | 'auto'>(params, 'interval', ['auto', ...Object.keys(HISTOGRAM_INTERVALS) as HistogramInterval[]], 'auto');
    const interval = chooseHistogramInterval(requested, filters.from, filters.to);
    const stack = enumParam<HistogramStack>(params, 'stack', ['outcome', 'verb', 'none'], 'outcome');
    const result = await eventHistogram(d.client, d.config.indices.events, filters, interval, stack);
    factsOf(res).results = result.total;
    res.json(result);
  });

  router.get('/aggregations/terms', ...d.guard('aggregations.terms'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, [...FILTER_PARAMETERS, 'field', 'size', 'by', 'bySize']);
    const filters = parseFilters(params, d.now(), limits);
    const field = termField(params, 'field');
    const by = byFields(params, field);
    const size = intParam(params, 'size', 10, 1, 50);
    const bySize = intParam(params, 'bySize', 5, 1, 10);
    const result = await eventTerms(d.client, d.config.indices.events, filters, { field, size, by, bySize });
    factsOf(res).results = result.total;
    res.json(result);
  });

  router.get('/aggregations/alerts', ...d.guard('aggregations.alerts'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, [...ALERT_FILTER_PARAMETERS, 'top']);
    const filters = parseAlertFilters(params, d.now());
    const top = intParam(params, 'top', 10, 1, 100);
    const result = await aggregateAlerts(d.client, d.config.indices.alerts, filters, top);
    factsOf(res).results = result.total;
    res.json(result);
  });
  return router;
}
