import { Router, type RequestHandler } from 'express';
import type { Client } from '@opensearch-project/opensearch';
import { listAudit } from '../access-log/list-audit.js';
import type { QueryConfig } from '../config/query-config.js';
import { badRequest } from '../errors/bad-request.js';
import { paramsHash, type CursorCodec } from '../search/page-cursor.js';
import { parseRange, rejectUnknown, single, type RawParams } from '../search/parse-filters.js';
import { callerOf, factsOf } from './api-context.js';
import { intParam } from './params.js';

/** Dependencies of the audit and whoami routes. */
export interface AuditRoutesDeps {
  readonly config: QueryConfig;
  readonly client: Client;
  readonly cursors: CursorCodec;
  readonly now: () => number;
  readonly guard: (route: string, role?: 'analyst' | 'responder' | 'admin') => RequestHandler[];
}

/** `GET /audit` (admin) and `GET /whoami`. */
export function auditRoutes(d: AuditRoutesDeps): Router {
  const router = Router();
  router.get('/audit', ...d.guard('audit.list', 'admin'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, ['from', 'to', 'since', 'actor', 'size', 'cursor']);
    const range = parseRange(params, d.now(), d.config.limits);
    const actor = single(params, 'actor');
    if (actor !== undefined && !/^[A-Za-z0-9._:@+/#=~-]{1,253}$/.test(actor)) throw badRequest('actor', 'malformed');
    const size = intParam(params, 'size', 50, 1, d.config.limits.maxPageSize);
    const raw = single(params, 'cursor');
    const after = raw === undefined ? undefined : d.cursors.decode(raw, 'audit', paramsHash(params)).after;
    const page = await listAudit(d.client, d.config.indices.audit, { ...range, ...(actor === undefined ? {} : { actor }) }, size, after);
    factsOf(res).results = page.records.length;
    const nextCursor = page.after === undefined ? undefined : d.cursors.encode({ kind: 'audit', after: page.after, hash: paramsHash(params) });
    res.json({ total: page.total, records: page.records, ...(nextCursor === undefined ? {} : { nextCursor }) });
  });
  router.get('/whoami', ...d.guard('whoami'), (req, res) => {
    rejectUnknown(req.query as RawParams, []);
    const caller = callerOf(res);
    res.json({ username: caller.username, roles: caller.roles, issuer: caller.issuer, groups: caller.groups });
  });
  return router;
}
