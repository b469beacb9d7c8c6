/** Findings of the oracles, and how they are reported: grouped by oracle and by what went wrong. */

/** The oracle a finding belongs to. */
export type OracleName =
  | 'a:crash' | 'b:unmatched' | 'c:leak' | 'audited' | 'status-body' | 'innocent' | 'contract';

/** One thing that went wrong, on one case. */
export interface Finding {
  readonly oracle: OracleName;
  readonly caseId: string;
  /** What happened, without per-request noise (ids, names), so equal causes group together. */
  readonly what: string;
  /** Per-request specifics (audit id, status, excerpt). */
  readonly detail?: string;
}

/** Findings grouped: oracle → what → case ids (with one example detail). */
export function formatFindings(findings: readonly Finding[], perGroup = 8): string {
  const byOracle = new Map<string, Map<string, Finding[]>>();
  for (const f of findings) {
    const groups = byOracle.get(f.oracle) ?? new Map<string, Finding[]>();
    byOracle.set(f.oracle, groups);
    groups.set(f.what, [...(groups.get(f.what) ?? []), f]);
  }
  const lines: string[] = [];
  for (const [oracle, groups] of [...byOracle].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`[${oracle}] ${[...groups.values()].reduce((n, g) => n + g.length, 0)} finding(s)`);
    for (const [what, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      const ids = [...new Set(list.map((f) => f.caseId))];
      lines.push(`  - ${what} (${list.length}x): ${ids.slice(0, perGroup).join(', ')}${ids.length > perGroup ? ` … +${ids.length - perGroup}` : ''}`);
      const example = list.find((f) => f.detail !== undefined)?.detail;
      if (example !== undefined) lines.push(`      e.g. ${example.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
  }
  return lines.join('\n');
}
