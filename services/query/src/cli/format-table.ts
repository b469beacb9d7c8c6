/** Columns of the readable event table. */
const COLUMNS: Array<[string, (e: Record<string, any>) => unknown]> = [
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
export function formatTable(events: Array<Record<string, unknown>>): string {
  const rows = events.map((e) => COLUMNS.map(([, get]) => { const s = clean(get(e as Record<string, any>)); return s.length > 60 ? `${s.slice(0, 59)}…` : s; }));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(COLUMNS.map(([h]) => h)), ...rows.map(line)].join('\n') + '\n';
}
