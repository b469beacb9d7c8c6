import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { keepConsuming, type Logger } from '@auditgate/shared';
import type { Alert } from '../engine/alert.js';
import { lookbackOffset } from '../kafka/lookback-offset.js';
import { BoundedMap } from '../engine/bounded-map.js';
import { severityRank, type Severity } from '../rules/rule.js';
import type { AlertSink } from '../sinks/alert-sink.js';
import { SinkQueue, type DeadLetter, type SinkJob } from './sink-queue.js';
import { ActiveAlerts } from './active-alerts.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { retryDelivery, type RetryPolicy } from './retry-delivery.js';

/** Options of {@link SinkDelivery}. */
export interface SinkDeliveryOptions {
  readonly kafka: Kafka;
  /** The alerts topic. */
  readonly topic: string;
  /** This sink's own consumer group: a dead sink lags only itself. */
  readonly groupId: string;
  readonly sink: AlertSink;
  readonly minSeverity: Severity;
  readonly sessionTimeoutMs: number;
  readonly retry: RetryPolicy;
  /** Alerts delivered at once to this sink, over all partitions (different Kafka keys; one key's alerts stay in order). */
  readonly concurrency: number;
  readonly activeForMs: number;
  readonly resendIntervalMs: number;
  /** How far back (record time) the active alerts are rebuilt after a start or rebalance. */
  readonly lookbackMs: number;
  /** How long a re-send keeps an alert firing at the sink (Alertmanager): a dead detector's alerts time out. */
  readonly refreshTtlMs: number;
  readonly maxActive: number;
  readonly maxQueue: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** Durably keeps an undeliverable alert (the DLQ topic); the offset is committed only after it resolved. */
  readonly deadLetter: (letter: DeadLetter, alert: Alert) => Promise<void>;
  readonly onResult?: (sink: string, kind: SinkJob['kind'], outcome: 'ok' | 'retry' | 'dead') => void;
}

/**
 * Partitions whose batches are delivered at once. The sink-wide concurrency limit bounds the requests; this only lets
 * every partition's keys compete for it, instead of a partition waiting while another's few keys use a fraction.
 */
const PARTITIONS_AT_ONCE = 16;

