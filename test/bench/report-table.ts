/** The benchmark's verdict rows and their plain-text table. */

/** PASS/MISS for a target, `info` for a reference number without a target. */
export type Verdict = 'PASS' | 'MISS' | 'info';

/** One row of the report. */
export interface ReportRow {
  readonly metric: string;
  readonly measured: string;
  readonly target: string;
  readonly verdict: Verdict;
  readonly note?: string;
}

/** A row judged by `ok`; a NaN measurement is a MISS. */
export function judged(metric: string, measured: string, target: string, ok: boolean, note?: string): ReportRow {
  return { metric, measured, target, verdict: ok ? 'PASS' : 'MISS', ...(note === undefined ? {} : { note }) };
}

/** A reference row without a target. */
export function info(metric: string, measured: string, note?: string): ReportRow {
  return { metric, measured, target: '-', verdict: 'info', ...(note === undefined ? {} : { note }) };
}

/** Renders `rows` (with a header) as aligned columns. */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Renders the verdict rows. */
export function renderReport(rows: readonly ReportRow[]): string {
  return renderTable(['metric', 'measured', 'target', 'result', 'note'], rows.map((r) => [r.metric, r.measured, r.target, r.verdict, r.note ?? '']));
}
