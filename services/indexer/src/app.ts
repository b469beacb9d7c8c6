import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Consumer, Kafka } from 'kafkajs';
import type { Client } from '@opensearch-project/opensearch';
import { createOpsApp, keepConsuming, type Logger, type Registry, RenewableProducer } from '@auditgate/shared';
import type { IndexerConfig } from './config/indexer-config.js';
import { NO_KUBE_METADATA } from './enrich/kube-metadata.js';
import { createBatchHandler } from './kafka/batch-handler.js';
import { IntakePauses } from './kafka/intake-pauses.js';
import { OrderedCommits } from './kafka/ordered-commits.js';
import { PartitionLag } from './kafka/partition-lag.js';
import type { SourceRecord } from './kafka/source-record.js';
import type { KubeCache } from './kube/kube-cache.js';
import { createIndexerMetrics } from './metrics/indexer-metrics.js';
import { BulkBatcher } from './search/bulk-batcher.js';
import { BulkWriter } from './search/bulk-writer.js';
import { ensureLayout } from './search/ensure-layout.js';

/** What `createApp` needs from the outside world; `main.ts` builds the real ones. */
export interface IndexerDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly kafka: Kafka;
  readonly opensearch: Client;
  /** Cluster metadata for enrichment; none when the cache is off. */
  readonly kube?: KubeCache;
  readonly now?: () => number;
}

/** The indexer: `start()` installs the index layout and consumes; `stop()` flushes, commits, closes (safe twice). */
export interface IndexerApp {
  start(): Promise<{ ops: number }>;
  stop(): Promise<void>;
}

