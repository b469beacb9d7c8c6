import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kafka, Producer } from 'kafkajs';
import type { Client } from '@opensearch-project/opensearch';
import { createOpsApp, type Logger, type Registry } from '@auditgate/shared';
import type { DetectorConfig } from './config/detector-config.js';
import type { Alert } from './engine/alert.js';
import { DetectionEngine } from './engine/detection-engine.js';
import { createDetectorMetrics } from './http/detector-metrics.js';
import { EventConsumer, type ConsumedEvent } from './kafka/event-consumer.js';
import { loadRules } from './rules/load-rules.js';
import type { CompiledRule } from './rules/rule.js';
import { AlertRouter, type SinkRoute } from './sinks/alert-router.js';
import type { AlertSink } from './sinks/alert-sink.js';
import { createAlertmanagerSink } from './sinks/alertmanager-sink.js';
import { createOpenSearchAlertSink } from './sinks/opensearch-alert-sink.js';
import { createPagerDutySink } from './sinks/pagerduty-sink.js';
import type { FetchLike } from './sinks/post-json.js';
import { SinkQueue } from './sinks/sink-queue.js';
import { createSlackSink } from './sinks/slack-sink.js';
import { createWebhookSink } from './sinks/webhook-sink.js';

/** What `createApp` needs from the outside world; `main.ts` builds the real ones. */
export interface DetectorDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly kafka: Kafka;
  /** Set when alerts are indexed into OpenSearch. */
  readonly opensearch?: Client;
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  /** Rules to run instead of loading `config.rulesDirs`. */
  readonly rules?: readonly CompiledRule[];
}

/** A running detector: `start()` joins the group, `stop()` drains and closes (safe to call twice). */
export interface DetectorApp {
  start(): Promise<{ ops: number }>;
  stop(): Promise<void>;
  /** Undeliverable alerts kept for operators. */
  deadLetters(): ReturnType<AlertRouter['deadLetters']>;
}

function buildRoutes(config: DetectorConfig, deps: DetectorDeps, now: () => number, onResult: (s: string, k: string, o: string) => void,
  router: () => AlertRouter): SinkRoute[] {
  const f = deps.fetch ?? fetch;
  const d = config.delivery;
  const s = config.sinks;
  const sinks: Array<[AlertSink, SinkRoute['minSeverity']]> = [];
  if (deps.opensearch !== undefined && config.opensearch !== undefined) sinks.push([createOpenSearchAlertSink(deps.opensearch, config.opensearch.indexPrefix), 'info']);
  if (s.webhook) sinks.push([createWebhookSink({ url: s.webhook.url, secret: s.webhook.secret, fetch: f, timeoutMs: d.timeoutMs }), s.webhook.minSeverity]);
  if (s.pagerduty) sinks.push([createPagerDutySink({ url: s.pagerduty.url, routingKey: s.pagerduty.routingKey, fetch: f, timeoutMs: d.timeoutMs }), s.pagerduty.minSeverity]);
  if (s.slack) sinks.push([createSlackSink({ webhookUrl: s.slack.url, fetch: f, timeoutMs: d.timeoutMs }), s.slack.minSeverity]);
  if (s.alertmanager) sinks.push([createAlertmanagerSink({ url: s.alertmanager.url, fetch: f, timeoutMs: d.timeoutMs, now, activeForMs: d.activeForMs }), s.alertmanager.minSeverity]);
  return sinks.map(([sink, minSeverity]) => ({
    minSeverity,
    queue: new SinkQueue({
      sink, logger: deps.logger.child({ component: `sink-${sink.name}` }), maxQueue: d.maxQueue, maxAttempts: d.maxAttempts,
      initialBackoffMs: d.initialBackoffMs, maxBackoffMs: d.maxBackoffMs, onDeadLetter: (l) => router().deadLetter(l), onResult,
    }),
  }));
}

/** Wires the detector from its validated config and dependencies. */
export function createApp(config: DetectorConfig, deps: DetectorDeps): DetectorApp {
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  const metrics = createDetectorMetrics(deps.registry);
  const rules = deps.rules ?? loadRules(config.rulesDirs);
  const engine = new DetectionEngine({ rules, queryUrl: config.queryUrl, maxWindowKeys: config.state.maxWindowKeys, maxSeenAuditIds: config.state.maxSeenAuditIds, maxFiredKeys: config.state.maxFiredKeys });
  let router: AlertRouter | undefined;
  const routes = buildRoutes(config, deps, now, (sink, kind, outcome) => metrics.deliveries.inc({ sink, kind, outcome }), () => router!);
  router = new AlertRouter({
    routes, logger: log.child({ component: 'router' }), now, activeForMs: config.delivery.activeForMs,
    resendIntervalMs: config.delivery.resendIntervalMs, maxActive: 10_000, maxDeadLetters: config.delivery.maxDeadLetters,
    onDeadLetter: (l) => { metrics.deadLetters.inc({ sink: l.sink }); metrics.deadLetterSize.set(router!.deadLetters().length); },
  });
  const producer: Producer = deps.kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  const publish = async (alerts: Alert[]): Promise<void> => {
    if (alerts.length === 0) return;
    await producer.send({
      topic: config.kafka.alertsTopic, acks: -1,
      messages: alerts.map((a) => ({ key: `${a.rule}|${a.actor}`, value: JSON.stringify(a), headers: { 'auditgate-dedup-key': a.dedupKey } })),
    });
    for (const a of alerts) {
      metrics.alerts.inc({ rule: a.rule, severity: a.severity });
      router!.route(a);
    }
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
    onUndecodable: (reason) => { metrics.events.inc({ outcome: 'undecodable' }); log.warn({ reason }, 'undecodable event skipped'); },
  });
  let closing = false;
  let ops: Server | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let stopped: Promise<void> | undefined;
  return {
    async start() {
      await producer.connect();
      router!.start();
      sweeper = setInterval(() => {
        engine.expire(now());
        metrics.windows.set(engine.stats().windows);
        for (const [sink, depth] of Object.entries(router!.depths())) metrics.queueDepth.set({ sink }, depth);
      }, 5000);
      sweeper.unref();
      ops = createServer(createOpsApp(deps.registry, {
        notReady: () => [...(closing ? ['shutting down'] : []), ...(consumer.ready ? [] : ['consumer group not joined'])],
      }));
      await new Promise<void>((resolve, reject) => { ops!.once('error', reject); ops!.listen(config.listen.opsPort, config.listen.host, () => resolve()); });
      await consumer.start();
      const port = (ops.address() as AddressInfo).port;
      log.info({ ops: port, rules: rules.length, group: config.kafka.groupId, topic: config.kafka.eventsTopic, sinks: routes.map((r) => r.queue.name) }, 'detector started');
      return { ops: port };
    },
    stop() {
      stopped ??= (async () => {
        closing = true;
        if (sweeper !== undefined) clearInterval(sweeper);
        const steps: Array<[string, () => Promise<void>]> = [
          ['consumer', () => consumer.stop()],
          ['producer', () => producer.disconnect()],
          ['sinks', () => router!.close(config.shutdownTimeoutMs)],
          ['ops server', () => new Promise<void>((resolve) => { if (ops?.listening) ops.close(() => resolve()); else resolve(); })],
        ];
        for (const [name, step] of steps) {
          try { await step(); } catch (error) { log.error({ step: name, err: (error as Error).message }, 'shutdown step failed'); }
        }
      })();
      return stopped;
    },
    deadLetters: () => router!.deadLetters(),
  };
}
