/**
 * Indexer benchmark (not a test): Kafka-to-searchable throughput of the indexer vs a direct bulk load of the same
 * documents with the OpenSearch client, side by side, and their ratio (target >= 0.8). The direct baseline gets the
 * indexer's advantages: its bulk bodies are built before its clock starts (the indexer's events are on Kafka before
 * its clock starts), it sends as many bulks at once as the indexer may (INDEXER_BULKS_IN_FLIGHT) of the same size
 * (INDEXER_BULK_MAX_DOCS), the indexer's clock starts only once its consumer joined its group (the time of its own
 * "joined consumer group" log line; the direct load's once its bodies are built and its layout installed), and rounds
 * alternate which side goes first. The indexer runs as deployed: its own process (`node --import tsx` on its main.ts,
 * the NODE_OPTIONS of k8s/base/indexer.yaml), so its heap holds only what it works on, not this script's prebuilt
 * events. The median of the per-round ratios is reported.
 * Run: `NODE_EXTRA_CA_CERTS=... npx tsx test/bench/indexer-bench.ts [docs=200000]` against the running stack;
 * BENCH_ROUNDS (default 3), BENCH_OUT (the shared results file).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@opensearch-project/opensearch';
import { createKafka, createLogger, ensureTopics } from '@auditgate/shared';
import { readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { loadConfig } from '../../services/indexer/src/config/load-config.js';
import { enrichEvent } from '../../services/indexer/src/enrich/enrich-event.js';
import { NO_KUBE_METADATA } from '../../services/indexer/src/enrich/kube-metadata.js';
import { sampleEvent } from '../../services/indexer/src/enrich/sample-event.test-helper.js';
import { buildPartialDocument, indexNameFor } from '../../services/indexer/src/search/build-document.js';
import { BULK_ANSWER_FIELDS } from '../../services/indexer/src/search/bulk-writer.js';
import { median } from './bench-results.js';
import { spawnOwned, waitUntil, type OwnedProcess } from './child-process.js';
import { deployedNodeOptions } from './deployed-node-options.js';
import { startCpuBurner } from './cpu-burner.js';
import { cpuMs, readStackPids } from './process-cpu.js';
import { judged, info, renderReport } from './report-table.js';
import { writeResultSection } from './results-file.js';

const total = Number(process.argv[2] ?? process.env['BENCH_DOCS'] ?? 200_000);
const stack = readStackEnv(process.env);
const logger = createLogger({ name: 'indexer-bench', level: 'warn' });
const os = new Client({ node: stack.opensearchUrl });
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const logDir = mkdtempSync(join(tmpdir(), 'auditgate-indexer-bench-'));
const opensearchPid = readStackPids(dirname(stack.kubeState)).opensearch;

/** One side's run: seconds to searchable, and the CPU ms its processes spent meanwhile. */
interface SideRun { readonly seconds: number; readonly opensearchCpuMs: number; readonly indexerCpuMs?: number }
// Audit IDs are random UUIDs, as the gateway makes them: with sequential IDs the direct load (in array order) would
// write in ID order, an index locality the indexer (partitions interleaved) can never have.
const events = Array.from({ length: total }, (_, i) => sampleEvent({ auditID: randomUUID(), username: `agent-${i % 50}`, stage: 'ResponseComplete' }));

async function searchable(alias: string): Promise<number> {
  await os.indices.refresh({ index: `${alias}-*` });
  return (await os.count({ index: alias })).body.count as number;
}

