import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kafka } from 'kafkajs';
import type { Client } from '@opensearch-project/opensearch';
import { createOpsApp, ensureTopics, type Logger, type Registry, RenewableProducer } from '@auditgate/shared';
import type { DetectorConfig } from './config/detector-config.js';
import { DeadLetterOutbox } from './delivery/dead-letter-outbox.js';
import { SinkDelivery } from './delivery/sink-delivery.js';
import type { DeadLetter } from './delivery/sink-queue.js';
import type { Alert } from './engine/alert.js';
import { coalesceUpdates } from './engine/coalesce-updates.js';
import { DetectionEngine } from './engine/detection-engine.js';
import { EventConsumer, type ConsumedEvent } from './kafka/event-consumer.js';
import { createDetectorMetrics, type DetectorMetrics } from './metrics/detector-metrics.js';
import { loadRules } from './rules/load-rules.js';
import type { CompiledRule, Severity } from './rules/rule.js';
import type { AlertSink } from './sinks/alert-sink.js';
import { createAlertmanagerSink } from './sinks/alertmanager-sink.js';
import { createOpenSearchAlertSink } from './sinks/opensearch-alert-sink.js';
import { createPagerDutySink } from './sinks/pagerduty-sink.js';
import { createHttpPost } from './sinks/http-post.js';
import type { FetchLike } from './sinks/post-json.js';
import { createSlackSink } from './sinks/slack-sink.js';
import { createWebhookSink } from './sinks/webhook-sink.js';

/** What `createApp` needs from the outside world; `main.ts` builds the real ones. */
export interface DetectorDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly kafka: Kafka;
  /** Set when alerts are indexed into OpenSearch. */
  readonly opensearch?: Client;
  /** How sinks POST; default: `createHttpPost()` (node:http(s) with keep-alive), closed at stop. */
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  /** Rules to run instead of loading `config.rulesDirs`. */
  readonly rules?: readonly CompiledRule[];
}

/** A running detector: `start()` joins the groups, `stop()` drains and closes (safe to call twice). */
export interface DetectorApp {
  start(): Promise<{ ops: number }>;
  stop(): Promise<void>;
  /** The latest undeliverable alerts (all of them are on the alerts DLQ topic). */
  deadLetters(): readonly DeadLetter[];
}

function buildSinks(config: DetectorConfig, deps: DetectorDeps, f: FetchLike, now: () => number): Array<[AlertSink, Severity]> {
  const d = config.delivery;
  const s = config.sinks;
  const sinks: Array<[AlertSink, Severity]> = [];
  if (deps.opensearch !== undefined && config.opensearch !== undefined) sinks.push([createOpenSearchAlertSink(deps.opensearch, config.opensearch.indexPrefix), 'info']);
  if (s.webhook) sinks.push([createWebhookSink({ url: s.webhook.url, secret: s.webhook.secret, fetch: f, timeoutMs: d.timeoutMs }), s.webhook.minSeverity]);
  if (s.pagerduty) sinks.push([createPagerDutySink({ url: s.pagerduty.url, routingKey: s.pagerduty.routingKey, fetch: f, timeoutMs: d.timeoutMs }), s.pagerduty.minSeverity]);
  if (s.slack) sinks.push([createSlackSink({ webhookUrl: s.slack.url, fetch: f, timeoutMs: d.timeoutMs }), s.slack.minSeverity]);
  if (s.alertmanager) sinks.push([createAlertmanagerSink({ url: s.alertmanager.url, fetch: f, timeoutMs: d.timeoutMs, now, ttlMs: d.alertmanagerTtlMs }), s.alertmanager.minSeverity]);
  return sinks;
}

function buildDeliveries(config: DetectorConfig, deps: DetectorDeps, f: FetchLike, now: () => number, metrics: DetectorMetrics, outbox: DeadLetterOutbox): SinkDelivery[] {
  const d = config.delivery;
  return buildSinks(config, deps, f, now).map(([sink, minSeverity]) => new SinkDelivery({
    kafka: deps.kafka, topic: config.kafka.alertsTopic, groupId: `${config.kafka.deliveryGroupId}.${sink.name}`, sink, minSeverity,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs, retry: { maxAttempts: d.maxAttempts, initialBackoffMs: d.initialBackoffMs, maxBackoffMs: d.maxBackoffMs },
    concurrency: d.concurrency, activeForMs: d.activeForMs, resendIntervalMs: d.resendIntervalMs, lookbackMs: d.lookbackMs,
    refreshTtlMs: d.alertmanagerTtlMs, maxActive: d.maxActive, maxQueue: d.maxQueue, now,
    logger: deps.logger.child({ component: `sink-${sink.name}` }),
    deadLetter: (letter, alert) => outbox.add(letter, alert),
    onResult: (name, kind, outcome) => metrics.deliveries.inc({ sink: name, kind, outcome }),
  }));
}

/**
 * Wires the detector from its validated config and dependencies. Detection only produces alerts to Kafka; each sink
 * reads them back through its own delivery consumer group, so a slow or dead sink never blocks detection or the others.
 */
