/**
 * End-to-end freshness (not a test): the audited gateway, the indexer and the detector run as deployed (child
 * processes, default settings) on a topic of this run's own, the query service on the same indices; mixed traffic
 * goes through the gateway at BENCH_FRESH_RATE (200 req/s) and two kinds of probe are timed from the gateway's answer:
 * request → searchable (GET /api/v1/events/<Audit-ID> of the query API answers 200; target p99 ≤ 3 s) and, for a read
 * of a Secret of its own, request → alert at the webhook (SECRET_READ carrying its Audit-ID). A probe that never
 * arrived counts as infinitely late. Knobs: BENCH_FRESH_RATE, BENCH_FRESH_SECONDS, BENCH_FRESH_PROBE_MS, BENCH_OUT.
 */
import { Agent, request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvReader } from '@auditgate/shared';
import { readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { loadConfig as loadIndexerConfig } from '../../services/indexer/src/config/load-config.js';
import { startQueryTestbed } from '../integration/query/support/query-harness.js';
import { startAlertReceiver } from './alert-receiver.js';
import { createBenchCluster } from './bench-cluster.js';
import { createBenchTopic } from './bench-topic.js';
import { spawnOwned, waitUntil } from './child-process.js';
import { compileProxy } from './compile-proxy.js';
import { percentile } from './constant-rate-prober.js';
import { deployedNodeOptions } from './deployed-node-options.js';
import { freePort } from './free-port.js';
import { httpOk } from './http-get.js';
import { startProxyProcess } from './proxy-process.js';
import { info, judged, renderReport } from './report-table.js';
import { writeResultSection } from './results-file.js';

const say = (message: string) => process.stderr.write(`[freshness-bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'never');

/** One timed request: when the gateway answered and when it was seen downstream (performance.now() ms). */
interface Probe { readonly auditID: string; readonly answeredAt: number; seenAt?: number }

function gatewayGet(agent: Agent, url: string, token: string): Promise<{ ok: boolean; auditID: string | undefined; at: number }> {
  return new Promise((done) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => done({ ok: (res.statusCode ?? 0) < 300, auditID: res.headers['audit-id'] as string | undefined, at: performance.now() }));
      res.on('error', () => done({ ok: false, auditID: undefined, at: performance.now() }));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => done({ ok: false, auditID: undefined, at: performance.now() }));
    req.end();
  });
}

async function main(): Promise<void> {
  const r = new EnvReader(process.env);
  const settings = {
    rate: r.int('BENCH_FRESH_RATE', 200, { min: 1, max: 5000 }),
    seconds: r.int('BENCH_FRESH_SECONDS', 60, { min: 5, max: 600 }),
    probeMs: r.int('BENCH_FRESH_PROBE_MS', 250, { min: 20, max: 10_000 }),
    outFile: r.str('BENCH_OUT', join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json')),
  };
  r.finish();
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-freshness-'));
  const run = uniqueName('fresh').toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step.run().catch((e: unknown) => say(`cleanup of ${step.what} failed: ${(e as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const topic = `auditgate.bench.events.${run}`;
    for (const t of [topic, `${topic}.dlq`, `${topic}.alerts`]) cleanups.push({ what: `topic ${t}`, run: await createBenchTopic(stack.kafkaBrokers, t) });
    const cluster = await createBenchCluster({ apiserver: stack.kubeApiserverUrl, ca: creds.ca, adminToken: creds.adminToken, namespace: run });
    cleanups.push({ what: `namespace ${cluster.namespace}`, run: () => cluster.remove() });
    const secretsNeeded = Math.ceil((settings.seconds * 1000) / settings.probeMs / 2) + 20;
    const admin = new Agent({ keepAlive: true, ca: creds.ca, maxSockets: 4 });
    const ns = `/api/v1/namespaces/${cluster.namespace}`;
    for (let i = 0; i < secretsNeeded; i += 4) {
      await Promise.all(Array.from({ length: Math.min(4, secretsNeeded - i) }, (_, j) => httpOk({
        url: `${stack.kubeApiserverUrl}${ns}/secrets`, token: creds.adminToken, agent: admin, method: 'POST',
        body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: `probe-${i + j}` }, stringData: { k: 'v' } },
      })));
    }
    admin.destroy();
    say(`namespace ${cluster.namespace} with ${secretsNeeded} probe Secrets; topic ${topic}`);

    const bed = await startQueryTestbed();
    cleanups.push({ what: 'query testbed', run: () => bed.close() });
    const analyst = await bed.tokenFor(['analyst']);
    const base = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', NODE_ENV: 'production', KAFKAJS_NO_PARTITIONER_WARNING: '1', LOG_LEVEL: 'warn', KAFKA_BROKERS: stack.kafkaBrokers.join(',') };
    const indexerOps = await freePort();
    const indexerEnv = {
      ...base, OPENSEARCH_URL: stack.opensearchUrl, INDEXER_EVENTS_TOPIC: topic, INDEXER_DLQ_TOPIC: `${topic}.dlq`, INDEXER_INDEX_PREFIX: bed.indices.events,
      INDEXER_GROUP_ID: `${run}-indexer`, INDEXER_OPS_PORT: String(indexerOps), INDEXER_CHECKPOINTS_ENABLED: 'false', INDEXER_INSTANCE: `bench-${run}`,
    };
    // What the indexer runs with (its defaults, as deployed), read by its own loader for the report.
    const indexerSettings = loadIndexerConfig(indexerEnv);
    const indexer = spawnOwned(process.execPath, ['--import', 'tsx', 'services/indexer/src/main.ts'], { cwd: root, logFile: join(dir, 'indexer.log'), env: indexerEnv });
    cleanups.push({ what: 'indexer', run: () => indexer.stop() });
    const probes = new Map<string, Probe>();
    const alertProbes = new Map<string, Probe>();
    let otherAlerts = 0;
    const receiver = await startAlertReceiver((alert, arrivedAt) => {
      const probe = alert.rule === 'SECRET_READ' ? alertProbes.get(alert.evidence[0] ?? '') : undefined;
      if (probe === undefined || probe.seenAt !== undefined) { otherAlerts += 1; return; }
      probe.seenAt = arrivedAt;
    });
    cleanups.push({ what: 'webhook receiver', run: () => receiver.close() });
    const detectorOps = await freePort();
    const detector = spawnOwned(process.execPath, ['--import', 'tsx', 'services/detector/src/main.ts'], {
      cwd: root, logFile: join(dir, 'detector.log'), env: {
        ...base, DETECTOR_INSTANCE: `bench-${run}`, DETECTOR_EVENTS_TOPIC: topic, DETECTOR_ALERTS_TOPIC: `${topic}.alerts`, DETECTOR_GROUP_ID: `${run}-detector`,
        DETECTOR_OPS_PORT: String(detectorOps), DETECTOR_WEBHOOK_URL: receiver.url, DETECTOR_WEBHOOK_SECRET: `bench-${run}`,
      },
    });
    cleanups.push({ what: 'detector', run: () => detector.stop() });
    const entry = await compileProxy(root);
    const gateway = await startProxyProcess({
      name: 'fresh', root, dir, stack, topic, entry, nodeOptions: deployedNodeOptions(root, 'proxy'), auditEnabled: true,
      httpsPort: await freePort(), opsPort: await freePort(),
    });
    cleanups.push({ what: 'gateway', run: () => gateway.stop() });
    await waitUntil('indexer', indexer, async () => (await fetch(`http://127.0.0.1:${indexerOps}/readyz`)).ok, 60_000);
    await waitUntil('detector', detector, async () => (await fetch(`http://127.0.0.1:${detectorOps}/readyz`)).ok, 60_000);
    say(`gateway ${gateway.url}, indexer ${indexer.pid}, detector ${detector.pid}, query ${bed.baseUrl}`);

    const agent = new Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 64 });
    // Mixed traffic: ConfigMap gets, ConfigMap lists, a Secret of the background (suppressed after its first alert).
    const mix = [cluster.smallPath, cluster.smallPath, cluster.smallPath, `${ns}/configmaps`, `${ns}/secrets/probe-${secretsNeeded - 1}`];
    const searchable = async (probe: Probe): Promise<void> => {
      const deadline = probe.answeredAt + 30_000;
      while (performance.now() < deadline) {
        const res = await fetch(`${bed.baseUrl}/api/v1/events/${encodeURIComponent(probe.auditID)}`, { headers: { authorization: `Bearer ${analyst}` } }).catch(() => undefined);
        if (res?.ok) { probe.seenAt = performance.now(); await res.body?.cancel(); return; }
        await res?.body?.cancel();
        await sleep(50);
      }
    };
    const pollers: Array<Promise<void>> = [];
    let sent = 0;
    let failed = 0;
    let alertIndex = 0;
    const warmupMs = 5000;
    const t0 = performance.now();
    const totalMs = warmupMs + settings.seconds * 1000;
    let nextProbe = t0 + warmupMs;
    const inflight = new Set<Promise<void>>();
    say(`${settings.rate} req/s for ${warmupMs / 1000} s warm-up + ${settings.seconds} s; a probe every ${settings.probeMs} ms (alternately searchable / alert)`);
    while (performance.now() - t0 < totalMs) {
      const now = performance.now();
      const due = Math.floor(((now - t0) * settings.rate) / 1000);
      while (sent < due) {
        sent += 1;
        let kind: 'mix' | 'search' | 'alert' = 'mix';
        if (now >= nextProbe) { kind = alertIndex % 2 === 0 ? 'search' : 'alert'; nextProbe += settings.probeMs; }
        const path = kind === 'alert' ? `${ns}/secrets/probe-${Math.floor(alertIndex / 2)}` : mix[sent % mix.length]!;
        if (kind !== 'mix') alertIndex += 1;
        const p = gatewayGet(agent, `${gateway.url}${path}`, cluster.agentToken).then((res) => {
          if (!res.ok || res.auditID === undefined) { failed += 1; return; }
          if (kind === 'search') { const probe: Probe = { auditID: res.auditID, answeredAt: res.at }; probes.set(res.auditID, probe); pollers.push(searchable(probe)); }
          if (kind === 'alert') alertProbes.set(res.auditID, { auditID: res.auditID, answeredAt: res.at });
        });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      await sleep(2);
    }
    const elapsedS = (performance.now() - t0) / 1000;
    await Promise.all(inflight);
    await Promise.all(pollers);
    const drainUntil = performance.now() + 15_000;
    while (performance.now() < drainUntil && [...alertProbes.values()].some((p) => p.seenAt === undefined)) await sleep(100);
    agent.destroy();

    const late = (list: Iterable<Probe>) => [...list].map((p) => (p.seenAt === undefined ? Infinity : p.seenAt - p.answeredAt)).sort((a, b) => a - b);
    const search = late(probes.values());
    const alerts = late(alertProbes.values());
    const achieved = sent / elapsedS;
    const sustained = achieved >= 0.98 * settings.rate && failed === 0;
    const rows = [
      judged(`request → searchable in the query API, p99 @ ${settings.rate} req/s mixed`, `${f(percentile(search, 99))} ms`, '<= 3000 ms',
        percentile(search, 99) <= 3000 && sustained, `p50 ${f(percentile(search, 50))} ms, max ${f(search[search.length - 1] ?? NaN)} ms; ${search.length} probes; indexer as deployed (bulk flush ${indexerSettings.bulk.flushIntervalMs} ms, index refresh ${indexerSettings.opensearch.refreshInterval})`),
      judged(`request → alert at the webhook (Secret read), p99 @ ${settings.rate} req/s mixed`, `${f(percentile(alerts, 99))} ms`, '<= 3000 ms',
        percentile(alerts, 99) <= 3000 && sustained, `p50 ${f(percentile(alerts, 50))} ms; ${alerts.length} probes; ${otherAlerts} other alerts`),
      info('gateway traffic achieved / offered', `${f(achieved)} / ${settings.rate} req/s`, `${sent} sent, ${failed} failed; mix: 3/5 ConfigMap get, 1/5 list, 1/5 Secret get`),
    ];
    process.stdout.write(`\nAuditgate end-to-end freshness — ${new Date().toISOString()}\n${renderReport(rows)}\n`);
    writeResultSection(settings.outFile, 'freshness', { settings, rows });
  } finally {
    await cleanup();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  say(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
