/** The fixed CSV columns of an export, in order. */
export const CSV_COLUMNS = [
  'time', 'auditID', 'finalStage', 'verb', 'actor', 'onBehalfOf', 'cluster', 'namespace', 'resource', 'subresource',
  'apiGroup', 'name', 'requestURI', 'status', 'decision', 'ruleId', 'session', 'tool', 'sourceIP', 'userAgent', 'durationMs',
] as const;

const get = (doc: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined), doc);

// Leading characters that make spreadsheets read a cell as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A CSV field: a text value starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'` so spreadsheets show it as
 * text instead of running it (numbers are left alone; NDJSON stays byte-faithful), then RFC 4180 quoting when it holds
 * a comma, quote, CR or LF, doubling inner quotes.
 */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const s = typeof value === 'string' && FORMULA_START.test(text) ? `'${text}` : text;
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