export function createApp(config: DetectorConfig, deps: DetectorDeps): DetectorApp {
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  const metrics = createDetectorMetrics(deps.registry);
  const rules = deps.rules ?? loadRules(config.rulesDirs);
  const engine = new DetectionEngine({ rules, queryUrl: config.queryUrl, maxWindowKeys: config.state.maxWindowKeys, maxSeenAuditIds: config.state.maxSeenAuditIds, maxFiredKeys: config.state.maxFiredKeys });
  // Replaced when a broker restart leaves it refusing our sequence numbers, so alerts keep flowing.
  const producer = new RenewableProducer(() => deps.kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false }), log.child({ component: 'kafka-producer' }));
  const outbox: DeadLetterOutbox = new DeadLetterOutbox({
    producer, topic: config.kafka.alertsDlqTopic, maxKept: config.delivery.maxDeadLetters, logger: log.child({ component: 'dead-letters' }), now,
    onDeadLetter: (l) => { metrics.deadLetters.inc({ sink: l.sink }); metrics.deadLetterSize.set(outbox.list().length); },
  });
  const http = deps.fetch === undefined ? createHttpPost() : undefined;
  const deliveries = buildDeliveries(config, deps, deps.fetch ?? http!.post, now, metrics, outbox);
  // Alerts raised but not yet on the topic. The engine counts an event once (a batch consumed again after a failed
  // publish raises nothing), so alerts whose publish failed wait here and go out with the next publish.
  const unpublished: Alert[] = [];
  const publish = async (raised: Alert[]): Promise<void> => {
    unpublished.push(...raised);
    if (unpublished.length === 0) return;
    const pending = unpublished.splice(0);
    const alerts = coalesceUpdates(pending);
    try {
      await producer.send({
        topic: config.kafka.alertsTopic, acks: -1,
        messages: alerts.map((a) => ({ key: `${a.rule}|${a.actor}`, value: JSON.stringify(a), headers: { 'auditgate-dedup-key': a.dedupKey } })),
      });
    } catch (error) {
      unpublished.unshift(...pending);
      throw error;
    }
    for (const a of alerts) if (a.change !== 'updated') metrics.alerts.inc({ rule: a.rule, severity: a.severity });
  };
  const onBatch = async (events: readonly ConsumedEvent[]): Promise<void> => {
    const alerts: Alert[] = [];
    const started: number[] = [];
    for (const { event, replay } of events) {
      const raised = engine.process(event);
      metrics.events.inc({ outcome: replay ? 'replay' : 'live' });
      if (replay) continue;
      alerts.push(...raised);
      for (let i = 0; i < raised.length; i += 1) started.push(Date.parse(event.stageTimestamp));
    }
    await publish(alerts);
    const t = now();
    for (const s of started) metrics.detectLatency.observe(Math.max(0, (t - s) / 1000));
  };
  const consumer = new EventConsumer({
    kafka: deps.kafka, topic: config.kafka.eventsTopic, groupId: config.kafka.groupId, sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    lookbackMs: config.kafka.lookbackMs, now, logger: log.child({ component: 'consumer' }), onBatch,
    onUndecodable: (r) => {
      metrics.events.inc({ outcome: 'undecodable' });
      metrics.undecodable.inc({ code: r.code });
      log.warn({ ...r, topic: config.kafka.eventsTopic }, 'undecodable event skipped (the indexer sends it to the events DLQ)');
    },
  });
  let closing = false;
  let ops: Server | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let stopped: Promise<void> | undefined;
  return {
    async start() {
      await producer.connect();
      await ensureTopics(deps.kafka, [{ topic: config.kafka.alertsDlqTopic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(30 * 24 * 3_600_000) }] }])
        .catch((error: unknown) => log.warn({ topic: config.kafka.alertsDlqTopic, err: (error as Error).message }, 'alerts DLQ topic not ensured; create it'));
      for (const d of deliveries) {
        await d.options.sink.start?.().catch((error: unknown) => log.warn({ sink: d.name, err: (error as Error).message }, 'sink preparation failed; retried before its next delivery'));
      }
      sweeper = setInterval(() => {
        engine.expire(now());
        metrics.windows.set(engine.stats().windows);
        for (const d of deliveries) { metrics.queueDepth.set({ sink: d.name }, d.depth); metrics.activeAlerts.set({ sink: d.name }, d.activeCount); }
      }, 5000);
      sweeper.unref();
      ops = createServer(createOpsApp(deps.registry, {
        notReady: () => [
          ...(closing ? ['shutting down'] : []), ...(consumer.ready ? [] : ['consumer group not joined']),
          ...deliveries.filter((d) => !d.ready).map((d) => `delivery group of sink ${d.name} not joined`),
        ],
      }));
      await new Promise<void>((resolve, reject) => { ops!.once('error', reject); ops!.listen(config.listen.opsPort, config.listen.host, () => resolve()); });
      for (const d of deliveries) await d.start();
      await consumer.start();
      const port = (ops.address() as AddressInfo).port;
      log.info({ ops: port, rules: rules.length, group: config.kafka.groupId, topic: config.kafka.eventsTopic, deliveryGroup: config.kafka.deliveryGroupId, sinks: deliveries.map((d) => d.name) }, 'detector started');
      return { ops: port };
    },
    stop() {
      stopped ??= (async () => {
        closing = true;
        if (sweeper !== undefined) clearInterval(sweeper);
        const steps: Array<[string, () => Promise<void>]> = [
          ['consumer', () => consumer.stop()],
          ['deliveries', async () => { await Promise.all(deliveries.map((d) => d.stop(config.shutdownTimeoutMs))); }],
          ['sink connections', async () => { http?.close(); }],
          ['producer', () => producer.disconnect()],
          ['ops server', () => new Promise<void>((resolve) => { if (ops?.listening) ops.close(() => resolve()); else resolve(); })],
        ];
        for (const [name, step] of steps) {
          try { await step(); } catch (error) { log.error({ step: name, err: (error as Error).message }, 'shutdown step failed'); }
        }
      })();
      return stopped;
    },
    deadLetters: () => outbox.list(),
  };
}
