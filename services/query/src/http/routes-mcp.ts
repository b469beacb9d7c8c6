import { Router, type Request, type Response } from 'express';
import { AppError, ErrorCodes, MCP_OUTCOMES } from '@auditgate/shared';
import type { QueryConfig } from '../config/query-config.js';
import { badRequest } from '../errors/bad-request.js';
import type { McpSearch, ToolCallFilters } from '../search/mcp-search.js';
import { parseFilters, rejectUnknown, single, type RawParams } from '../search/parse-filters.js';
import { factsOf } from './api-context.js';
import { intParam, pathParam } from './params.js';

/** Dependencies of the MCP routes. */
export interface McpRoutesDeps {
  readonly config: QueryConfig;
  readonly mcp: McpSearch;
  readonly now: () => number;
  readonly guard: (route: string) => Array<(req: Request, res: Response, next: (e?: unknown) => void) => void>;
}

const CALL_ID = /^[A-Za-z0-9-]{8,64}$/;
const USERNAME = /^[A-Za-z0-9._:@+/#=~-]{1,253}$/;
const LIST_PARAMS = ['from', 'to', 'since', 'actor', 'server', 'tool', 'session', 'outcome', 'size'];

/** The tool-call filters of `params` (range, caller, server, tool, session, outcome), validated. */
export function toolCallFilters(params: RawParams, d: Pick<McpRoutesDeps, 'config' | 'now'>): ToolCallFilters {
  const base = parseFilters(Object.fromEntries(Object.entries(params).filter(([k]) => ['from', 'to', 'since', 'actor', 'server', 'tool', 'session'].includes(k))), d.now(), d.config.limits);
  const outcome = single(params, 'outcome')?.split(',');
  for (const o of outcome ?? []) if (!(MCP_OUTCOMES as readonly string[]).includes(o)) throw badRequest('outcome', `must be one of ${MCP_OUTCOMES.join(', ')}`);
  return {
    from: base.from, to: base.to,
    ...(base.actor === undefined ? {} : { actor: base.actor }), ...(base.server === undefined ? {} : { server: base.server }),
    ...(base.tool === undefined ? {} : { tool: base.tool }), ...(base.session === undefined ? {} : { session: base.session }),
    ...(outcome === undefined ? {} : { outcome }),
  };
}

/**
 * `/mcp/calls` (tool calls with their counts of Kubernetes requests), `/mcp/calls/:callId` (one tool call with every
 * Kubernetes request it made, joined by the call id its delegated token carried), `/actors/:username/tool-calls`.
 */
export function mcpRoutes(d: McpRoutesDeps): Router {
  const router = Router();
  const limits = d.config.limits;
  router.get('/mcp/calls', ...d.guard('mcp.calls'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, LIST_PARAMS);
    const result = await d.mcp.listCalls(toolCallFilters(params, d), intParam(params, 'size', 50, 1, limits.maxPageSize));
    factsOf(res).results = result.calls.length;
    res.json(result);
  });
  router.get('/actors/:username/tool-calls', ...d.guard('actors.tool-calls'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, LIST_PARAMS.filter((p) => p !== 'actor'));
    const actor = pathParam(req.params['username'] as string | undefined, 'username', USERNAME);
    const result = await d.mcp.listCalls({ ...toolCallFilters(params, d), actor: [actor] }, intParam(params, 'size', 100, 1, limits.maxPageSize));
    factsOf(res).results = result.calls.length;
    res.json({ actor, ...result });
  });
  router.get('/mcp/calls/:callId', ...d.guard('mcp.call'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, ['size']);
    const callId = pathParam(req.params['callId'] as string | undefined, 'callId', CALL_ID);
    const [call, kubernetes] = await Promise.all([d.mcp.call(callId), d.mcp.kubernetesOf(callId, intParam(params, 'size', 500, 1, limits.maxSessionEvents))]);
    if (call === undefined && kubernetes.total === 0) throw new AppError(`no tool call ${callId}`, { code: ErrorCodes.NOT_FOUND, status: 404 });
    factsOf(res).results = kubernetes.events.length + (call === undefined ? 0 : 1);
    res.json({ callId, call: call ?? null, kubernetes: { total: kubernetes.total, truncated: kubernetes.total > kubernetes.events.length, events: kubernetes.events } });
  });
  return router;
}
