type Columns = Array<[string, (e: Record<string, any>) => unknown]>;

/** Columns of the readable tool-call table. */
export const CALL_COLUMNS: Columns = [
  ['TIME', (e) => e['requestReceivedTimestamp']],
  ['PERSON', (e) => e['auditgate']?.['actor']?.['username']],
  ['AGENT', (e) => e['auditgate']?.['mcp']?.['agent']],
  ['SERVER', (e) => e['auditgate']?.['mcp']?.['server']],
  ['TOOL', (e) => e['auditgate']?.['mcp']?.['toolName']],
  ['SCOPE', (e) => { const s = e['auditgate']?.['mcp']?.['scope'] ?? {}; return [s.namespace, s.resource, s.name].filter((x) => x !== undefined && x !== '').join('/'); }],
  ['OUTCOME', (e) => e['auditgate']?.['mcp']?.['outcome'] ?? 'pending'],
  ['K8S REQUESTS', (e) => e['kubernetesRequests'] ?? '-'],
  ['CALL ID', (e) => e['auditgate']?.['mcp']?.['callId']],
];

/** Columns of the readable event table. */
const COLUMNS: Columns = [
  ['TIME', (e) => e['requestReceivedTimestamp']],
  ['ACTOR', (e) => e['auditgate']?.['actor']?.['username']],
  ['ON BEHALF OF', (e) => e['auditgate']?.['onBehalfOf']?.['username']],
  ['VERB', (e) => e['verb']],
  ['OBJECT', (e) => { const r = e['objectRef'] ?? {}; return [r.namespace, r.resource, r.name].filter((x) => x !== undefined && x !== '').join('/') + (r.subresource ? `/${r.subresource}` : ''); }],
  ['STATUS', (e) => e['responseStatus']?.['code'] ?? '-'],
  ['DECISION', (e) => e['auditgate']?.['policy']?.['decision']],
  ['AUDIT ID', (e) => e['auditID']],
];

// Terminal control characters in recorded values must not reach the analyst's terminal.
const clean = (v: unknown): string => String(v ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/** A plain-text table of events, columns padded to their widest cell (cells cut at 60 characters). */
export function formatTable(events: Array<Record<string, unknown>>, columns: Columns = COLUMNS): string {
  const rows = events.map((e) => columns.map(([, get]) => { const s = clean(get(e as Record<string, any>)); return s.length > 60 ? `${s.slice(0, 59)}…` : s; }));
  const widths = columns.map(([h], i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map(([h]) => h)), ...rows.map(line)].join('\n') + '\n';
}
