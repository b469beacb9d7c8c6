import { Router, type Request, type Response } from 'express';
import type { Client } from '@opensearch-project/opensearch';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { QueryConfig } from '../config/query-config.js';
import { badRequest } from '../errors/bad-request.js';
import { aggregateEvents, chooseInterval } from '../search/aggregate-events.js';
import { FILTER_PARAMETERS, type EventFilters } from '../search/event-filters.js';
import type { EventPosition, EventSearch } from '../search/event-search.js';
import type { McpSearch } from '../search/mcp-search.js';
import { paramsHash, type CursorCodec } from '../search/page-cursor.js';
import { parseFilters, rejectUnknown, single, type RawParams } from '../search/parse-filters.js';
import { factsOf } from './api-context.js';
import { enumParam, intParam, pathParam } from './params.js';

/** Dependencies of the event routes. */
export interface EventRoutesDeps {
  readonly config: QueryConfig;
  readonly client: Client;
  readonly search: EventSearch;
  /** Tool calls, shown on a person's timeline; absent: the timeline has none. */
  readonly mcp?: McpSearch;
  readonly cursors: CursorCodec;
  readonly now: () => number;
  /** Role check + audit record of a route. */
  readonly guard: (route: string) => Array<(req: Request, res: Response, next: (e?: unknown) => void) => void>;
}

