import type { ComplianceReport, ReportEvent } from './compliance-report.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const table = (head: string[], rows: unknown[][]): string => rows.length === 0 ? '<p class="none">None in this period.</p>'
  : `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

const eventRows = (events: ReportEvent[]): unknown[][] => events.map((e) => [
  e.time, e.actor, e.onBehalfOf ?? '', e.verb, [e.namespace, e.resource, e.name].filter((x) => x !== undefined).join('/') + (e.subresource === undefined ? '' : `/${e.subresource}`), e.status ?? '', e.auditID,
]);
const EVENT_HEAD = ['Time', 'Actor', 'On behalf of', 'Verb', 'Object', 'Status', 'Audit ID'];

/** A self-contained printable HTML page of `report`; every value is escaped. */
export function renderReportHtml(report: ComplianceReport): string {
  const r = report;
  const truncated = (s: { total: number; events: unknown[] }): string => s.total > s.events.length ? `<p class="note">Showing ${s.events.length} of ${escapeHtml(s.total)}.</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Auditgate compliance report ${escapeHtml(r.period.from)} – ${escapeHtml(r.period.to)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:2em;color:#111}h1{font-size:20px}h2{font-size:16px;margin-top:1.6em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top;word-break:break-all}
th{background:#eee}.none,.note{color:#555}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
</style></head><body>
<h1>Auditgate compliance report</h1>
<p>Period: <strong>${escapeHtml(r.period.from)}</strong> to <strong>${escapeHtml(r.period.to)}</strong>. Generated ${escapeHtml(r.generatedAt)}. Events in period: ${escapeHtml(r.totalEvents)}.</p>
<h2>Who read secrets (${escapeHtml(r.secretReads.total)})</h2>
<p class="note">Reads that were allowed and succeeded (masked ones included). Refused attempts are under Denied attempts.</p>
${table(['Actor', 'Reads', 'Secrets read (namespace/name: count)'], r.secretReads.byActor.map((a) => [a.actor, a.count, a.secrets.map((s) => `${s.key}: ${s.count}`).join(', ')]))}
<h2>Denied attempts (${escapeHtml(r.deniedAttempts.total)})</h2>
${table(['Actor', 'Denied', 'Verbs', 'Attempted'], r.deniedAttempts.byActor.map((a) => [a.actor, a.count, a.verbs.map((v) => `${v.key}: ${v.count}`).join(', '), (a.targets ?? []).map((t) => `${t.key}: ${t.count}`).join(', ')]))}
${table(['Policy rule', 'Denied'], r.deniedAttempts.byRule.map((b) => [b.key, b.count]))}
<h2>Exec, attach and port-forward sessions (${escapeHtml(r.execSessions.total)})</h2>
${truncated(r.execSessions)}${table(EVENT_HEAD, eventRows(r.execSessions.events))}
<h2>RBAC changes (${escapeHtml(r.rbacChanges.total)})</h2>
${truncated(r.rbacChanges)}${table(EVENT_HEAD, eventRows(r.rbacChanges.events))}
<h2>Coverage</h2>
${table(['Cluster', 'Events', 'Complete', 'Incomplete'], r.coverage.byCluster.map((c) => [c.cluster, c.events, c.complete, c.incomplete]))}
${table(['Final stage', 'Events'], r.coverage.byFinalStage.map((s) => [s.key, s.count]))}
</body></html>
`;
}
