import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The MCP endpoint's metrics, on the proxy's registry. */
export interface McpMetrics {
  readonly messages: Counter<'server' | 'method' | 'outcome'>;
  readonly toolCallSeconds: Histogram<'server' | 'outcome'>;
  readonly writeAhead: Histogram;
  readonly authFailures: Counter<'reason'>;
  readonly openStreams: Gauge<'server'>;
  readonly liveCalls: Gauge;
}

/** Creates and registers {@link McpMetrics}; `liveCalls` reads the call registry when scraped. */
export function createMcpMetrics(registry: Registry, liveCalls: () => number): McpMetrics {
  const registers = [registry];
  return {
    messages: new Counter({ name: 'auditgate_proxy_mcp_messages_total', help: 'JSON-RPC messages through the MCP endpoint, by server, method and outcome', labelNames: ['server', 'method', 'outcome'], registers }),
    toolCallSeconds: new Histogram({ name: 'auditgate_proxy_mcp_tool_call_seconds', help: 'Time from a tools/call received to its answer relayed', labelNames: ['server', 'outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120], registers }),
    writeAhead: new Histogram({ name: 'auditgate_proxy_mcp_write_ahead_seconds', help: 'Time for an MCP RequestReceived event to become durable', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5], registers }),
    authFailures: new Counter({ name: 'auditgate_proxy_mcp_auth_failures_total', help: 'MCP callers refused, by reason', labelNames: ['reason'], registers }),
    openStreams: new Gauge({ name: 'auditgate_proxy_mcp_open_streams', help: 'Open SSE streams relayed from MCP servers', labelNames: ['server'], registers }),
    liveCalls: new Gauge({ name: 'auditgate_proxy_mcp_live_calls', help: 'Tool calls whose delegated token is live now', registers, collect() { this.set(liveCalls()); } }),
  };
}