/** Seconds from `startedMs` (epoch ms) until every document is searchable under `alias`. */
async function untilSearchable(alias: string, startedMs: number): Promise<number> {
  for (;;) {
    if (await searchable(alias).catch(() => 0) >= total) return (Date.now() - startedMs) / 1000;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The direct load of every document under `prefix`; with `besideCores`, while a burner keeps that share of a core busy
 * (the ceiling any indexer using that much CPU could reach on this machine).
 */
async function direct(prefix: string, besideCores = 0): Promise<SideRun & { burnerCores?: number }> {
  const config = loadConfig({ INDEXER_INDEX_PREFIX: prefix, INDEXER_OPS_PORT: '0' });
  // Same layout as the indexer's, so both paths write to identical indices.
  const { ensureLayout } = await import('../../services/indexer/src/search/ensure-layout.js');
  await ensureLayout(os, config.opensearch, logger);
  const bodies: string[] = [];
  for (let i = 0; i < total; i += config.bulk.maxDocs) {
    const lines: string[] = [];
    for (const e of events.slice(i, i + config.bulk.maxDocs)) {
      lines.push(JSON.stringify({ update: { _index: indexNameFor(prefix, e.requestReceivedTimestamp), _id: e.auditID, retry_on_conflict: 5 } }),
        JSON.stringify({ doc: buildPartialDocument(e, enrichEvent(e, config.cluster, NO_KUBE_METADATA)), doc_as_upsert: true }));
    }
    bodies.push(`${lines.join('\n')}\n`);
  }
  const burner = besideCores > 0 ? startCpuBurner(Math.min(1, besideCores), logDir) : undefined;
  const started = Date.now();
  const opensearchBefore = cpuMs(opensearchPid);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next]!;
      next += 1;
      // The same trimmed answer the indexer asks for.
      const r = await os.bulk({ body: body as never, filter_path: BULK_ANSWER_FIELDS });
      if (r.body.errors) throw new Error('direct bulk had item errors');
    }
  };
  try {
    await Promise.all(Array.from({ length: config.bulk.maxInFlight }, worker));
    const seconds = await untilSearchable(prefix, started);
    const opensearchCpuMs = cpuMs(opensearchPid) - opensearchBefore;
    return burner === undefined ? { seconds, opensearchCpuMs } : { seconds, opensearchCpuMs, burnerCores: cpuMs(burner.pid) / 1000 / seconds };
  } finally {
    await burner?.stop();
  }
}

/** The epoch ms of the indexer's "joined consumer group" log line (its own clock, this machine's). */
async function joinedAt(indexer: OwnedProcess): Promise<number> {
  let joined: number | undefined;
  await waitUntil('the indexer joining its group', indexer, async () => {
    const line = readFileSync(indexer.logFile, 'utf8').split('\n').find((l) => l.includes('"joined consumer group"'));
    if (line === undefined) return false;
    const time = (JSON.parse(line) as { time?: unknown }).time;
    joined = typeof time === 'number' ? time : Date.parse(String(time));
    return Number.isFinite(joined);
  }, 60_000);
  return joined!;
}

async function viaIndexer(prefix: string): Promise<SideRun> {
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: uniqueName('indexer-bench'), logger });
  const topic = uniqueName('indexer-bench');
  await ensureTopics(kafka, [{ topic, numPartitions: 6, configEntries: [] }, { topic: `${topic}.dlq`, numPartitions: 1, configEntries: [] }]);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < total; i += 500) {
    await producer.send({ topic, acks: -1, messages: events.slice(i, i + 500).map((e) => ({ key: e.user.username ?? '', value: JSON.stringify(e) })) });
  }
  await producer.disconnect();
  const env = {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','), OPENSEARCH_URL: stack.opensearchUrl, INDEXER_EVENTS_TOPIC: topic, INDEXER_DLQ_TOPIC: `${topic}.dlq`,
    INDEXER_INDEX_PREFIX: prefix, INDEXER_GROUP_ID: `${topic}-g`, INDEXER_OPS_PORT: '0', INDEXER_SESSION_TIMEOUT_MS: '10000', LOG_LEVEL: 'info',
  };
  loadConfig(env); // refuses a setting the indexer would refuse, before a process is started
  const nodeOptions = deployedNodeOptions(root, 'indexer');
  const indexer = spawnOwned(process.execPath, ['--import', 'tsx', 'services/indexer/src/main.ts'], {
    cwd: root, logFile: join(logDir, `${prefix}.log`),
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', NODE_ENV: 'production', KAFKAJS_NO_PARTITIONER_WARNING: '1',
      ...(nodeOptions === '' ? {} : { NODE_OPTIONS: nodeOptions }), ...env,
    },
  });
  let run: SideRun;
  try {
    // The clock starts when the indexer's consumer has joined its group, as the direct load's starts with its bodies
    // built and its index layout installed: neither side is timed for its start-up (connect, layout, group join).
    const started = await joinedAt(indexer);
    const indexerBefore = cpuMs(indexer.pid);
    const opensearchBefore = cpuMs(opensearchPid);
    const seconds = await untilSearchable(prefix, started);
    run = { seconds, opensearchCpuMs: cpuMs(opensearchPid) - opensearchBefore, indexerCpuMs: cpuMs(indexer.pid) - indexerBefore };
  } finally {
    await indexer.stop();
  }
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
  await admin.disconnect();
  return run;
}

