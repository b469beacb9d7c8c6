import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@opensearch-project/opensearch';
import type { Kafka } from 'kafkajs';
import { createKafka, createLogger, createMetricsRegistry, ensureTopics, type AuditEvent } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { createApp, type DetectorApp } from '../../../../services/detector/src/app.js';
import { loadConfig } from '../../../../services/detector/src/config/load-config.js';
import { spawnOwned, waitUntil, type OwnedProcess } from '../../../bench/child-process.js';
import { freePort } from '../../../bench/free-port.js';

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

/** Starts a detector in this process (on `kafka` when given: a test double of the client). */
export async function startDetector(env: Record<string, string>, kafka?: Kafka): Promise<DetectorApp & { ops: number }> {
  const config = loadConfig(env);
  const logger = createLogger({ name: 'detector', level: config.logLevel });
  const app = createApp(config, {
    logger, registry: createMetricsRegistry('detector'),
    kafka: kafka ?? createKafka({ brokers: config.kafka.brokers, clientId: uniqueName('detector'), logger }),
    opensearch: new Client({ node: stack.opensearchUrl, maxRetries: 0, requestTimeout: 5000 }),
  });
  const { ops } = await app.start();
  return Object.assign(app, { ops });
}

/** A detector running as its own process (services/detector/src/main.ts), as it is deployed. */
export interface DetectorProcess {
  readonly ops: number;
  readonly pid: number;
  readonly logFile: string;
  /** SIGKILL: no shutdown hook runs, nothing in flight is finished or committed. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after a grace period; safe to call twice. */
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Starts the detector as a process with `env` (its ops port chosen here) and waits for its /readyz. */
export async function startDetectorProcess(env: Record<string, string>): Promise<DetectorProcess> {
  const ops = await freePort();
  const logFile = join(mkdtempSync(join(tmpdir(), 'ag-detector-')), 'detector.log');
  const proc: OwnedProcess = spawnOwned(process.execPath, ['--import', 'tsx', 'services/detector/src/main.ts'], {
    cwd: ROOT, logFile,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env, DETECTOR_OPS_PORT: String(ops), LOG_LEVEL: 'warn' },
  });
  try {
    await waitUntil('detector /readyz', proc, async () => (await fetch(`http://127.0.0.1:${ops}/readyz`, { signal: AbortSignal.timeout(2000) })).ok, 120_000);
  } catch (error) {
    await proc.stop(2000);
    throw error;
  }
  return {
    ops, pid: proc.pid, logFile,
    async kill() {
      if (!proc.exited()) process.kill(proc.pid, 'SIGKILL');
      await waitFor(`detector ${proc.pid} gone after SIGKILL`, async () => (proc.exited() ? true : undefined), 10_000, 20);
    },
    stop: () => proc.stop(),
  };
}

/** Records on `topic` (all partitions), as its end offsets say: exact, no waiting. */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } catch (error) {
    if (/does not host this topic-partition|UNKNOWN_TOPIC/i.test((error as Error).message)) return 0;
    throw error;
  } finally {
    await admin.disconnect();
  }
}

/** Every record of `topic` up to its end at the time of the call (none missed, none waited for). */
export async function readWholeTopic(kafka: Kafka, topic: string): Promise<TopicRecord[]> {
  const got: TopicRecord[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('det-read'), maxWaitTimeInMs: 100 });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  await admin.disconnect();
  const open = new Set([...ends].filter(([, end]) => end > 0).map(([p]) => p));
  if (open.size === 0) return got;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => {
      if (Number(message.offset) >= (ends.get(partition) ?? 0)) return;
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));
      got.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers });
      if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) open.delete(partition);
    } });
    await waitFor(`${topic} read to its end`, async () => (open.size === 0 ? true : undefined), 30_000, 50);
    return got;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Quiet: the detector's group has committed every event on the events topic (its alerts are produced), and every
 * delivery group named has committed every alert on the alerts topic (each was accepted or dead-lettered). After that
 * nothing more is delivered for what was produced, so what the receivers hold is final.
 */
export async function waitQuiet(kafka: Kafka, names: TestNames, sinks: readonly string[], timeoutMs = 60_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const caughtUp = async (group: string, topic: string): Promise<boolean> => {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.every((e) => Number(e.high) === 0 || (at.get(e.partition) ?? -1) >= Number(e.high));
  };
  try {
    await waitFor(`quiet: ${names.groupId} and the delivery groups of ${sinks.join(', ')} caught up`, async () => {
      if (!(await caughtUp(names.groupId, names.eventsTopic))) return undefined;
      for (const sink of sinks) if (!(await caughtUp(`${names.groupId}-delivery.${sink}`, names.alertsTopic))) return undefined;
      return true;
    }, timeoutMs, 200);
  } finally {
    await admin.disconnect();
  }
}

/** One record read back from a topic. */
export interface TopicRecord { key: string; value: string; headers: Record<string, string> }

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