/** Wires the indexer from its validated config and dependencies. */
export function createApp(config: IndexerConfig, deps: IndexerDeps): IndexerApp {
  const log = deps.logger;
  const now = deps.now ?? Date.now;
  const metrics = createIndexerMetrics(deps.registry);
  const lag = new PartitionLag(metrics.lag);
  const abort = new AbortController();
  const { topic, dlqTopic, groupId, checkpointsTopic } = config.kafka;
  const topics = [{ topic }, ...(checkpointsTopic === undefined ? [] : [{ topic: checkpointsTopic }])];
  let consumer: Consumer | undefined;
  let producer: RenewableProducer | undefined;
  let ops: Server | undefined;
  let joined = false;
  let closing = false;
  let stopped: Promise<void> | undefined;

  const writer = new BulkWriter({
    client: deps.opensearch, logger: log.child({ component: 'bulk' }),
    retryInitialMs: config.bulk.retryInitialMs, retryMaxMs: config.bulk.retryMaxMs,
    onBulk: (seconds, outcome) => metrics.bulkSeconds.observe({ outcome }, seconds),
    onRetry: (items, reason) => metrics.retries.inc({ reason: reason === 'transport' ? 'transport' : reason.split(':')[0] ?? 'error' }, items),
    onAvailability: (available) => {
      metrics.opensearchUp.set(available ? 1 : 0);
      // Backpressure: stop fetching while OpenSearch cannot keep up; the batch in hand keeps retrying.
      pauses.setOpenSearchAvailable(available);
    },
  });
  const batcher = new BulkBatcher<SourceRecord>({
    writer, maxDocs: config.bulk.maxDocs, maxBytes: config.bulk.maxBytes, flushIntervalMs: config.bulk.flushIntervalMs,
    maxInFlight: config.bulk.maxInFlight,
    signal: abort.signal, onFlush: (docs) => metrics.docs.inc(docs),
  });
  const pauses = new IntakePauses({ consumer: () => consumer, topics: topics.map((t) => t.topic), logger: log.child({ component: 'intake' }) });
  /** Aborted when the indexer stops: the batch handler builds no more chunks. */
  const stopIntake = new AbortController();
  const commits = new OrderedCommits({
    logger: log.child({ component: 'commits' }),
    commit: async (t, partition, offset) => { await consumer?.commitOffsets([{ topic: t, partition, offset }]); },
    // The partition waits out the backoff paused, then reads again from the failed chunk.
    rewind: (t, partition, offset, delayMs) => {
      metrics.rewinds.inc({ topic: t });
      pauses.rewind(t, partition, offset, delayMs);
    },
    rewindBackoff: { initialMs: config.bulk.retryInitialMs, maxMs: config.bulk.retryMaxMs },
  });
  /** Batch handler calls in progress, and who waits for there to be none (shutdown). */
  let handling = 0;
  let whenIdle: Array<() => void> = [];

  return {
    async start() {
      ops = createServer(createOpsApp(deps.registry, {
        notReady: () => [
          ...(closing ? ['shutting down'] : []),
          ...(joined ? [] : ['not yet consuming']),
          ...(writer.isAvailable() ? [] : ['OpenSearch unavailable']),
        ],
      }));
      const opsPort = await new Promise<number>((resolve, reject) => {
        ops!.once('error', reject);
        ops!.listen(config.listen.opsPort, config.listen.host, () => resolve((ops!.address() as AddressInfo).port));
      });
      const layout = await ensureLayout(deps.opensearch, { ...config.opensearch }, log.child({ component: 'layout' }));
      await deps.kube?.start();
      producer = new RenewableProducer(() => deps.kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false }), log.child({ component: 'kafka-producer' }));
      await producer.connect();
      consumer = deps.kafka.consumer({
        groupId, sessionTimeout: config.kafka.sessionTimeoutMs, rebalanceTimeout: config.kafka.sessionTimeoutMs * 2,
        heartbeatInterval: Math.min(3000, Math.floor(config.kafka.sessionTimeoutMs / 3)),
        maxBytesPerPartition: config.kafka.maxBytesPerPartition, maxBytes: config.kafka.maxBytesPerFetch, maxWaitTimeInMs: Math.min(config.bulk.flushIntervalMs, 1000),
        allowAutoTopicCreation: false,
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        joined = true;
        // KafkaJS forgets its pauses with its group: the current ones are applied again.
        pauses.apply();
        // Partitions that went to another member stop being reported here (their new owner reports them).
        lag.assigned(payload.memberAssignment);
        log.info({ memberId: payload.memberId, assignment: payload.memberAssignment }, 'joined consumer group');
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => { joined = false; lag.clear(); log.error({ err: payload.error.message, restart: payload.restart }, 'consumer crashed'); });
      consumer.on(consumer.events.STOP, () => lag.clear());
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: config.kafka.fromBeginning });
      // The checkpoints topic is small (compacted) and every checkpoint is evidence: always from its beginning.
      if (checkpointsTopic !== undefined) await consumer.subscribe({ topic: checkpointsTopic, fromBeginning: true });
      const handler = createBatchHandler({
        batcher, producer, dlqTopic, indexPrefix: config.opensearch.indexPrefix, mcpIndexPrefix: config.opensearch.mcpIndexPrefix, cluster: config.cluster,
        ...(checkpointsTopic === undefined ? {} : { checkpointsTopic, checkpointsIndex: config.opensearch.checkpointsIndex }),
        kube: deps.kube ?? NO_KUBE_METADATA, chunkSize: config.bulk.maxDocs, logger: log.child({ component: 'consumer' }), metrics, lag, now,
        // Enough documents queued behind the bulks in flight to keep OpenSearch busy while the next fetch is decoded.
        commits, maxPendingDocs: 2 * config.bulk.maxInFlight * config.bulk.maxDocs, stopping: stopIntake.signal,
      });
      await keepConsuming(consumer, {
        autoCommit: false, eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: config.kafka.partitionsConsumedConcurrently,
        eachBatch: async (payload) => {
          // Shutting down: the batch is left unread (not resolved, not committed) for whoever reads the partition next.
          if (closing) return;
          handling += 1;
          try { await handler(payload); } finally {
            handling -= 1;
            if (handling === 0) { const waiting = whenIdle; whenIdle = []; for (const w of waiting) w(); }
          }
        },
      }, { logger: log.child({ component: 'consumer' }), stopping: () => closing });
      log.info({ topic, checkpointsTopic: checkpointsTopic ?? null, dlqTopic, groupId, template: layout.template, ismPolicy: layout.ismPolicy ?? null, ops: opsPort }, 'indexer consuming');
      return { ops: opsPort };
    },
    stop() {
      stopped ??= (async () => {
        closing = true;
        // Past the deadline, writes in progress give up: their offsets stay uncommitted and are replayed.
        const deadline = setTimeout(() => { log.warn('shutdown deadline passed: abandoning unacknowledged bulks'); abort.abort(); }, config.shutdownTimeoutMs);
        deadline.unref();
        const steps: Array<[string, () => Promise<void>]> = [
          // Commits need a running consumer (KafkaJS drops them once stopping): take no new batch, let the one in hand
          // finish, index and commit everything handed over, and only then stop.
          // Bounded by the deadline: past it the writes abort and the consumer is stopped with what is committed.
          ['intake', async () => {
            pauses.stop();
            stopIntake.abort();
            const idle = handling > 0 ? new Promise<void>((resolve) => whenIdle.push(resolve)) : Promise.resolve();
            const aborted = new Promise<void>((resolve) => {
              if (abort.signal.aborted) resolve(); else abort.signal.addEventListener('abort', () => resolve(), { once: true });
            });
            await Promise.race([aborted, (async () => {
              await batcher.flush();
              await idle;
              await batcher.flush();
              await commits.drain();
            })()]);
          }],
          ['consumer', async () => { await consumer?.stop(); await consumer?.disconnect(); }],
          ['bulk batcher', () => batcher.flush()],
          ['DLQ producer', async () => { await producer?.disconnect(); }],
          ['cluster cache', async () => { await deps.kube?.stop(); }],
          ['OpenSearch client', async () => { await deps.opensearch.close(); }],
          ['ops server', () => new Promise<void>((resolve) => { if (ops?.listening === true) { ops.closeAllConnections(); ops.close(() => resolve()); } else resolve(); })],
        ];
        for (const [name, step] of steps) {
          try { await step(); } catch (error) { log.error({ step: name, err: (error as Error).message }, 'shutdown step failed'); }
        }
        clearTimeout(deadline);
      })();
      return stopped;
    },
  };
}