// Rounds alternate which side goes first, so a noisy neighbour on this shared machine hits both sides alike.
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const outFile = process.env['BENCH_OUT'] ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
const prefixes: string[] = [];
try {
  const ratios: number[] = [];
  const perRound: string[] = [];
  const perDoc = (ms: number): number => (ms * 1000) / total;
  const indexerCpu: number[] = [];
  const ceilings: number[] = [];
  const perRoundCeiling: string[] = [];
  const opensearchCpu = { direct: [] as number[], indexer: [] as number[] };
  const rate = (s: number): string => `${Math.round(total / s)} docs/s (${s.toFixed(1)} s)`;
  const bulk = loadConfig({ INDEXER_OPS_PORT: '0' }).bulk;
  process.stdout.write(`documents: ${total} per run, ${rounds} rounds alternating which side goes first; direct: ${bulk.maxInFlight} bulks of ${bulk.maxDocs} at once\n`);
  for (let round = 1; round <= rounds; round += 1) {
    const directPrefix = uniqueName('bench-direct');
    const indexerPrefix = uniqueName('bench-indexer');
    const besidePrefix = uniqueName('bench-beside');
    prefixes.push(directPrefix, indexerPrefix, besidePrefix);
    let d: SideRun;
    let k: SideRun;
    if (round % 2 === 1) { d = await direct(directPrefix); k = await viaIndexer(indexerPrefix); }
    else { k = await viaIndexer(indexerPrefix); d = await direct(directPrefix); }
    ratios.push(d.seconds / k.seconds);
    // What the direct load achieves while another process takes the CPU the indexer took: no indexer using that much
    // CPU on this machine can beat this ratio, however its work were scheduled.
    const indexerCores = (k.indexerCpuMs ?? 0) / 1000 / k.seconds;
    const beside = await direct(besidePrefix, indexerCores);
    ceilings.push(d.seconds / beside.seconds);
    perRoundCeiling.push(`${indexerCores.toFixed(2)} cores asked, ${(beside.burnerCores ?? 0).toFixed(2)} taken: ${rate(beside.seconds)}, ${(d.seconds / beside.seconds).toFixed(2)}`);
    indexerCpu.push(perDoc(k.indexerCpuMs ?? 0));
    opensearchCpu.direct.push(perDoc(d.opensearchCpuMs));
    opensearchCpu.indexer.push(perDoc(k.opensearchCpuMs));
    perRound.push(`${round % 2 === 1 ? 'direct first' : 'indexer first'}: direct ${rate(d.seconds)}, indexer ${rate(k.seconds)}, ${(d.seconds / k.seconds).toFixed(2)}`);
    process.stdout.write(`round ${round}: direct bulk load ${rate(d.seconds)} · Kafka → indexer → search ${rate(k.seconds)} · ratio ${(d.seconds / k.seconds).toFixed(2)}`
      + ` · CPU per doc: indexer ${perDoc(k.indexerCpuMs ?? 0).toFixed(1)} µs, OpenSearch ${perDoc(d.opensearchCpuMs).toFixed(1)} µs direct / ${perDoc(k.opensearchCpuMs).toFixed(1)} µs indexer`
      + ` · direct beside a burner of the indexer's CPU: ${perRoundCeiling[perRoundCeiling.length - 1]}\n`);
  }
  const ratio = median(ratios);
  const us = (values: number[]): string => `${median(values).toFixed(1)} µs`;
  const rows = [
    judged(`indexer / direct bulk load throughput (${total} docs to searchable)`, ratio.toFixed(3), '>= 0.80', ratio >= 0.8,
      `median of ${rounds} rounds; direct: bodies prebuilt, ${bulk.maxInFlight} bulks of ${bulk.maxDocs} in flight like the indexer`),
    info('indexer / direct per round', ratios.map((x) => x.toFixed(2)).join(' '), perRound.join(' · ')),
    info('ceiling here: direct beside a CPU burner of the indexer\'s share / direct', median(ceilings).toFixed(3),
      `median of ${rounds} rounds; the burner takes the cores the indexer process used (its CPU time over its run), so OpenSearch keeps what it kept in the indexer's run: ${perRoundCeiling.join(' · ')}`),
    info('CPU per document: indexer process', us(indexerCpu), `median of ${rounds} rounds (utime + stime from joining its group to all searchable): ${indexerCpu.map((x) => x.toFixed(1)).join(' ')}`),
    info('CPU per document: OpenSearch, direct / indexer', `${us(opensearchCpu.direct)} / ${us(opensearchCpu.indexer)}`,
      'the same documents and bulk sizes; the indexer\'s bulks are its own (retry_on_conflict, its batching)'),
  ];
  process.stdout.write(`${renderReport(rows)}\n`);
  writeResultSection(outFile, 'indexer', { settings: { docs: total, rounds }, rows, ratios, ceilings });
} finally {
  for (const p of prefixes) {
    await os.indices.delete({ index: `${p}-*` }).catch(() => undefined);
    await os.indices.deleteIndexTemplate({ name: `${p}-template` }).catch(() => undefined);
  }
  await os.close();
}