function decodeAlert(message: KafkaMessage): Alert | undefined {
  try {
    const a = JSON.parse(message.value?.toString('utf8') ?? '') as Partial<Alert>;
    return typeof a.id === 'string' && typeof a.dedupKey === 'string' && typeof a.severity === 'string' ? (a as Alert) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Durable delivery of the alerts topic to one sink: a consumer group of its own that commits an offset only after the
 * sink accepted every alert below it or the alert was dead-lettered (bounded retries with backoff, 4xx not retried). A
 * crash before that redelivers; sinks are idempotent on the alert's delivery key. Keeps the sink's active alerts
 * (rebuilt from the topic after a restart) and re-sends / resolves them on a timer.
 */
export class SinkDelivery {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly fences = new Map<number, number>();
  private readonly active: ActiveAlerts;
  private readonly lifecycle: SinkQueue;
  private readonly tracks: boolean;
  private readonly sleepers = new Set<() => void>();
  /** The sink's requests in flight, over every partition being delivered. */
  private readonly limit: ConcurrencyLimit;
  /**
   * Alert versions this sink accepted from this process. A batch is committed after all of it was delivered; when the
   * commit fails (a rebalance, a broker going away) the group reads the batch again, and what was accepted is not
   * delivered a second time. Kept across re-joins, bounded.
   */
  private readonly accepted = new BoundedMap<string, true>(50_000);
  /** Partitions seeking back to their look-back offset, with that offset. */
  private readonly seeks = new Map<number, number>();
  private rebuilding: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private joined = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  constructor(readonly options: SinkDeliveryOptions) {
    const { sink } = options;
    this.tracks = typeof sink.refresh === 'function' || typeof sink.resolve === 'function';
    this.active = new ActiveAlerts(options.maxActive, options.activeForMs);
    this.limit = new ConcurrencyLimit(options.concurrency);
    this.lifecycle = new SinkQueue({
      sink, logger: options.logger, maxQueue: options.maxQueue, ...options.retry,
      onDeadLetter: (letter, alert) => { options.deadLetter(letter, alert).catch((e: unknown) => options.logger.error({ err: (e as Error).message }, 'dead letter not kept')); },
      ...(options.onResult === undefined ? {} : { onResult: options.onResult }),
    });
    this.consumer = options.kafka.consumer({
      groupId: options.groupId, sessionTimeout: options.sessionTimeoutMs, heartbeatInterval: Math.floor(options.sessionTimeoutMs / 3),
      maxWaitTimeInMs: 100, allowAutoTopicCreation: false,
    });
    this.admin = options.kafka.admin();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.fences.clear();
      this.seeks.clear();
      this.active.clear();
      this.joined = true;
      this.rebuilding = this.planRebuild(e.payload.memberAssignment[options.topic] ?? []);
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => { this.joined = false; options.logger.error({ err: e.payload.error.message }, 'delivery consumer crashed'); });
  }

  get name(): string { return this.options.sink.name; }
  /** True once the group was joined. */
  get ready(): boolean { return this.joined; }
  /** Lifecycle jobs waiting. */
  get depth(): number { return this.lifecycle.depth; }
  /** Alerts currently active at the sink. */
  get activeCount(): number { return this.active.size; }

  /** Connects, starts consuming and the re-send timer. */
  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await keepConsuming(this.consumer, {
      autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const { partition } = batch;
        const first = batch.messages[0];
        if (first === undefined) return;
        await this.rebuilding;
        const target = this.seeks.get(partition);
        if (target !== undefined) {
          // A batch fetched before the look-back seek took effect: ask again and skip it.
          if (Number(first.offset) > target) { this.consumer.seek({ topic: this.options.topic, partition, offset: String(target) }); return; }
          this.seeks.delete(partition);
        }
        if (!this.fences.has(partition)) this.fences.set(partition, Number(first.offset));
        const fence = this.fences.get(partition)!;
        const live: Array<{ key: string; alert: Alert; at: number }> = [];
        for (const message of batch.messages) {
          const alert = decodeAlert(message);
          if (alert === undefined) {
            this.options.logger.error({ partition, offset: message.offset }, 'not an alert on the alerts topic; skipped');
            continue;
          }
          if (severityRank(alert.severity) < severityRank(this.options.minSeverity)) continue;
          const at = Number(message.timestamp);
          if (Number(message.offset) < fence) { if (this.tracks) this.active.track(alert, at); continue; }
          // An update of an alert already paged: a pager gets it only through its re-sends of the active alert.
          if (alert.change === 'updated' && this.options.sink.acceptsUpdates !== true) {
            if (this.tracks && this.active.get(alert.id) !== undefined) this.active.track(alert, at);
            continue;
          }
          live.push({ key: message.key?.toString('utf8') ?? '', alert, at });
        }
        const done = await this.deliverAll(live, heartbeat);
        if (!done || !isRunning() || isStale()) return;
        const last = batch.messages[batch.messages.length - 1]!;
        resolveOffset(last.offset);
        const next = Number(last.offset) + 1;
        if (next > fence) await this.consumer.commitOffsets([{ topic: this.options.topic, partition, offset: String(next) }]);
        await heartbeat();
      },
    }, { logger: this.options.logger, stopping: () => this.stopping });
    this.timer = setInterval(() => this.tick(), this.options.resendIntervalMs);
    this.timer.unref();
  }

  /**
   * After a join, for each assigned partition: the committed offset becomes the fence, and the consumer seeks back
   * `lookbackMs` so records below the fence rebuild the active alerts without being delivered again. Runs even when no
   * new alert arrives (the rebuild must not wait for one).
   */
  private async planRebuild(partitions: readonly number[]): Promise<void> {
    if (!this.tracks || partitions.length === 0) return;
    try {
      const committed = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.topic] });
      const offsets = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      for (const partition of partitions) {
        const fence = offsets.get(partition) ?? -1;
        if (fence <= 0) continue;
        this.fences.set(partition, fence);
        const from = await lookbackOffset(this.admin, this.options.topic, partition, this.options.now() - this.options.lookbackMs, this.options.logger);
        if (from === undefined || from >= fence) continue;
        this.options.logger.info({ sink: this.name, partition, from, fence }, 'rebuilding active alerts from the look-back');
        this.seeks.set(partition, from);
        this.consumer.seek({ topic: this.options.topic, partition, offset: String(from) });
      }
    } catch (error) {
      this.options.logger.warn({ sink: this.name, err: (error as Error).message }, 'active alerts not rebuilt after a join');
    }
  }

  /** One pass of the lifecycle: resolve ended alerts, re-send the others (never past their end). */
  tick(): void {
    const now = this.options.now();
    const { resolve, refresh } = this.active.due(now);
    for (const e of resolve) this.lifecycle.enqueue({ kind: 'resolve', alert: e.alert, at: new Date(now) });
    for (const e of refresh) this.lifecycle.enqueue({ kind: 'refresh', alert: e.alert, at: new Date(Math.min(e.endsAt, now + this.options.refreshTtlMs)) });
  }

  /**
   * Delivers `items`: one key's alerts in order, keys concurrently under the sink-wide limit (shared with the other
   * partitions' batches, so a partition with few keys does not leave the sink idle). False when a stop abandoned some
   * (nothing to commit).
   */
  private async deliverAll(items: ReadonlyArray<{ key: string; alert: Alert; at: number }>, heartbeat: () => Promise<void>): Promise<boolean> {
    const byKey = new Map<string, Array<{ alert: Alert; at: number }>>();
    for (const i of items) { const list = byKey.get(i.key); if (list === undefined) byKey.set(i.key, [i]); else list.push(i); }
    let complete = true;
    const inOrder = async (group: ReadonlyArray<{ alert: Alert; at: number }>): Promise<void> => {
      for (const { alert, at } of group) {
        if (!complete) return;
        if (!(await this.limit.run(() => (complete ? this.deliverOne(alert, at, heartbeat) : Promise.resolve(false))))) { complete = false; return; }
      }
    };
    await Promise.all([...byKey.values()].map(inOrder));
    return complete && !this.stopping;
  }

  private async deliverOne(alert: Alert, at: number, heartbeat: () => Promise<void>): Promise<boolean> {
    const { sink, onResult, logger } = this.options;
    const version = `${alert.id}|${alert.severity}|${alert.change ?? 'raised'}|${alert.revision ?? 1}`;
    if (this.accepted.has(version)) {
      if (this.tracks) this.active.track(alert, at);
      return true;
    }
    const previous = this.tracks ? this.active.get(alert.id) : undefined;
    const out = await retryDelivery(() => sink.deliver(alert), this.options.retry, {
      sleep: (ms) => this.sleep(ms), stopping: () => this.stopping,
      onRetry: async (attempt, err) => {
        onResult?.(sink.name, 'deliver', 'retry');
        logger.warn({ sink: sink.name, alertId: alert.id, attempt, err }, 'sink delivery failed; retrying');
        await heartbeat().catch(() => undefined);
      },
    });
    if (!out.ok && out.aborted) return false;
    if (out.ok) {
      this.accepted.set(version, true);
      onResult?.(sink.name, 'deliver', 'ok');
      if (previous !== undefined && previous.alert.severity !== alert.severity && typeof sink.supersede === 'function') {
        this.lifecycle.enqueue({ kind: 'supersede', alert: previous.alert, at: new Date(this.options.now()) });
      }
    } else {
      onResult?.(sink.name, 'deliver', 'dead');
      await this.options.deadLetter({ sink: sink.name, kind: 'deliver', alertId: alert.id, dedupKey: alert.dedupKey, reason: out.reason, attempts: out.attempts }, alert);
    }
    if (this.tracks) this.active.track(alert, at);
    return true;
  }

  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (): void => { clearTimeout(t); this.sleepers.delete(wake); resolve(false); };
      const t = setTimeout(() => { this.sleepers.delete(wake); resolve(true); }, ms);
      t.unref();
      this.sleepers.add(wake);
    });
  }

  /** Abandons backoffs (nothing uncommitted is dead-lettered), stops the group and the lifecycle. Safe to call twice. */
  stop(deadlineMs: number): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.joined = false;
      if (this.timer !== undefined) clearInterval(this.timer);
      for (const wake of [...this.sleepers]) wake();
      await this.consumer.disconnect();
      await this.admin.disconnect();
      await this.lifecycle.close(deadlineMs);
    })();
    return this.stopped;
  }
}
