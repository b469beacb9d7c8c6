/** Typed, validated event filters: the only input from which OpenSearch queries are built. */
export interface EventFilters {
  /** Inclusive start, epoch ms. */
  readonly from: number;
  /** Inclusive end, epoch ms. */
  readonly to: number;
  readonly actor?: string[];
  readonly onBehalfOf?: string[];
  readonly verb?: string[];
  readonly resource?: string[];
  readonly namespace?: string[];
  readonly name?: string[];
  readonly apiGroup?: string[];
  readonly subresource?: string[];
  readonly decision?: string[];
  /** A code (`403`) or a class (`4xx`). */
  readonly status?: { readonly code?: number; readonly classOf?: number };
  readonly cluster?: string[];
  readonly session?: string[];
  readonly tool?: string[];
  /** MCP tool call ids (`auditgate.mcp.callId`): the Kubernetes requests each call made, verified by its delegated token. */
  readonly call?: string[];
  /** MCP servers (`auditgate.mcp.server`). */
  readonly server?: string[];
  readonly secretAccess?: boolean;
  readonly clusterWide?: boolean;
  /** Refused exchanges (a policy `deny` or an HTTP 403), or only the others. */
  readonly refused?: boolean;
  /** Plain text searched inside `requestURI`. */
  readonly q?: string;
}

/** Names of the filter query parameters (shared by search, aggregations, export, report, timeline, session). */
export const FILTER_PARAMETERS = [
  'from', 'to', 'since', 'actor', 'onBehalfOf', 'verb', 'resource', 'namespace', 'name', 'apiGroup', 'subresource',
  'decision', 'status', 'cluster', 'session', 'tool', 'call', 'server', 'secretAccess', 'clusterWide', 'refused', 'q',
] as const;
