import type { BacktestReport } from './run-backtest.js';

/** What was asked, for the report's header. */
export interface BacktestScope { readonly files: readonly string[]; readonly index: string; readonly from: string; readonly to: string }

/** The backtest as text for a terminal: per rule, alert and event counts, severities, actors and sample alerts. */
export function formatBacktest(report: BacktestReport, scope: BacktestScope): string {
  const lines = [
    `Backtest of ${scope.files.join(', ')} over ${scope.index}, ${scope.from} to ${scope.to} (dry run: nothing is paged or stored)`,
    `${report.eventsScanned} stored events scanned, ${report.rules.length} rule${report.rules.length === 1 ? '' : 's'}`,
  ];
  for (const r of report.rules) {
    lines.push('', `${r.rule}  ${r.title}${r.technique === undefined ? '' : `  [${r.technique}]`}`);
    if (r.alerts === 0) { lines.push('  would fire: nothing'); continue; }
    const severities = Object.entries(r.bySeverity).map(([s, n]) => `${n} ${s}`).join(', ');
    lines.push(`  would fire: ${r.alerts} alert${r.alerts === 1 ? '' : 's'} (${severities}) over ${r.events} event${r.events === 1 ? '' : 's'}`);
    lines.push(`  actors (${r.actors.length}): ${r.actors.slice(0, 10).map((a) => `${a.actor} ×${a.alerts}`).join(', ')}${r.actors.length > 10 ? ', …' : ''}`);
    for (const s of r.samples) {
      const outcomes = Object.entries(s.outcomes).map(([o, n]) => `${n} ${o}`).join(', ');
      lines.push(`  - ${s.firstSeen} ${s.summary}`, `    outcomes: ${outcomes}; events: ${s.sampleEvents.join(' ')}${s.count > s.sampleEvents.length ? ' …' : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
