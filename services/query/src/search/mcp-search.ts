import type { Client } from '@opensearch-project/opensearch';
import { TIME_FIELD } from './build-event-query.js';
import type { EventDoc } from './event-search.js';
import { opensearchError } from './opensearch-error.js';

/** Filters of a tool-call listing. */
export interface ToolCallFilters {
  readonly from: number;
  readonly to: number;
  /** The callers (people) behind the calls. */
  readonly actor?: string[];
  readonly server?: string[];
  readonly tool?: string[];
  readonly session?: string[];
  readonly outcome?: string[];
}

/** A tool call's document with how many Kubernetes requests it made. */
export type ToolCallDoc = EventDoc & { readonly kubernetesRequests: number };

/** Reads tool calls from the MCP index and joins them with the Kubernetes requests they made (by verified call id). */
export interface McpSearch {
  /** Tool calls received in the range (newest first), each with its count of Kubernetes requests. */
  listCalls(filters: ToolCallFilters, size: number): Promise<{ total: number; calls: ToolCallDoc[] }>;
  /** The `tools/call` document of `callId`, or undefined. */
  call(callId: string): Promise<EventDoc | undefined>;
  /** The Kubernetes requests `callId` made (oldest first, without bodies), at most `size`. */
  kubernetesOf(callId: string, size: number): Promise<{ total: number; events: EventDoc[] }>;
}

interface Hits { total?: { value: number } | number; hits: Array<{ _source?: EventDoc }> }
const totalOf = (h: Hits): number => (typeof h.total === 'number' ? h.total : h.total?.value ?? 0);
const terms = (field: string, values: string[] | undefined): Array<Record<string, unknown>> => (values === undefined ? [] : [{ terms: { [field]: values } }]);

/** An {@link McpSearch} over `<mcpPrefix>-*` (tool calls) and `<eventsPrefix>-*` (their Kubernetes requests). */
export function createMcpSearch(client: Client, mcpPrefix: string, eventsPrefix: string): McpSearch {
  const mcp = `${mcpPrefix}-*`;
  const events = `${eventsPrefix}-*`;
  async function countsOf(callIds: string[]): Promise<Map<string, number>> {
    if (callIds.length === 0) return new Map();
    const r = await client.search({
      index: events, ignore_unavailable: true, allow_no_indices: true,
      body: { size: 0, query: { terms: { 'auditgate.mcp.callId': callIds } }, aggs: { calls: { terms: { field: 'auditgate.mcp.callId', size: callIds.length } } } } as never,
    });
    const buckets = ((r.body.aggregations as { calls?: { buckets?: Array<{ key: string; doc_count: number }> } } | undefined)?.calls?.buckets) ?? [];
    return new Map(buckets.map((b) => [b.key, b.doc_count]));
  }
  return {
    async listCalls(f, size) {
      try {
        const r = await client.search({
          index: mcp, ignore_unavailable: true, allow_no_indices: true,
          body: {
            size, track_total_hits: true, sort: [{ [TIME_FIELD]: { order: 'desc' } }, { auditID: { order: 'desc' } }],
            _source: { excludes: ['responseObject', 'stages'] },
            query: { bool: { filter: [
              { term: { verb: 'tools/call' } },
              { range: { [TIME_FIELD]: { gte: new Date(f.from).toISOString(), lte: new Date(f.to).toISOString(), format: 'strict_date_optional_time' } } },
              ...terms('auditgate.actor.username', f.actor), ...terms('auditgate.mcp.server', f.server), ...terms('auditgate.mcp.toolName', f.tool),
              ...terms('auditgate.mcp.sessionId', f.session), ...terms('auditgate.mcp.outcome', f.outcome),
            ] } },
          } as never,
        });
        const hits = r.body.hits as unknown as Hits;
        const docs = hits.hits.map((h) => h._source ?? {});
        const ids = docs.map((d) => ((d['auditgate'] as { mcp?: { callId?: string } } | undefined)?.mcp?.callId)).filter((id): id is string => typeof id === 'string');
        const counts = await countsOf(ids);
        return {
          total: totalOf(hits),
          calls: docs.map((d) => ({ ...d, kubernetesRequests: counts.get((d['auditgate'] as { mcp?: { callId?: string } } | undefined)?.mcp?.callId ?? '') ?? 0 })),
        };
      } catch (error) { throw opensearchError(error, 'tool call search'); }
    },
    async call(callId) {
      try {
        const r = await client.search({
          index: mcp, ignore_unavailable: true, allow_no_indices: true,
          body: { size: 1, query: { bool: { filter: [{ term: { 'auditgate.mcp.callId': callId } }, { term: { verb: 'tools/call' } }] } } } as never,
        });
        return (r.body.hits as unknown as Hits).hits[0]?._source;
      } catch (error) { throw opensearchError(error, 'tool call lookup'); }
    },
    async kubernetesOf(callId, size) {
      try {
        const r = await client.search({
          index: events, ignore_unavailable: true, allow_no_indices: true,
          body: {
            size, track_total_hits: true, query: { term: { 'auditgate.mcp.callId': callId } },
            sort: [{ [TIME_FIELD]: { order: 'asc' } }, { auditID: { order: 'asc' } }],
            _source: { excludes: ['requestObject', 'responseObject', 'stages'] },
          } as never,
        });
        const hits = r.body.hits as unknown as Hits;
        return { total: totalOf(hits), events: hits.hits.map((h) => h._source ?? {}) };
      } catch (error) { throw opensearchError(error, 'tool call requests'); }
    },
  };
}
