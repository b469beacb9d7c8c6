import type { LintFinding } from '../policy/lint-types.js';

/** The lint outcome for one file: its findings and the parser's own warnings, or why it could not be linted. */
export interface FileReport {
  readonly file: string;
  readonly findings: readonly LintFinding[];
  /** The parser's non-fatal warnings (unreachable rules, clamped audit levels); they do not affect the exit code. */
  readonly warnings: readonly string[];
  /** Set when the file could not be read or parsed (the message lists every problem). */
  readonly error?: string;
}

/** Errors and warnings across reports. */
export function countFindings(reports: readonly FileReport[]): { errors: number; warnings: number } {
  const all = reports.flatMap((report) => report.findings);
  return { errors: all.filter((f) => f.severity === 'error').length, warnings: all.filter((f) => f.severity === 'warning').length };
}

/**
 * Human text, compiler style: `FILE: severity check: message` then `  fix: hint`, the parser's warnings as
 * `FILE: note: …`, and a closing count. Why a file could not be linted goes to stderr; here it is only named.
 */
export function formatLintText(reports: readonly FileReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    if (report.error !== undefined) { lines.push(`${report.file}: not linted (see the error above)`); continue; }
    for (const finding of report.findings) {
      lines.push(`${report.file}: ${finding.severity} ${finding.check}: ${finding.message}`, `  fix: ${finding.hint}`);
    }
    for (const warning of report.warnings) lines.push(`${report.file}: note: ${warning}`);
    if (report.findings.length === 0) lines.push(`${report.file}: no findings`);
  }
  const { errors, warnings } = countFindings(reports);
  const failed = reports.filter((report) => report.error !== undefined).length;
  lines.push(`${errors} error(s), ${warnings} warning(s) in ${reports.length} file(s)${failed === 0 ? '' : `; ${failed} could not be linted`}`);
  return `${lines.join('\n')}\n`;
}

/** One JSON document: every file's report plus the totals. */
export function formatLintJson(reports: readonly FileReport[]): string {
  return `${JSON.stringify({ files: reports, ...countFindings(reports) }, null, 2)}\n`;
}
