/** The fault table: printed as text, written as JSON (test/faults/results/latest.json, plus one file per profile). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RowResult } from './reconcile-row.js';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const COLUMNS: ReadonlyArray<[string, (r: RowResult) => string | number]> = [
  ['fault', (r) => r.fault], ['sent', (r) => r.sent], ['served by API server', (r) => r.served], ['audited (Kafka)', (r) => r.audited],
  ['indexed (OpenSearch)', (r) => r.indexed], ['alerts expected', (r) => r.alertsExpected], ['alerts paged', (r) => r.alertsPaged],
  ['lost', (r) => r.lost], ['duplicated', (r) => r.duplicated],
];

/** The rows as an aligned text table. */
export function formatTable(rows: readonly RowResult[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => String(f(r))))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** Writes the run as JSON to results/latest.json and results/<profile>.json; returns the latest path. */
export function writeResults(run: { profile: unknown; runId: string; startedAt: string; finishedAt: string; rows: readonly RowResult[] }): string {
  mkdirSync(RESULTS, { recursive: true });
  const name = (run.profile as { name: string }).name;
  const text = `${JSON.stringify(run, null, 2)}\n`;
  writeFileSync(`${RESULTS}${name}.json`, text);
  writeFileSync(`${RESULTS}latest.json`, text);
  return `${RESULTS}latest.json`;
}
