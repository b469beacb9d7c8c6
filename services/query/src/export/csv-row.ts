/** The fixed CSV columns of an export, in order. */
export const CSV_COLUMNS = [
  'time', 'auditID', 'finalStage', 'verb', 'actor', 'onBehalfOf', 'cluster', 'namespace', 'resource', 'subresource',
  'apiGroup', 'name', 'requestURI', 'status', 'decision', 'ruleId', 'session', 'tool', 'sourceIP', 'userAgent', 'durationMs',
] as const;

const get = (doc: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined), doc);

/** Quotes a CSV field when it holds a comma, quote, CR or LF (RFC 4180), doubling inner quotes. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (with CRLF) of an exchange document, in {@link CSV_COLUMNS} order. */
export function csvRow(doc: Record<string, unknown>): string {
  const values: unknown[] = [
    doc['requestReceivedTimestamp'], doc['auditID'], doc['finalStage'], doc['verb'],
    get(doc, 'auditgate.actor.username'), get(doc, 'auditgate.onBehalfOf.username'), get(doc, 'auditgate.cluster.name'),
    get(doc, 'objectRef.namespace'), get(doc, 'objectRef.resource'), get(doc, 'objectRef.subresource'), get(doc, 'objectRef.apiGroup'),
    get(doc, 'objectRef.name'), doc['requestURI'], get(doc, 'responseStatus.code'), get(doc, 'auditgate.policy.decision'),
    get(doc, 'auditgate.policy.ruleId'), get(doc, 'auditgate.mcp.sessionId'), get(doc, 'auditgate.mcp.toolName'),
    (doc['sourceIPs'] as unknown[] | undefined)?.[0], doc['userAgent'], get(doc, 'auditgate.enrichment.durationMs'),
  ];
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The header line of a CSV export. */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}
