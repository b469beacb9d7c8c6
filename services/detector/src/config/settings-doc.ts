import type { SettingsDoc } from '@auditgate/shared';

const URL = 'http://127.0.0.1:1';

/** The detector's settings as the README's table shows them; defaults come from `load-config.ts` itself. */
export const detectorSettingsDoc: SettingsDoc = {
  probes: [
    {},
    { OPENSEARCH_URL: URL, DETECTOR_WEBHOOK_URL: URL, DETECTOR_PAGERDUTY_ROUTING_KEY: 'key', DETECTOR_SLACK_WEBHOOK_URL: URL, DETECTOR_ALERTMANAGER_URL: URL },
  ],
  rows: [
    {
      keys: ['DETECTOR_WEBHOOK_URL', 'DETECTOR_WEBHOOK_SECRET', 'DETECTOR_WEBHOOK_MIN_SEVERITY'],
      meaning: 'generic webhook, HMAC-SHA256-signed body (the secret, at least 16 characters, is required with the URL), idempotency key header',
    },
    {
      keys: ['DETECTOR_PAGERDUTY_ROUTING_KEY', 'DETECTOR_PAGERDUTY_URL', 'DETECTOR_PAGERDUTY_MIN_SEVERITY'],
      meaning: 'PagerDuty Events v2 (trigger/resolve, stable `dedup_key`); on when the routing key is set',
    },
    { keys: ['DETECTOR_SLACK_WEBHOOK_URL', 'DETECTOR_SLACK_MIN_SEVERITY'], meaning: 'Slack incoming webhook' },
    { keys: ['DETECTOR_ALERTMANAGER_URL', 'DETECTOR_ALERTMANAGER_MIN_SEVERITY'], meaning: 'Alertmanager `/api/v2/alerts`, re-sent while active, resolved with `endsAt`' },
    { keys: ['DETECTOR_RULES_DIRS', 'DETECTOR_BUILTIN_RULES'], meaning: 'extra rule folders (comma-separated); whether the shipped rules load (one of the two must give rules)' },
    { keys: ['DETECTOR_LOOKBACK_MS'], meaning: 'how far back windows are rebuilt after a restart' },
    { keys: ['DETECTOR_QUERY_URL'], meaning: 'base of the event links in alerts (the query service)' },
    { keys: ['KAFKA_BROKERS'], meaning: 'bootstrap brokers' },
    {
      keys: ['DETECTOR_EVENTS_TOPIC', 'DETECTOR_ALERTS_TOPIC', 'DETECTOR_GROUP_ID', 'DETECTOR_SESSION_TIMEOUT_MS'],
      meaning: 'where events are read and alerts produced; the detection consumer group and its session timeout',
    },
    {
      keys: ['DETECTOR_DELIVERY_GROUP_ID'],
      meaning: 'prefix of the per-sink delivery consumer groups (`<prefix>.<sink>`); the default is `<DETECTOR_GROUP_ID>-delivery`',
    },
    { keys: ['DETECTOR_ALERTS_DLQ_TOPIC'], meaning: 'alerts a sink refused for good or never accepted' },
    {
      keys: ['OPENSEARCH_URL', 'DETECTOR_ALERTS_INDEX_PREFIX', 'DETECTOR_OPENSEARCH_TIMEOUT_MS'],
      meaning: 'where alerts are indexed (`<prefix>-YYYY.MM`); unset: alerts go to Kafka and the sinks only',
    },
    {
      keys: ['DETECTOR_SINK_TIMEOUT_MS', 'DETECTOR_SINK_MAX_ATTEMPTS', 'DETECTOR_SINK_BACKOFF_MS', 'DETECTOR_SINK_MAX_BACKOFF_MS', 'DETECTOR_SINK_QUEUE_MAX', 'DETECTOR_DEAD_LETTER_MAX'],
      meaning: 'delivery to each sink: per-request timeout, attempts and backoff before dead-lettering, queue and dead-letter caps',
    },
    {
      keys: ['DETECTOR_ALERT_ACTIVE_MS', 'DETECTOR_ALERT_RESEND_MS'],
      meaning: 'how long an alert stays active at a sink after it was produced, and how often active alerts are re-sent',
    },
    { keys: ['DETECTOR_ALERTMANAGER_TTL_MS'], meaning: 'how long Alertmanager keeps an alert without a re-send; the default is 4 × `DETECTOR_ALERT_RESEND_MS`' },
    { keys: ['DETECTOR_DELIVERY_LOOKBACK_MS'], meaning: 'how far back active alerts are rebuilt after a restart; the default is 2 × `DETECTOR_ALERT_ACTIVE_MS`' },
    { keys: ['DETECTOR_DELIVERY_CONCURRENCY', 'DETECTOR_MAX_ACTIVE_ALERTS'], meaning: 'requests in flight per sink over all partitions (at least alerts per second × the sink response time); cap on tracked active alerts' },
    {
      keys: ['DETECTOR_MAX_WINDOW_KEYS', 'DETECTOR_MAX_SEEN_IDS', 'DETECTOR_MAX_FIRED_KEYS'],
      meaning: 'caps on the detection state: window keys, seen audit IDs, fired alert keys',
    },
    { keys: ['DETECTOR_INSTANCE'], meaning: 'this detector\'s name in its Kafka client id' },
    { keys: ['DETECTOR_LISTEN_HOST', 'DETECTOR_OPS_PORT'], meaning: '`/healthz`, `/readyz`, `/metrics`' },
    { keys: ['DETECTOR_SHUTDOWN_TIMEOUT_MS'], meaning: 'deadline for a clean stop after SIGTERM' },
    { keys: ['LOG_LEVEL'], meaning: 'pino level' },
  ],
};
