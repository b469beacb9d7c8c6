import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { EnvReader, Topics, type Env, type SettingObserver } from '@auditgate/shared';
import { SEVERITIES, type Severity } from '../rules/rule.js';
import type { DetectorConfig } from './detector-config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** The rules shipped with the detector (services/detector/rules). */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));

function minSeverity(reader: EnvReader, key: string, fallback: Severity): Severity {
  return reader.oneOf(key, SEVERITIES, fallback);
}

/**
 * Reads and validates the detector's configuration from `env`; throws one error listing every bad key.
 * `observe` hears each read (the README's settings tables are generated from it).
 */
export function loadConfig(env: Env, observe?: SettingObserver): DetectorConfig {
  const r = new EnvReader(env, observe);
  const opensearchUrl = r.optional('OPENSEARCH_URL') === undefined ? undefined : r.url('OPENSEARCH_URL');
  const webhookUrl = r.optional('DETECTOR_WEBHOOK_URL') === undefined ? undefined : r.url('DETECTOR_WEBHOOK_URL');
  const webhookSecret = r.optional('DETECTOR_WEBHOOK_SECRET');
  if (webhookUrl !== undefined && (webhookSecret === undefined || webhookSecret.length < 16)) r.problem('DETECTOR_WEBHOOK_SECRET is required with DETECTOR_WEBHOOK_URL (at least 16 characters)');
  const pdKey = r.optional('DETECTOR_PAGERDUTY_ROUTING_KEY');
  const slackUrl = r.optional('DETECTOR_SLACK_WEBHOOK_URL') === undefined ? undefined : r.url('DETECTOR_SLACK_WEBHOOK_URL');
  const amUrl = r.optional('DETECTOR_ALERTMANAGER_URL') === undefined ? undefined : r.url('DETECTOR_ALERTMANAGER_URL');
  const builtin = r.bool('DETECTOR_BUILTIN_RULES', true);
  const groupId = r.str('DETECTOR_GROUP_ID', 'auditgate-detector');
  const activeForMs = r.int('DETECTOR_ALERT_ACTIVE_MS', 15 * 60_000, { min: 1000 });
  const resendIntervalMs = r.int('DETECTOR_ALERT_RESEND_MS', 60_000, { min: 100 });
  const rulesDirs = [...(builtin ? [BUILTIN_RULES_DIR] : []), ...r.list('DETECTOR_RULES_DIRS')];
  if (rulesDirs.length === 0) r.problem('no rules: DETECTOR_BUILTIN_RULES=false needs DETECTOR_RULES_DIRS');
  const config: DetectorConfig = {
    instance: r.str('DETECTOR_INSTANCE', hostname()),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    listen: { host: r.str('DETECTOR_LISTEN_HOST', '127.0.0.1'), opsPort: r.int('DETECTOR_OPS_PORT', 9466, { min: 0, max: 65535 }) },
    kafka: {
      brokers: r.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
      eventsTopic: r.str('DETECTOR_EVENTS_TOPIC', Topics.events),
      alertsTopic: r.str('DETECTOR_ALERTS_TOPIC', Topics.alerts),
      groupId,
      deliveryGroupId: r.str('DETECTOR_DELIVERY_GROUP_ID', `${groupId}-delivery`),
      alertsDlqTopic: r.str('DETECTOR_ALERTS_DLQ_TOPIC', Topics.alertsDlq),
      sessionTimeoutMs: r.int('DETECTOR_SESSION_TIMEOUT_MS', 30_000, { min: 6000, max: 300_000 }),
      lookbackMs: r.int('DETECTOR_LOOKBACK_MS', 10 * 60_000, { min: 0, max: 24 * 3_600_000 }),
    },
    opensearch: opensearchUrl === undefined ? undefined : {
      url: opensearchUrl,
      indexPrefix: r.str('DETECTOR_ALERTS_INDEX_PREFIX', 'auditgate-alerts'),
      requestTimeoutMs: r.int('DETECTOR_OPENSEARCH_TIMEOUT_MS', 10_000, { min: 100 }),
    },
    rulesDirs,
    queryUrl: r.url('DETECTOR_QUERY_URL', 'http://127.0.0.1:8080'),
    sinks: {
      ...(webhookUrl === undefined ? {} : { webhook: { url: webhookUrl, secret: webhookSecret ?? '', minSeverity: minSeverity(r, 'DETECTOR_WEBHOOK_MIN_SEVERITY', 'low') } }),
      ...(pdKey === undefined ? {} : { pagerduty: {
        url: r.url('DETECTOR_PAGERDUTY_URL', 'https://events.pagerduty.com/v2/enqueue'), routingKey: pdKey,
        minSeverity: minSeverity(r, 'DETECTOR_PAGERDUTY_MIN_SEVERITY', 'high'),
      } }),
      ...(slackUrl === undefined ? {} : { slack: { url: slackUrl, minSeverity: minSeverity(r, 'DETECTOR_SLACK_MIN_SEVERITY', 'medium') } }),
      ...(amUrl === undefined ? {} : { alertmanager: { url: amUrl, minSeverity: minSeverity(r, 'DETECTOR_ALERTMANAGER_MIN_SEVERITY', 'low') } }),
    },
    delivery: {
      timeoutMs: r.int('DETECTOR_SINK_TIMEOUT_MS', 5000, { min: 100 }),
      maxAttempts: r.int('DETECTOR_SINK_MAX_ATTEMPTS', 8, { min: 1, max: 100 }),
      initialBackoffMs: r.int('DETECTOR_SINK_BACKOFF_MS', 500, { min: 1 }),
      maxBackoffMs: r.int('DETECTOR_SINK_MAX_BACKOFF_MS', 60_000, { min: 1 }),
      maxQueue: r.int('DETECTOR_SINK_QUEUE_MAX', 10_000, { min: 1 }),
      maxDeadLetters: r.int('DETECTOR_DEAD_LETTER_MAX', 1000, { min: 1 }),
      activeForMs,
      resendIntervalMs,
      alertmanagerTtlMs: r.int('DETECTOR_ALERTMANAGER_TTL_MS', 4 * resendIntervalMs, { min: 1000 }),
      lookbackMs: r.int('DETECTOR_DELIVERY_LOOKBACK_MS', 2 * activeForMs, { min: 0 }),
      concurrency: r.int('DETECTOR_DELIVERY_CONCURRENCY', 64, { min: 1, max: 1000 }),
      maxActive: r.int('DETECTOR_MAX_ACTIVE_ALERTS', 10_000, { min: 10 }),
    },
    state: {
      maxWindowKeys: r.int('DETECTOR_MAX_WINDOW_KEYS', 100_000, { min: 10 }),
      maxSeenAuditIds: r.int('DETECTOR_MAX_SEEN_IDS', 200_000, { min: 100 }),
      maxFiredKeys: r.int('DETECTOR_MAX_FIRED_KEYS', 100_000, { min: 100 }),
    },
    shutdownTimeoutMs: r.int('DETECTOR_SHUTDOWN_TIMEOUT_MS', 20_000, { min: 0 }),
  };
  r.finish();
  return config;
}
