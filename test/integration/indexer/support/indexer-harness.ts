import { after, before } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client } from '@opensearch-project/opensearch';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka, createLogger, createMetricsRegistry, ensureTopics, type AuditEvent } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { createApp, type IndexerApp } from '../../../../services/indexer/src/app.js';
import { loadConfig } from '../../../../services/indexer/src/config/load-config.js';
import type { KubeCache } from '../../../../services/indexer/src/kube/kube-cache.js';

const stack = readStackEnv(process.env);
const quiet = createLogger({ name: 'indexer-test', level: 'silent' });

/** A Kafka client of the real broker. */
export function testKafka(): Kafka {
  return createKafka({ brokers: stack.kafkaBrokers, clientId: uniqueName('indexer-test'), logger: quiet });
}

/** An OpenSearch client of the real node. */
export function testOpenSearch(node = stack.opensearchUrl): Client {
  return new Client({ node });
}

/** Unique names of one test: events topic, DLQ topic, index prefix, group id. */
export interface TestNames { topic: string; dlqTopic: string; indexPrefix: string; groupId: string }

/** Creates a unique events topic (3 partitions) and DLQ topic on the real broker. */
export async function newTestNames(kafka: Kafka): Promise<TestNames> {
  const base = uniqueName('idx-test');
  const names = { topic: `${base}.events`, dlqTopic: `${base}.dlq`, indexPrefix: `${base}-events`, groupId: `${base}-indexer` };
  await ensureTopics(kafka, [
    { topic: names.topic, numPartitions: 3, configEntries: [] },
    { topic: names.dlqTopic, numPartitions: 1, configEntries: [] },
  ]);
  return names;
}

/** Environment of an indexer for `names`, talking to `opensearchUrl`. */
export function indexerEnv(names: TestNames, extra: Record<string, string> = {}, opensearchUrl = stack.opensearchUrl): Record<string, string> {
  return {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','), OPENSEARCH_URL: opensearchUrl,
    INDEXER_EVENTS_TOPIC: names.topic, INDEXER_DLQ_TOPIC: names.dlqTopic, INDEXER_INDEX_PREFIX: names.indexPrefix,
    INDEXER_GROUP_ID: names.groupId, INDEXER_OPS_PORT: '0', INDEXER_SESSION_TIMEOUT_MS: '6000',
    INDEXER_FLUSH_INTERVAL_MS: '100', INDEXER_RETRY_INITIAL_MS: '50', INDEXER_RETRY_MAX_MS: '500',
    INDEXER_SHUTDOWN_TIMEOUT_MS: '10000', INDEXER_REFRESH_INTERVAL: '1s',
    CLUSTER_NAME: 'prod-eu', CLUSTER_ARN: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu', LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** Starts an indexer in this process. */
export async function startInProcess(env: Record<string, string>, kube?: KubeCache): Promise<IndexerApp & { ops: number }> {
  const config = loadConfig(env);
  const logger = createLogger({ name: 'indexer', level: config.logLevel });
  const app = createApp(config, {
    logger, registry: createMetricsRegistry('indexer'), kafka: createKafka({ brokers: config.kafka.brokers, clientId: uniqueName('indexer'), logger }),
    opensearch: new Client({ node: config.opensearch.url, maxRetries: 0, requestTimeout: 5000 }), ...(kube === undefined ? {} : { kube }),
  });
  const { ops } = await app.start();
  return Object.assign(app, { ops });
}

/** A child indexer: npx, tsx and node in their own process group, signalled together. */
export interface ChildIndexer {
  readonly child: ChildProcess;
  output(): string;
  /** Sends `signal` to the whole process group (npx → tsx → node). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves once every process of the group closed its output. */
  closed(): Promise<void>;
}

/** Runs `npx tsx services/indexer/src/main.ts` as a child process with `env`. */
export function startChild(env: Record<string, string>): ChildIndexer {
  let out = '';
  const child = spawn('npx', ['tsx', 'services/indexer/src/main.ts'], {
    cwd: new URL('../../../../', import.meta.url).pathname, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  return {
    child, output: () => out, closed: () => closed,
    signal: (signal) => { try { process.kill(-child.pid!, signal); } catch { /* already gone */ } },
  };
}

/** Sends events keyed by actor username, as the proxy does. */
export async function produceEvents(producer: Producer, topic: string, events: readonly AuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const messages = events.slice(i, i + 500).map((e) => ({ key: e.user.username ?? '', value: JSON.stringify(e) }));
    await producer.send({ topic, acks: -1, messages });
  }
}

/** Every document behind the alias `prefix` (after a refresh). */
export async function allDocs(client: Client, prefix: string, size = 10_000): Promise<Array<{ _id: string; _index: string; _source: Record<string, unknown> }>> {
  await client.indices.refresh({ index: `${prefix}-*` });
  const response = await client.search({ index: prefix, body: { size, query: { match_all: {} } } });
  return response.body.hits.hits as never;
}

/** Waits until the alias `prefix` holds `count` complete documents (every one with `complete: true`). */
export async function waitForComplete(client: Client, prefix: string, count: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${count} complete documents in ${prefix}`, async () => {
    await client.indices.refresh({ index: `${prefix}-*` });
    const r = await client.count({ index: prefix, body: { query: { term: { complete: true } } } });
    return (r.body.count as number) >= count ? true : undefined;
  }, timeoutMs, 300);
}

/** Deletes the test's indices and template. */
export async function cleanupIndices(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}-*` }).catch(() => undefined);
  await client.indices.deleteIndexTemplate({ name: `${prefix}-template` }).catch(() => undefined);
}

/** A TCP proxy on 127.0.0.1 in front of `target` whose link can be cut (connections refused) and restored. */
export async function startCuttableProxy(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      sockets.add(client); sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      const end = (): void => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
      client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const cut = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return { url: `http://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}

/** Kafka, a connected producer and an OpenSearch client for one suite, with per-test names whose indices are removed after it. */
export interface IndexerTestbed {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly os: Client;
  /** Fresh topic, DLQ, group and index prefix for one test. */
  fresh(): Promise<TestNames>;
}

/** Registers the suite's before/after hooks and returns its testbed (call inside `describe`). */
export function useIndexerTestbed(): IndexerTestbed {
  let kafka: Kafka | undefined;
  let producer: Producer | undefined;
  let os: Client | undefined;
  const prefixes: string[] = [];
  before(async () => {
    kafka = testKafka();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    os = testOpenSearch();
  });
  after(async () => {
    await producer?.disconnect();
    for (const p of prefixes) if (os !== undefined) await cleanupIndices(os, p);
    await os?.close();
  });
  return {
    get kafka() { return kafka!; },
    get producer() { return producer!; },
    get os() { return os!; },
    fresh: async () => { const n = await newTestNames(kafka!); prefixes.push(n.indexPrefix); return n; },
  };
}
