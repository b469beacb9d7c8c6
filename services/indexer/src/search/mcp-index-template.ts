import { eventsIndexMappings, mcpScopeMappings, type EventsLayoutOptions } from '@auditgate/shared';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const text = { type: 'text' } as const;
const date = { type: 'date', format: 'strict_date_optional_time_nanos||strict_date_optional_time||epoch_millis' } as const;

/** Mappings of `auditgate.mcp` on MCP event documents (see McpFacts in @auditgate/shared). */
const mcpFacts = {
  properties: {
    server: keyword, sessionId: keyword, protocolVersion: keyword, direction: keyword, messageKind: keyword, method: keyword,
    requestId: keyword, toolName: keyword, callId: keyword, scope: mcpScopeMappings, outcome: keyword, agent: keyword,
    error: { properties: { code: { type: 'integer' }, message: text } },
    transport: { properties: { status: { type: 'integer' }, error: text } },
    delegation: { properties: { jti: keyword, audience: keyword, expiresAt: date } },
    budget: { properties: { used: { type: 'integer' }, limit: { type: 'integer' }, ruleId: keyword } },
    client: { properties: { name: keyword, version: keyword } },
    cancels: { properties: { requestId: keyword, reason: text } },
  },
} as const;

/** Explicit mappings of an MCP event document: the exchange document's, with MCP facts under `auditgate.mcp`. */
export function mcpEventMappings(): Record<string, unknown> {
  const base = eventsIndexMappings() as { properties: { auditgate: { properties: Record<string, unknown> } } };
  base.properties.auditgate.properties['mcp'] = mcpFacts;
  return base;
}

/** The composable index template of the daily MCP indices (`<mcpIndexPrefix>-*`) with their alias. */
export function mcpIndexTemplate(o: EventsLayoutOptions & { readonly mcpIndexPrefix: string }): Record<string, unknown> {
  return {
    index_patterns: [`${o.mcpIndexPrefix}-*`],
    priority: 200,
    template: {
      settings: {
        number_of_shards: o.shards, number_of_replicas: o.replicas, refresh_interval: o.refreshInterval,
        'mapping.total_fields.limit': 2000,
        'query.default_field': ['verb', 'user.username', 'auditgate.mcp.toolName', 'auditgate.mcp.server'],
      },
      mappings: mcpEventMappings(),
      aliases: { [o.mcpIndexPrefix]: {} },
    },
    _meta: { owner: 'auditgate-indexer', layout: 1 },
  };
}
