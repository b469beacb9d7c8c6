import type { Outcome } from '../rules/event-fields.js';
import type { Alert } from './alert.js';

const OUTCOME_TEXT: Record<Outcome, string> = {
  allowed: 'allowed', refused: 'refused by Auditgate policy', forbidden: 'forbidden by the API server', failed: 'failed', pending: 'in progress',
};
const ORDER: readonly Outcome[] = ['allowed', 'refused', 'forbidden', 'failed', 'pending'];

/** How the alert's events ended, in words: `refused by Auditgate policy`, or `2 allowed, 1 refused` when they differ. */
export function outcomeText(alert: Pick<Alert, 'outcome' | 'outcomes'>): string {
  const outcomes = alert.outcomes ?? {};
  const kinds = ORDER.filter((o) => (outcomes[o] ?? 0) > 0);
  if (kinds.length <= 1) return OUTCOME_TEXT[kinds[0] ?? alert.outcome ?? 'allowed'];
  return kinds.map((o) => `${outcomes[o]} ${o}`).join(', ');
}

/** The one-line summary of an alert: severity, rule, who did what to which object, how it ended, how often. */
export function alertSummary(alert: Alert): string {
  const t = alert.target;
  const where = [t.namespace, t.resource, t.name].filter((p) => p !== undefined && p !== '').join('/');
  const who = `${alert.actor}${alert.onBehalfOf === undefined ? '' : ` (on behalf of ${alert.onBehalfOf})`}`;
  const technique = alert.technique === undefined ? '' : ` [${alert.technique.id}]`;
  const count = alert.count > 1 ? `; ${alert.count} events` : '';
  return `[${alert.severity}] ${alert.title}${technique}: ${who} ${t.verb} ${where || t.requestURI} (${outcomeText(alert)}${count})`;
}
