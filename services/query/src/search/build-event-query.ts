import type { EventFilters } from './event-filters.js';

/** The time field every event query ranges and sorts on. */
export const TIME_FIELD = 'requestReceivedTimestamp';

const FIELDS: ReadonlyArray<[keyof EventFilters, string]> = [
  ['actor', 'auditgate.actor.username'],
  ['onBehalfOf', 'auditgate.onBehalfOf.username'],
  ['verb', 'verb'],
  ['resource', 'objectRef.resource'],
  ['namespace', 'objectRef.namespace'],
  ['name', 'objectRef.name'],
  ['apiGroup', 'objectRef.apiGroup'],
  ['subresource', 'objectRef.subresource'],
  ['decision', 'auditgate.policy.decision'],
  ['cluster', 'auditgate.cluster.name'],
  ['session', 'auditgate.mcp.sessionId'],
  ['tool', 'auditgate.mcp.toolName'],
  ['call', 'auditgate.mcp.callId'],
  ['server', 'auditgate.mcp.server'],
];

/** Escapes `*`, `?` and `\` so text is matched literally by a `wildcard` query. */
export function escapeWildcard(text: string): string {
  return text.replace(/[\\*?]/g, (c) => `\\${c}`);
}

/** Builds the `bool` query of `filters` from term/terms/range/wildcard clauses only (never query-string syntax). */
export function buildEventQuery(filters: EventFilters, extra: ReadonlyArray<Record<string, unknown>> = []): Record<string, unknown> {
  const filter: Array<Record<string, unknown>> = [
    { range: { [TIME_FIELD]: { gte: new Date(filters.from).toISOString(), lte: new Date(filters.to).toISOString(), format: 'strict_date_optional_time' } } },
  ];
  for (const [key, field] of FIELDS) {
    const values = filters[key] as string[] | undefined;
    if (values === undefined) continue;
    // An empty apiGroup means the core group, which documents record by leaving the field out.
    if (key === 'apiGroup' && values.includes('')) {
      const named = values.filter((v) => v !== '');
      filter.push({ bool: { should: [{ bool: { must_not: { exists: { field } } } }, { terms: { [field]: ['', ...named] } }], minimum_should_match: 1 } });
      continue;
    }
    filter.push(values.length === 1 ? { term: { [field]: values[0] } } : { terms: { [field]: values } });
  }
  if (filters.status?.code !== undefined) filter.push({ term: { 'responseStatus.code': filters.status.code } });
  if (filters.status?.classOf !== undefined) {
    filter.push({ range: { 'responseStatus.code': { gte: filters.status.classOf * 100, lte: filters.status.classOf * 100 + 99 } } });
  }
  if (filters.secretAccess !== undefined) filter.push({ term: { 'auditgate.enrichment.secretAccess': filters.secretAccess } });
  if (filters.clusterWide !== undefined) filter.push({ term: { 'auditgate.enrichment.clusterWide': filters.clusterWide } });
  if (filters.refused === true) filter.push(DENIED_QUERY);
  if (filters.refused === false) filter.push({ bool: { must_not: DENIED_QUERY } });
  if (filters.q !== undefined) {
    filter.push({ wildcard: { 'requestURI.keyword': { value: `*${escapeWildcard(filters.q)}*`, case_insensitive: true } } });
  }
  return { bool: { filter: [...filter, ...extra] } };
}

/** Events that were refused: a policy `deny` or an HTTP 403. */
export const DENIED_QUERY: Record<string, unknown> = {
  bool: { should: [{ term: { 'auditgate.policy.decision': 'deny' } }, { term: { 'responseStatus.code': 403 } }], minimum_should_match: 1 },
};
