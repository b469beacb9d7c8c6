/**
 * Indexer benchmark (not a test): Kafka-to-searchable throughput of the indexer vs a direct bulk load of the same
 * documents with the OpenSearch client, side by side, and their ratio (target >= 0.8). The direct baseline gets the
 * indexer's advantages: its bulk bodies are built before its clock starts (the indexer's events are on Kafka before
 * its clock starts), it sends as many bulks at once as the indexer may (INDEXER_BULKS_IN_FLIGHT) of the same size
 * (INDEXER_BULK_MAX_DOCS), the indexer's clock starts only once its consumer joined its group (the direct load's once
 * its bodies are built and its layout installed), and rounds alternate which side goes first. The median of the
 * per-round ratios is reported.
 * Run: `NODE_EXTRA_CA_CERTS=... npx tsx test/bench/indexer-bench.ts [docs=200000]` against the running stack;
 * BENCH_ROUNDS (default 3), BENCH_OUT (the shared results file).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@opensearch-project/opensearch';
import { createKafka, createLogger, createMetricsRegistry, ensureTopics } from '@auditgate/shared';
import { readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { createApp } from '../../services/indexer/src/app.js';
import { loadConfig } from '../../services/indexer/src/config/load-config.js';
import { enrichEvent } from '../../services/indexer/src/enrich/enrich-event.js';
import { NO_KUBE_METADATA } from '../../services/indexer/src/enrich/kube-metadata.js';
import { sampleEvent } from '../../services/indexer/src/enrich/sample-event.test-helper.js';
import { buildPartialDocument, indexNameFor } from '../../services/indexer/src/search/build-document.js';
import { median } from './bench-results.js';
import { judged, info, renderReport } from './report-table.js';
import { writeResultSection } from './results-file.js';

const total = Number(process.argv[2] ?? process.env['BENCH_DOCS'] ?? 200_000);
const stack = readStackEnv(process.env);
const logger = createLogger({ name: 'indexer-bench', level: 'warn' });
const os = new Client({ node: stack.opensearchUrl });
const events = Array.from({ length: total }, (_, i) => sampleEvent({ auditID: `bench-${String(i).padStart(8, '0')}`, username: `agent-${i % 50}`, stage: 'ResponseComplete' }));

async function searchable(alias: string): Promise<number> {
  await os.indices.refresh({ index: `${alias}-*` });
  return (await os.count({ index: alias })).body.count as number;
}

async function untilSearchable(alias: string, started: number): Promise<number> {
  for (;;) {
    if (await searchable(alias).catch(() => 0) >= total) return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function direct(prefix: string): Promise<number> {
  const config = loadConfig({ INDEXER_INDEX_PREFIX: prefix, INDEXER_OPS_PORT: '0' });
  // Same layout as the indexer's, so both paths write to identical indices.
  const { ensureLayout } = await import('../../services/indexer/src/search/ensure-layout.js');
  await ensureLayout(os, config.opensearch, logger);
  const bodies: string[] = [];
  for (let i = 0; i < total; i += config.bulk.maxDocs) {
    const lines: string[] = [];
    for (const e of events.slice(i, i + config.bulk.maxDocs)) {
      lines.push(JSON.stringify({ update: { _index: indexNameFor(prefix, e.requestReceivedTimestamp), _id: e.auditID } }),
        JSON.stringify({ doc: buildPartialDocument(e, enrichEvent(e, config.cluster, NO_KUBE_METADATA)), doc_as_upsert: true }));
    }
    bodies.push(`${lines.join('\n')}\n`);
  }
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next]!;
      next += 1;
      const r = await os.bulk({ body: body as never });
      if (r.body.errors) throw new Error('direct bulk had item errors');
    }
  };
  await Promise.all(Array.from({ length: config.bulk.maxInFlight }, worker));
  return untilSearchable(prefix, started);
}

async function viaIndexer(prefix: string): Promise<number> {
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: uniqueName('indexer-bench'), logger });
  const topic = uniqueName('indexer-bench');
  await ensureTopics(kafka, [{ topic, numPartitions: 6, configEntries: [] }, { topic: `${topic}.dlq`, numPartitions: 1, configEntries: [] }]);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < total; i += 500) {
    await producer.send({ topic, acks: -1, messages: events.slice(i, i + 500).map((e) => ({ key: e.user.username ?? '', value: JSON.stringify(e) })) });
  }
  await producer.disconnect();
  const config = loadConfig({
    KAFKA_BROKERS: stack.kafkaBrokers.join(','), OPENSEARCH_URL: stack.opensearchUrl, INDEXER_EVENTS_TOPIC: topic, INDEXER_DLQ_TOPIC: `${topic}.dlq`,
    INDEXER_INDEX_PREFIX: prefix, INDEXER_GROUP_ID: `${topic}-g`, INDEXER_OPS_PORT: '0', INDEXER_SESSION_TIMEOUT_MS: '10000', LOG_LEVEL: 'warn',
  });
  // The clock starts when the indexer's consumer has joined its group, as the direct load's starts with its bodies
  // built and its index layout installed: neither side is timed for its start-up (connect, layout, group join).
  const joined = new Promise<number>((resolve) => {
    const consumer = kafka.consumer.bind(kafka);
    kafka.consumer = (options) => {
      const c = consumer(options);
      c.on(c.events.GROUP_JOIN, () => resolve(performance.now()));
      return c;
    };
  });
  const app = createApp(config, { logger, registry: createMetricsRegistry('indexer'), kafka, opensearch: new Client({ node: stack.opensearchUrl, maxRetries: 0 }) });
  await app.start();
  const started = await joined;
  const seconds = await untilSearchable(prefix, started);
  await app.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
  await admin.disconnect();
  return seconds;
}

// Rounds alternate which side goes first, so a noisy neighbour on this shared machine hits both sides alike.
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const outFile = process.env['BENCH_OUT'] ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
const prefixes: string[] = [];
try {
  const ratios: number[] = [];
  const perRound: string[] = [];
  const rate = (s: number): string => `${Math.round(total / s)} docs/s (${s.toFixed(1)} s)`;
  const bulk = loadConfig({ INDEXER_OPS_PORT: '0' }).bulk;
  process.stdout.write(`documents: ${total} per run, ${rounds} rounds alternating which side goes first; direct: ${bulk.maxInFlight} bulks of ${bulk.maxDocs} at once\n`);
  for (let round = 1; round <= rounds; round += 1) {
    const directPrefix = uniqueName('bench-direct');
    const indexerPrefix = uniqueName('bench-indexer');
    prefixes.push(directPrefix, indexerPrefix);
    let d: number;
    let k: number;
    if (round % 2 === 1) { d = await direct(directPrefix); k = await viaIndexer(indexerPrefix); }
    else { k = await viaIndexer(indexerPrefix); d = await direct(directPrefix); }
    ratios.push(d / k);
    perRound.push(`${round % 2 === 1 ? 'direct first' : 'indexer first'}: direct ${rate(d)}, indexer ${rate(k)}, ${(d / k).toFixed(2)}`);
    process.stdout.write(`round ${round}: direct bulk load ${rate(d)} · Kafka → indexer → search ${rate(k)} · ratio ${(d / k).toFixed(2)}\n`);
  }
  const ratio = median(ratios);
  const rows = [
    judged(`indexer / direct bulk load throughput (${total} docs to searchable)`, ratio.toFixed(3), '>= 0.80', ratio >= 0.8,
      `median of ${rounds} rounds; direct: bodies prebuilt, ${bulk.maxInFlight} bulks of ${bulk.maxDocs} in flight like the indexer`),
    info('indexer / direct per round', ratios.map((x) => x.toFixed(2)).join(' '), perRound.join(' · ')),
  ];
  process.stdout.write(`${renderReport(rows)}\n`);
  writeResultSection(outFile, 'indexer', { settings: { docs: total, rounds }, rows, ratios });
} finally {
  for (const p of prefixes) {
    await os.indices.delete({ index: `${p}-*` }).catch(() => undefined);
    await os.indices.deleteIndexTemplate({ name: `${p}-template` }).catch(() => undefined);
  }
  await os.close();
}
