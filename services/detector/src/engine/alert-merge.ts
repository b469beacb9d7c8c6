import type { Outcome } from '../rules/event-fields.js';
import { SEVERITIES } from '../rules/rule.js';
import type { Alert } from './alert.js';

/** What the engine remembers of an alert already raised, to update it instead of paging again. */
export interface FiredState {
  readonly rank: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  readonly evidence: readonly string[];
  readonly outcomes: Partial<Record<Outcome, number>>;
  readonly revision: number;
}

/** The state of a freshly raised alert. */
export function firedStateOf(alert: Alert): FiredState {
  return {
    rank: SEVERITIES.indexOf(alert.severity), firstSeen: alert.firstSeen, lastSeen: alert.lastSeen, count: alert.count,
    evidence: alert.evidence, outcomes: alert.outcomes ?? {}, revision: alert.revision ?? 1,
  };
}

/**
 * Folds one more event (`next`, built from the triggering event alone or from its window) into the alert `before`
 * describes: the count grows by one, the event joins the evidence (the latest `maxEvidence` kept), its outcome is
 * counted, and the severity never drops. An alert whose severity rose is `escalated` (paged again), else `updated`.
 */
export function mergeIntoFired(before: FiredState, next: Alert, eventAuditId: string, eventOutcome: Outcome, maxEvidence: number): Alert {
  const nextRank = SEVERITIES.indexOf(next.severity);
  const escalated = nextRank > before.rank;
  const seen = new Set(before.evidence);
  // An escalation by window count carries the window's events: take the ones not yet in the evidence.
  const added = (escalated ? next.evidence : [eventAuditId]).filter((id) => !seen.has(id));
  const outcomes = { ...before.outcomes, [eventOutcome]: (before.outcomes[eventOutcome] ?? 0) + 1 };
  return {
    ...next,
    severity: SEVERITIES[Math.max(nextRank, before.rank)]!,
    change: escalated ? 'escalated' : 'updated',
    revision: before.revision + 1,
    count: Math.max(before.count + 1, escalated ? next.count : 0),
    evidence: [...before.evidence, ...added].slice(-maxEvidence),
    outcomes,
    firstSeen: before.firstSeen < next.firstSeen ? before.firstSeen : next.firstSeen,
    lastSeen: before.lastSeen > next.lastSeen ? before.lastSeen : next.lastSeen,
  };
}
