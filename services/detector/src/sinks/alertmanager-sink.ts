import type { Alert } from '../engine/alert.js';
import { outcomeText } from '../engine/alert-summary.js';
import type { AlertSink } from './alert-sink.js';
import { postJson, type FetchLike } from './post-json.js';

/** Options of {@link createAlertmanagerSink}. */
export interface AlertmanagerSinkOptions {
  /** Alertmanager base URL; alerts go to `${url}/api/v2/alerts`. */
  readonly url: string;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly now: () => number;
  /** How long Alertmanager keeps a new alert firing unless it is re-sent (a dead detector's alerts time out). */
  readonly ttlMs: number;
}

/** One Alertmanager v2 alert of `alert`, ending at `endsAt`. */
export function alertmanagerAlert(alert: Alert, endsAt: Date): Record<string, unknown> {
  const labels: Record<string, string> = { alertname: alert.rule, severity: alert.severity, actor: alert.actor, auditgate_alert_id: alert.id, source: 'auditgate' };
  if (alert.onBehalfOf !== undefined) labels['on_behalf_of'] = alert.onBehalfOf;
  if (alert.target.namespace !== undefined && alert.target.namespace !== '') labels['namespace'] = alert.target.namespace;
  if (alert.cluster !== undefined) labels['cluster'] = alert.cluster;
  if (alert.technique !== undefined) labels['technique'] = alert.technique.id;
  return {
    labels,
    annotations: {
      summary: alert.summary, title: alert.title, link: alert.link, dedup_key: alert.dedupKey, evidence: alert.evidence.join(','),
      count: String(alert.count), outcome: outcomeText(alert),
      ...(alert.technique === undefined ? {} : { technique: `${alert.technique.id} ${alert.technique.name}` }),
    },
    startsAt: alert.firstSeen, endsAt: endsAt.toISOString(), generatorURL: alert.link,
  };
}

/**
 * Alertmanager `POST /api/v2/alerts`: sent on trigger (ending after `ttlMs` unless re-sent), re-sent while active,
 * resolved with `endsAt` = now. Severity is a label, so an escalation ends the lower-severity version.
 */
export function createAlertmanagerSink(options: AlertmanagerSinkOptions): AlertSink {
  const url = `${options.url.replace(/\/+$/, '')}/api/v2/alerts`;
  const post = (alert: Alert, endsAt: Date): Promise<string> =>
    postJson(options.fetch, url, JSON.stringify([alertmanagerAlert(alert, endsAt)]), {}, options.timeoutMs);
  return {
    name: 'alertmanager',
    async deliver(alert) { await post(alert, new Date(options.now() + options.ttlMs)); },
    async refresh(alert, endsAt) { await post(alert, endsAt); },
    async resolve(alert, endedAt) { await post(alert, endedAt); },
    async supersede(previous, at) { await post(previous, at); },
  };
}
