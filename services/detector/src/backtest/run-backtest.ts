import type { AuditEvent } from '@auditgate/shared';
import type { Alert } from '../engine/alert.js';
import { DetectionEngine } from '../engine/detection-engine.js';
import type { CompiledRule } from '../rules/rule.js';

/** One alert the rules would have raised, in its final state (after every escalation and update). */
export interface BacktestAlert {
  readonly id: string;
  readonly severity: string;
  readonly actor: string;
  readonly onBehalfOf?: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  readonly outcomes: Record<string, number>;
  readonly summary: string;
  /** The first events of the alert (auditIDs), to open in the query UI. */
  readonly sampleEvents: readonly string[];
}

/** What one rule would have fired over the period. */
export interface BacktestRuleResult {
  readonly rule: string;
  readonly title: string;
  readonly technique?: string;
  /** Alerts it would have raised (each pages once; escalations and updates are the same alert). */
  readonly alerts: number;
  /** Events inside those alerts. */
  readonly events: number;
  readonly bySeverity: Record<string, number>;
  /** Actors, most alerts first. */
  readonly actors: ReadonlyArray<{ readonly actor: string; readonly alerts: number; readonly events: number }>;
  /** The first alerts, oldest first. */
  readonly samples: readonly BacktestAlert[];
}

/** The result of running rules over stored events. */
export interface BacktestReport {
  readonly eventsScanned: number;
  readonly rules: readonly BacktestRuleResult[];
}

/** Options of {@link runBacktest}. */
export interface BacktestOptions {
  readonly rules: readonly CompiledRule[];
  readonly events: AsyncIterable<AuditEvent>;
  /** Alerts shown per rule. */
  readonly samples: number;
  /** Events listed per sample alert. */
  readonly sampleEvents?: number;
  readonly queryUrl?: string;
}

/**
 * Runs `rules` with the detector's own engine over `events` (event-time order) and reports what they would have fired:
 * alerts per rule, severities, actors and sample alerts with their events. Nothing is produced, stored or paged.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestReport> {
  const engine = new DetectionEngine({ rules: options.rules, queryUrl: options.queryUrl ?? 'http://query.invalid', maxEvidence: 1000 });
  const latest = new Map<string, Alert>();
  let scanned = 0;
  for await (const event of options.events) {
    scanned += 1;
    for (const alert of engine.process(event)) latest.set(alert.id, alert);
  }
  const results = options.rules.map((rule): BacktestRuleResult => {
    const alerts = [...latest.values()].filter((a) => a.rule === rule.id).sort((x, y) => x.firstSeen.localeCompare(y.firstSeen));
    const actors = new Map<string, { alerts: number; events: number }>();
    const bySeverity: Record<string, number> = {};
    for (const a of alerts) {
      const seen = actors.get(a.actor) ?? { alerts: 0, events: 0 };
      actors.set(a.actor, { alerts: seen.alerts + 1, events: seen.events + a.count });
      bySeverity[a.severity] = (bySeverity[a.severity] ?? 0) + 1;
    }
    return {
      rule: rule.id, title: rule.title, ...(rule.technique === undefined ? {} : { technique: `${rule.technique.id} ${rule.technique.name}` }),
      alerts: alerts.length, events: alerts.reduce((n, a) => n + a.count, 0), bySeverity,
      actors: [...actors].map(([actor, n]) => ({ actor, ...n })).sort((x, y) => y.alerts - x.alerts || y.events - x.events || x.actor.localeCompare(y.actor)),
      samples: alerts.slice(0, options.samples).map((a) => ({
        id: a.id, severity: a.severity, actor: a.actor, ...(a.onBehalfOf === undefined ? {} : { onBehalfOf: a.onBehalfOf }),
        firstSeen: a.firstSeen, lastSeen: a.lastSeen, count: a.count, outcomes: { ...a.outcomes }, summary: a.summary,
        sampleEvents: a.evidence.slice(0, options.sampleEvents ?? 5),
      })),
    };
  });
  return { eventsScanned: scanned, rules: results };
}