/** Patterns of path parameters. */
export const AUDIT_ID = /^[A-Za-z0-9-]{1,64}$/;
const USERNAME = /^[A-Za-z0-9._:@+/#=~-]{1,253}$/;
const SESSION = /^[A-Za-z0-9._:@/+=-]{1,256}$/;

/** Parses filters and the cursor of a paged listing; the cursor pins the first page's resolved range. */
export function pagedRequest(params: RawParams, forced: Partial<EventFilters>, kind: string, d: Pick<EventRoutesDeps, 'config' | 'cursors' | 'now'>): { filters: EventFilters; position?: EventPosition } {
  const filters: EventFilters = { ...parseFilters(params, d.now(), d.config.limits), ...forced };
  const raw = single(params, 'cursor');
  if (raw === undefined) return { filters };
  const c = d.cursors.decode(raw, kind, paramsHash(params));
  const range = typeof c.from === 'number' && typeof c.to === 'number' ? { from: c.from, to: c.to } : {};
  return { filters: { ...filters, ...range }, position: { ...(c.pit === undefined ? {} : { pit: c.pit }), after: c.after, seen: typeof c.seen === 'number' ? c.seen : 0 } };
}

/** Encodes the next position of a listing, or undefined at its end. */
export function nextCursor(next: EventPosition | undefined, kind: string, filters: EventFilters, params: RawParams, cursors: CursorCodec): string | undefined {
  if (next === undefined) return undefined;
  return cursors.encode({ kind, ...(next.pit === undefined ? {} : { pit: next.pit }), after: next.after, seen: next.seen, from: filters.from, to: filters.to, hash: paramsHash(params) });
}

/** `/events`, `/events/:auditID`, `/aggregations`, `/actors/:username/timeline`, `/sessions/:sessionId`. */
export function eventRoutes(d: EventRoutesDeps): Router {
  const router = Router();
  const limits = d.config.limits;

  router.get('/events', ...d.guard('events.search'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, [...FILTER_PARAMETERS, 'size', 'sort', 'cursor']);
    const size = intParam(params, 'size', 50, 1, limits.maxPageSize);
    const order = enumParam(params, 'sort', ['desc', 'asc'], 'desc');
    const { filters, position } = pagedRequest(params, {}, `events:${order}`, d);
    const page = await d.search.page({ filters, size, order, light: true, ...(position === undefined ? {} : { position }) });
    factsOf(res).results = page.events.length;
    const cursor = nextCursor(page.next, `events:${order}`, filters, params, d.cursors);
    res.json({ total: page.total, events: page.events, ...(cursor === undefined ? {} : { nextCursor: cursor }) });
  });

  router.get('/events/:auditID', ...d.guard('events.get'), async (req, res) => {
    rejectUnknown(req.query as RawParams, []);
    const id = pathParam(req.params['auditID'] as string | undefined, 'auditID', AUDIT_ID);
    const doc = await d.search.byId(id);
    if (doc === undefined) throw new AppError(`no event ${id}`, { code: ErrorCodes.NOT_FOUND, status: 404 });
    factsOf(res).results = 1;
    res.json(doc);
  });

  router.get('/aggregations', ...d.guard('events.aggregations'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, [...FILTER_PARAMETERS, 'interval', 'top']);
    const filters = parseFilters(params, d.now(), limits);
    const requested = enumParam(params, 'interval', ['auto', '1m', '1h', '1d'], 'auto');
    const interval = chooseInterval(requested, filters.to - filters.from);
    const bucketMs = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 }[interval];
    if ((filters.to - filters.from) / bucketMs > 5000) throw badRequest('interval', `${interval} makes more than 5000 buckets over this range`);
    const top = intParam(params, 'top', 10, 1, 100);
    const result = await aggregateEvents(d.client, d.config.indices.events, filters, interval, top);
    factsOf(res).results = result.total;
    res.json(result);
  });

  router.get('/actors/:username/timeline', ...d.guard('actors.timeline'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, [...FILTER_PARAMETERS.filter((p) => p !== 'actor'), 'size', 'cursor']);
    const actor = pathParam(req.params['username'] as string | undefined, 'username', USERNAME);
    const size = intParam(params, 'size', 100, 1, limits.maxPageSize);
    const { filters, position } = pagedRequest(params, { actor: [actor] }, `timeline:${actor}`, d);
    const page = await d.search.page({ filters, size, order: 'asc', light: true, ...(position === undefined ? {} : { position }) });
    factsOf(res).results = page.events.length;
    const cursor = nextCursor(page.next, `timeline:${actor}`, filters, params, d.cursors);
    // The first page also lists the person's MCP tool calls in the range (their Kubernetes requests are among the events).
    const toolCalls = position === undefined && d.mcp !== undefined ? await d.mcp.listCalls({ from: filters.from, to: filters.to, actor: [actor] }, limits.maxPageSize) : undefined;
    res.json({ actor, total: page.total, events: page.events, ...(toolCalls === undefined ? {} : { toolCalls: toolCalls.calls, toolCallsTotal: toolCalls.total }), ...(cursor === undefined ? {} : { nextCursor: cursor }) });
  });

  router.get('/sessions/:sessionId', ...d.guard('sessions.get'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, FILTER_PARAMETERS.filter((p) => p !== 'session'));
    const sessionId = pathParam(req.params['sessionId'] as string | undefined, 'sessionId', SESSION);
    // A session is usually short; look back the longest allowed range unless the caller narrows it.
    const filters: EventFilters = { ...parseFilters(params, d.now(), limits, limits.maxRangeDays * 86_400_000), session: [sessionId] };
    const page = await d.search.page({ filters, size: limits.maxSessionEvents, order: 'asc', light: true });
    await d.search.release(page.next);
    const counts = (pick: (e: Record<string, unknown>) => unknown): Array<{ key: string; count: number }> => {
      const m = new Map<string, number>();
      for (const e of page.events) { const k = pick(e); if (typeof k === 'string') m.set(k, (m.get(k) ?? 0) + 1); }
      return [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
    };
    const ag = (e: Record<string, unknown>): Record<string, Record<string, unknown> | undefined> => (e['auditgate'] ?? {}) as never;
    const actors = counts((e) => ag(e)['actor']?.['username']).map((c) => c.key);
    factsOf(res).results = page.events.length;
    res.json({
      sessionId, actors, tools: counts((e) => ag(e)['mcp']?.['toolName']),
      first: page.events[0]?.['requestReceivedTimestamp'] ?? null, last: page.events.at(-1)?.['requestReceivedTimestamp'] ?? null,
      total: page.total, truncated: page.total > page.events.length, events: page.events,
    });
  });
  return router;
}

