/**
 * One row of the fault table: fresh topics, groups, indices and namespace; the three services as processes; steady
 * traffic with one fault struck during it; then the pipeline is given until it has caught up (conditions, each with a
 * deadline, never a fixed sleep) and judged against the API server's own log and the generator's record. The Secret
 * values the traffic wrote are looked for, in plaintext, on the row's topics and documents.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { kubectl, readKubeCredentials, waitFor, type StackEnv } from '@auditgate/shared/testing';
import { leakNeedles } from '../integration/at-rest/leak-needles.js';
import { scanKafka } from '../integration/at-rest/scan-kafka.js';
import { scanOpenSearch } from '../integration/at-rest/scan-opensearch.js';
import { ApiServerLogFollower } from './api-server-log.js';
import { startBulkRelay, type BulkRelay } from './bulk-relay.js';
import { FAULTS_RULE_YAML } from './expected-alerts.js';
import type { StruckCheck } from './fault-struck.js';
import type { Fault } from './faults.js';
import { LoadGenerator } from './load-generator.js';
import type { OwnStack } from './own-stack.js';
import { startPageReceiver } from './page-receiver.js';
import { groupLag, readAuditRecords, readDocuments, type KafkaRecord } from './pipeline-readers.js';
import { KILL_MARGIN_MS, reconcileRow, type ProxyKill, type RowResult } from './reconcile-row.js';
import { createRowTopics, rowNames } from './row-names.js';
import { RowServices } from './row-services.js';
import { ObjectPools } from './traffic-mix.js';

/** What a row does. */
export interface RowSpec {
  /** Short id (topic and namespace names). */
  readonly id: string;
  /** The fault, as the table names it. */
  readonly label: string;
  readonly outageMode: 'fail-closed' | 'spool';
  readonly fault: Fault;
  /** The evidence the fault must leave (fault-struck.ts); the row fails without it. */
  readonly struck: StruckCheck;
  /** The indexer reaches OpenSearch through a relay that sees (and can hold) its bulks (bulk-relay.ts). */
  readonly bulkRelay?: boolean;
}

/** How hard and how long. */
export interface Profile {
  readonly name: 'short' | 'full';
  readonly rate: number;
  readonly seconds: number;
  /** When the fault strikes, seconds into the traffic. */
  readonly faultAt: number;
  readonly outageMs: number;
  /** How long the pipeline may take to catch up after the traffic (each condition). */
  readonly catchUpMs: number;
}

/** What the row runs on. */
export interface RowContext {
  readonly runId: string;
  readonly stack: StackEnv;
  readonly own: OwnStack;
  readonly kafka: Kafka;
  readonly dir: string;
  readonly log: (message: string) => void;
}

const ACTORS = 4;

/** Lines of each service's log that show how Kafka treated its producers (the fault 6 evidence), and any error that
 * reached the proxy's last-resort handler (there must be none). */
function logEvidence(services: RowServices): Record<string, Record<string, number>> {
  const patterns: Record<string, RegExp> = {
    outOfOrderSequence: /out of order sequence number/i, producerReplaced: /replacing the producer/, spoolDrained: /spool segment drained/,
    unhandledErrors: /last-resort handler/,
  };
  const out: Record<string, Record<string, number>> = {};
  for (const name of ['proxy', 'indexer', 'detector'] as const) {
    let text = '';
    try { text = readFileSync(services.logFile(name), 'utf8'); } catch { continue; }
    const lines = text.split('\n');
    out[name] = Object.fromEntries(Object.entries(patterns).map(([k, re]) => [k, lines.filter((l) => re.test(l)).length]));
  }
  return out;
}
const TERMINAL = new Set(['ResponseComplete', 'Panic']);

