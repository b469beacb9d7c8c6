import type { Alert } from '../engine/alert.js';
import type { Severity } from '../rules/rule.js';
import type { AlertSink } from './alert-sink.js';
import { postJson, type FetchLike } from './post-json.js';

/** Options of {@link createPagerDutySink}. */
export interface PagerDutySinkOptions {
  /** Events API v2 endpoint, `https://events.pagerduty.com/v2/enqueue` in production. */
  readonly url: string;
  readonly routingKey: string;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
}

const SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = { critical: 'critical', high: 'error', medium: 'warning', low: 'info', info: 'info' };

/** The Events API v2 trigger body of `alert`. */
export function pagerDutyTrigger(alert: Alert, routingKey: string): Record<string, unknown> {
  return {
    routing_key: routingKey, event_action: 'trigger', dedup_key: alert.dedupKey,
    payload: {
      summary: alert.summary.slice(0, 1024), source: alert.cluster ?? 'auditgate', severity: SEVERITY[alert.severity],
      timestamp: alert.lastSeen, component: alert.target.resource ?? 'kube-apiserver', group: alert.target.namespace ?? '', class: alert.rule,
      custom_details: { alertId: alert.id, rule: alert.rule, technique: alert.technique, outcome: alert.outcome, outcomes: alert.outcomes,
        actor: alert.actor, onBehalfOf: alert.onBehalfOf, target: alert.target,
        evidence: alert.evidence, firstSeen: alert.firstSeen, lastSeen: alert.lastSeen, count: alert.count, details: alert.details },
    },
    links: [{ href: alert.link, text: 'Event in Auditgate' }],
    client: 'Auditgate detector',
  };
}

/** PagerDuty Events API v2: trigger with a stable `dedup_key`, resolve with the same key. 400 is not retried. */
export function createPagerDutySink(options: PagerDutySinkOptions): AlertSink {
  return {
    name: 'pagerduty',
    async deliver(alert) {
      await postJson(options.fetch, options.url, JSON.stringify(pagerDutyTrigger(alert, options.routingKey)), {}, options.timeoutMs);
    },
    async resolve(alert) {
      const body = { routing_key: options.routingKey, event_action: 'resolve', dedup_key: alert.dedupKey };
      await postJson(options.fetch, options.url, JSON.stringify(body), {}, options.timeoutMs);
    },
  };
}
