import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@opensearch-project/opensearch';
import type { Kafka } from 'kafkajs';
import { createKafka, createLogger, createMetricsRegistry, ensureTopics, type AuditEvent } from '@auditgate/shared';
import { readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { createApp, type DetectorApp } from '../../../../services/detector/src/app.js';
import { loadConfig } from '../../../../services/detector/src/config/load-config.js';

const stack = readStackEnv(process.env);
const quiet = createLogger({ name: 'detector-test', level: 'silent' });

/** A Kafka client of the real broker. */
export function testKafka(): Kafka {
  return createKafka({ brokers: stack.kafkaBrokers, clientId: uniqueName('detector-test'), logger: quiet });
}

/** An OpenSearch client of the real node. */
export function testOpenSearch(): Client { return new Client({ node: stack.opensearchUrl }); }

/** Unique names of one test. */
export interface TestNames { eventsTopic: string; alertsTopic: string; alertsDlqTopic: string; groupId: string; indexPrefix: string }

/** Creates a unique events topic (3 partitions) and alerts topic. */
export async function newTestNames(kafka: Kafka): Promise<TestNames> {
  const base = uniqueName('det-test');
  const names = { eventsTopic: `${base}.events`, alertsTopic: `${base}.alerts`, alertsDlqTopic: `${base}.alerts.dlq`, groupId: `${base}-detector`, indexPrefix: `${base}-alerts` };
  await ensureTopics(kafka, [
    { topic: names.eventsTopic, numPartitions: 3, configEntries: [] },
    { topic: names.alertsTopic, numPartitions: 3, configEntries: [] },
  ]);
  return names;
}

/** The environment of a detector for `names`. */
export function detectorEnv(names: TestNames, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','), OPENSEARCH_URL: stack.opensearchUrl,
    DETECTOR_EVENTS_TOPIC: names.eventsTopic, DETECTOR_ALERTS_TOPIC: names.alertsTopic, DETECTOR_ALERTS_DLQ_TOPIC: names.alertsDlqTopic, DETECTOR_GROUP_ID: names.groupId,
    DETECTOR_ALERTS_INDEX_PREFIX: names.indexPrefix, DETECTOR_OPS_PORT: '0', DETECTOR_SESSION_TIMEOUT_MS: '6000',
    DETECTOR_QUERY_URL: 'http://query.test:8080', DETECTOR_SINK_BACKOFF_MS: '50', DETECTOR_SINK_MAX_BACKOFF_MS: '500',
    DETECTOR_SHUTDOWN_TIMEOUT_MS: '5000', LOG_LEVEL: 'silent', ...extra,
  };
}

/** Starts a detector in this process. */
export async function startDetector(env: Record<string, string>): Promise<DetectorApp & { ops: number }> {
  const config = loadConfig(env);
  const logger = createLogger({ name: 'detector', level: config.logLevel });
  const app = createApp(config, {
    logger, registry: createMetricsRegistry('detector'),
    kafka: createKafka({ brokers: config.kafka.brokers, clientId: uniqueName('detector'), logger }),
    opensearch: new Client({ node: stack.opensearchUrl, maxRetries: 0, requestTimeout: 5000 }),
  });
  const { ops } = await app.start();
  return Object.assign(app, { ops });
}

/** One record read back from a topic. */
export interface TopicRecord { key: string; value: string; headers: Record<string, string> }

/** Reads `topic` from the beginning until `min` records arrived (then `settleMs` more), with a throwaway group. */
export async function readTopic(kafka: Kafka, topic: string, min: number, settleMs = 1000, timeoutMs = 30_000): Promise<TopicRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('det-read'), maxWaitTimeInMs: 100 });
  const got: TopicRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));
      got.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers });
    } });
    const deadline = Date.now() + timeoutMs;
    while (got.length < min && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, settleMs));
    return got;
  } finally {
    await consumer.disconnect();
  }
}

/** Produces events keyed by actor, as the gateway does. */
export async function produceEvents(kafka: Kafka, topic: string, events: readonly AuditEvent[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.auditgate.actor.username, value: JSON.stringify(e) })) });
  } finally {
    await producer.disconnect();
  }
}

/** One request seen by a {@link Receiver}. */
export interface Received { path: string; headers: IncomingHttpHeaders; raw: string; body: unknown }

/** A local HTTP receiver recording every request; `respond` picks the status of each. */
export interface Receiver { url: string; received: Received[]; close(): Promise<void> }

/** Starts a receiver on 127.0.0.1 (`port` 0 = any), retrying while the port is briefly taken by someone else. */
export async function startReceiver(respond: (r: Received, index: number) => number = () => 200, port = 0, timeoutMs = 30_000): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try { body = JSON.parse(raw); } catch { /* not JSON */ }
      const r = { path: req.url ?? '', headers: req.headers, raw, body };
      received.push(r);
      res.writeHead(respond(r, received.length - 1), { 'content-type': 'application/json' }).end('{"status":"ok"}');
    });
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); }); });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