/** Runs `spec` under `profile` and returns its judged row. */
export async function runFaultRow(spec: RowSpec, profile: Profile, ctx: RowContext): Promise<RowResult> {
  const names = rowNames(`faults-${ctx.runId}-${spec.id}`);
  const dir = join(ctx.dir, spec.id);
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  writeFileSync(join(rulesDir, 'secret-read.yaml'), FAULTS_RULE_YAML);
  const creds = readKubeCredentials(ctx.stack);
  const admin = (args: readonly string[], input?: string): Promise<string> => kubectl(ctx.stack, creds.adminKubeconfig, args, input);
  const namespace = names.base;
  await createRowTopics(ctx.kafka, names);
  await admin(['create', 'namespace', namespace]);
  await admin(['-n', namespace, 'apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: ACTORS }, (_, i) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `agent-${i}` } })) }));
  const tokens = await Promise.all(Array.from({ length: ACTORS }, async (_, i) => (await admin(['-n', namespace, 'create', 'token', `agent-${i}`, '--audience', 'auditgate', '--duration', '1h'])).trim()));
  const receiver = await startPageReceiver();
  const bulkRelay: BulkRelay | undefined = spec.bulkRelay === true ? await startBulkRelay(ctx.own.opensearchUrl) : undefined;
  const services = new RowServices({
    names, stack: ctx.stack, kafkaBrokers: ctx.own.kafkaBrokers, opensearchUrl: ctx.own.opensearchUrl, dir, outageMode: spec.outageMode, webhookUrl: receiver.url, rulesDir,
    ...(bulkRelay === undefined ? {} : { indexerOpensearchUrl: bulkRelay.url }),
  });
  const marker = `auditgate-faults/${ctx.runId}/${spec.id}/`;
  const follower = new ApiServerLogFollower(creds.auditLog, marker);
  const pools = new ObjectPools();
  const proxyKills: ProxyKill[] = [];
  try {
    await services.start();
    ctx.log(`${spec.id}: services ready; ${profile.rate} req/s for ${profile.seconds} s, fault at ${profile.faultAt} s`);
    await follower.start();
    const generator = new LoadGenerator({ port: services.proxyPort, tokens, namespace, marker, rate: profile.rate, seconds: profile.seconds, pools });
    const started = Date.now();
    const traffic = generator.run();
    await new Promise((r) => setTimeout(r, profile.faultAt * 1000));
    const faultNotes = await spec.fault({ own: ctx.own, services, receiver, generator, kafka: ctx.kafka, names, outageMs: profile.outageMs, proxyKills, ...(bulkRelay === undefined ? {} : { bulkRelay }) })
      .catch((error: unknown) => { generator.stop(); throw error; });
    ctx.log(`${spec.id}: fault done after ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(faultNotes)}`);
    await traffic;
    ctx.log(`${spec.id}: traffic done (${generator.sent.length} sent, ${generator.skipped} skipped); waiting for the pipeline to catch up`);

    // 1. Every request the API server served is on Kafka with the stages it must have.
    await follower.sync();
    let records: KafkaRecord[] = [];
    const interrupted = (id: string): boolean => {
      const r = generator.sent.find((s) => s.auditId === id);
      return proxyKills.length > 0 && (r === undefined || proxyKills.some((k) => r.startedAt <= k.at && (r.endedAt === undefined || r.endedAt > k.at - KILL_MARGIN_MS || r.error !== undefined)));
    };
    const kafkaCaughtUp = await waitFor('every served request on Kafka', async () => {
      records = await readAuditRecords(ctx.kafka, names.events);
      const stages = new Map<string, Set<string>>();
      for (const k of records) { const s = stages.get(k.auditID) ?? new Set(); s.add(k.stage); stages.set(k.auditID, s); }
      const missing = [...new Set(follower.entries.map((e) => e.auditID))].filter((id) => {
        const s = stages.get(id);
        return s === undefined || !s.has('RequestReceived') || (![...s].some((x) => TERMINAL.has(x)) && !interrupted(id));
      });
      return missing.length === 0 ? true : undefined;
    }, profile.catchUpMs, 3000).then(() => true, () => false);
    // 2. The indexer and the detector (and its webhook delivery) have committed everything on their topics.
    const groupsCaughtUp = await waitFor('indexer, detector and webhook delivery caught up', async () => {
      const lags = await Promise.all([
        groupLag(ctx.kafka, names.indexerGroup, names.events), groupLag(ctx.kafka, names.detectorGroup, names.events), groupLag(ctx.kafka, names.webhookGroup, names.alerts),
      ]);
      return lags.every((l) => l === 0) ? true : undefined;
    }, profile.catchUpMs, 1000).then(() => true, () => false);
    await follower.sync();
    records = await readAuditRecords(ctx.kafka, names.events);
    const documents = await readDocuments(ctx.own.opensearchUrl, names.eventsIndex);
    const logs = logEvidence(services);
    const struckProblems = spec.struck({ notes: faultNotes, sent: generator.sent, logs });
    const result = reconcileRow({
      fault: spec.label, marker, sent: generator.sent, skipped: generator.skipped, apiServer: follower.entries, kafka: records, documents,
      pages: receiver.posts, actorNames: Array.from({ length: ACTORS }, (_, i) => `system:serviceaccount:${namespace}:agent-${i}`),
      apiServerUnparseable: follower.unparseable, proxyKills,
      faultNotes: {
        ...faultNotes, outageMode: spec.outageMode, kafkaCaughtUp, groupsCaughtUp, struck: { ok: struckProblems.length === 0, problems: struckProblems },
        apiServerLogBytesRead: follower.bytes, apiServerLogRotations: follower.rotations, apiServerLogUnparseable: follower.unparseableSample, logs,
        processes: services.started.map((p) => `${p.name}:${p.pid}`),
      },
    });
    const needles = pools.secretValues.flatMap((value) => leakNeedles({ key: 'password', value }));
    const [kafkaScan, osScan] = await Promise.all([scanKafka(ctx.kafka, needles, started - 60_000), scanOpenSearch(ctx.own.opensearchUrl, needles)]);
    result.details['plaintextScan'] = {
      secretValues: pools.secretValues.length, kafkaRecordsScanned: kafkaScan.scanned, documentsScanned: osScan.scanned,
      leaks: [...kafkaScan.leaks, ...osScan.leaks].slice(0, 10), leakCount: kafkaScan.leaks.length + osScan.leaks.length,
    };
    return result;
  } finally {
    await follower.stop();
    await services.stop();
    await bulkRelay?.close();
    await receiver.close();
    await admin(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
  }
}
