import type { Alert } from '../engine/alert.js';
import { outcomeText } from '../engine/alert-summary.js';
import type { AlertSink } from './alert-sink.js';
import { postJson, type FetchLike } from './post-json.js';

/** Options of {@link createSlackSink}. */
export interface SlackSinkOptions {
  readonly webhookUrl: string;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The incoming-webhook message of `alert`: rule, severity, actor, target and a link to the event. */
export function slackMessage(alert: Alert): Record<string, unknown> {
  const t = alert.target;
  const target = [t.namespace, t.resource, t.name, t.subresource].filter((p) => p !== undefined && p !== '').join('/') || t.requestURI;
  const actor = alert.onBehalfOf === undefined ? alert.actor : `${alert.actor} (on behalf of ${alert.onBehalfOf})`;
  const text = `[${alert.severity.toUpperCase()}] ${alert.rule}: ${actor} ${t.verb} ${target}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${esc(alert.title)}* (${alert.rule})` } },
      { type: 'section', fields: [
        { type: 'mrkdwn', text: `*Severity*\n${alert.severity}` }, { type: 'mrkdwn', text: `*Actor*\n${esc(actor)}` },
        { type: 'mrkdwn', text: `*Target*\n${esc(`${t.verb} ${target}`)}` }, { type: 'mrkdwn', text: `*Events*\n${alert.count}` },
        { type: 'mrkdwn', text: `*Outcome*\n${esc(outcomeText(alert))}` },
        { type: 'mrkdwn', text: `*ATT&CK*\n${alert.technique === undefined ? '—' : esc(`${alert.technique.id} ${alert.technique.name}`)}` },
      ] },
      { type: 'section', text: { type: 'mrkdwn', text: `<${alert.link}|Open the event in Auditgate>` } },
    ],
  };
}

/** A Slack incoming webhook: one message per alert. */
export function createSlackSink(options: SlackSinkOptions): AlertSink {
  return {
    name: 'slack',
    async deliver(alert) { await postJson(options.fetch, options.webhookUrl, JSON.stringify(slackMessage(alert)), {}, options.timeoutMs); },
  };
}
