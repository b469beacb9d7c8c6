import { Router, json, type RequestHandler } from 'express';
import type { AlertFilters, AlertStore } from '../alerts/alert-store.js';
import type { QueryConfig } from '../config/query-config.js';
import { badRequest } from '../errors/bad-request.js';
import { paramsHash, type CursorCodec } from '../search/page-cursor.js';
import { parseInstant } from '../search/parse-time.js';
import { rejectUnknown, single, type RawParams } from '../search/parse-filters.js';
import { callerOf, factsOf } from './api-context.js';
import { enumParam, intParam, pathParam } from './params.js';

/** Dependencies of the alert routes. */
export interface AlertRoutesDeps {
  readonly config: QueryConfig;
  readonly alerts: AlertStore;
  readonly cursors: CursorCodec;
  readonly now: () => number;
  readonly guard: (route: string, role?: 'analyst' | 'responder' | 'admin') => RequestHandler[];
}

const ALERT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const VALUES = /^[A-Za-z0-9._:@+/#=~-]{1,253}$/;

function listParam(params: RawParams, key: string): string[] | undefined {
  const raw = single(params, key);
  if (raw === undefined) return undefined;
  const values = raw.split(',');
  if (values.length > 20 || values.some((v) => !VALUES.test(v))) throw badRequest(key, 'malformed value');
  return values;
}

/** The alert filter parameters (shared by the alert list and the alert aggregation). */
export const ALERT_FILTER_PARAMETERS = ['status', 'severity', 'rule', 'actor', 'from', 'to'] as const;

/** Parses and validates the alert filters of `params`; every problem is a 400 naming its parameter. */
export function parseAlertFilters(params: RawParams, now: number): AlertFilters {
  const status = single(params, 'status') === undefined ? undefined : enumParam(params, 'status', ['open', 'acknowledged', 'resolved'], 'open');
  const rawFrom = single(params, 'from');
  const rawTo = single(params, 'to');
  const from = rawFrom === undefined ? undefined : parseInstant('from', rawFrom, now);
  const to = rawTo === undefined ? undefined : parseInstant('to', rawTo, now);
  if (from !== undefined && to !== undefined && from > to) throw badRequest('from', 'the range is reversed (from after to)');
  return {
    ...(status === undefined ? {} : { status }), ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }),
    ...Object.fromEntries((['severity', 'rule', 'actor'] as const).flatMap((k) => { const v = listParam(params, k); return v === undefined ? [] : [[k, v]]; })),
  };
}

/** `GET /alerts`, `GET /alerts/:id`, `POST /alerts/:id/acknowledge|resolve`. */
export function alertRoutes(d: AlertRoutesDeps): Router {
  const router = Router();
  router.get('/alerts', ...d.guard('alerts.list'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, [...ALERT_FILTER_PARAMETERS, 'size', 'cursor']);
    const filters = parseAlertFilters(params, d.now());
    const size = intParam(params, 'size', 50, 1, d.config.limits.maxPageSize);
    const raw = single(params, 'cursor');
    const after = raw === undefined ? undefined : d.cursors.decode(raw, 'alerts', paramsHash(params)).after;
    const page = await d.alerts.list(filters, size, after);
    factsOf(res).results = page.alerts.length;
    const nextCursor = page.after === undefined ? undefined : d.cursors.encode({ kind: 'alerts', after: page.after, hash: paramsHash(params) });
    res.json({ total: page.total, alerts: page.alerts, ...(nextCursor === undefined ? {} : { nextCursor }) });
  });

  router.get('/alerts/:id', ...d.guard('alerts.get'), async (req, res) => {
    rejectUnknown(req.query as RawParams, []);
    const alert = await d.alerts.get(pathParam(req.params['id'] as string | undefined, 'id', ALERT_ID));
    factsOf(res).results = 1;
    res.json(alert);
  });

  for (const action of ['acknowledge', 'resolve'] as const) {
    // Audited and role-checked before the body is read: a malformed or oversized body is a recorded 400/413 of a responder.
    router.post(`/alerts/:id/${action}`, ...d.guard(`alerts.${action}`, 'responder'), json({ limit: '16kb' }), async (req, res) => {
      rejectUnknown(req.query as RawParams, []);
      const id = pathParam(req.params['id'] as string | undefined, 'id', ALERT_ID);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('body', 'must be a JSON object');
      for (const key of Object.keys(body)) if (key !== 'note') throw badRequest(key, 'unknown field');
      const note = body['note'];
      if (note !== undefined && (typeof note !== 'string' || note.length > 2000)) throw badRequest('note', 'must be a string of at most 2000 characters');
      const alert = await d.alerts.transition(id, action, callerOf(res).username, note);
      factsOf(res).results = 1;
      res.json(alert);
    });
  }
  return router;
}
