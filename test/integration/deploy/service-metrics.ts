import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The four services. */
export const SERVICES = ['proxy', 'indexer', 'detector', 'query'] as const;
export type Service = (typeof SERVICES)[number];

/** What one service's `/metrics` declares: metric name → Prometheus type (from the `# TYPE` lines). */
export type ExportedMetrics = Map<string, string>;

/** The series names a query may use for an exported metric (`_bucket`/`_sum`/`_count` of histograms and summaries). */
export function seriesNames(exported: ExportedMetrics): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of exported) {
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

/** Parses the `# TYPE name type` lines of a Prometheus text exposition. */
export function parseExposition(text: string): ExportedMetrics {
  const out: ExportedMetrics = new Map();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * Starts each service as its own process from `services/<name>/src/main.ts` (the wiring `npm start` runs) against the
 * real stack, with topics, consumer groups and index names of its own, scrapes `/metrics` once it is ready, stops it
 * and removes what it made. Returns what each service exports.
 */
export async function scrapeServices(): Promise<Map<Service, ExportedMetrics>> {
  const stack = readStackEnv(process.env);
  const base = uniqueName('ag-metrics');
  const dir = mkdtempSync(join(tmpdir(), 'ag-metrics-'));
  const topics = { events: `${base}.events`, dlq: `${base}.events.dlq`, alerts: `${base}.alerts`, alertsDlq: `${base}.alerts.dlq` };
  const kafka = new Kafka({ clientId: base, brokers: [...stack.kafkaBrokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const children: ChildProcess[] = [];
  try {
    await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
    const ca = `${stack.kubeState}/pki/ca.crt`;
    const common = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1', NODE_EXTRA_CA_CERTS: ca };
    const envs: Record<Service, (ops: number) => Record<string, string>> = {
      proxy: (ops) => ({
        PROXY_OPS_PORT: String(ops), PROXY_HTTPS_PORT: '0', PROXY_HTTP_PORT: '-1',
        PROXY_SA_ISSUER_URL: stack.kubeApiserverUrl, PROXY_SA_ISSUER_CA_FILE: ca,
        PROXY_UPSTREAM_MODE: 'kubeconfig', PROXY_UPSTREAM_KUBECONFIG: `${stack.kubeState}/gateway-upstream.kubeconfig`,
        PROXY_POLICY_FILE: resolve(ROOT, 'services/proxy/policy/example-policy.yaml'), PROXY_MASKING_KEY: randomBytes(32).toString('hex'),
        PROXY_KAFKA_OUTAGE_MODE: 'spool', PROXY_SPOOL_DIR: join(dir, 'spool'), KAFKA_BROKERS: stack.kafkaBrokers.join(','),
        // The MCP gate on, as where it is deployed, so that its metrics are exported and checked too (the server is not
        // called: nothing is sent through it here).
        PROXY_MCP_SERVERS: JSON.stringify([{ name: 'kubernetes', url: 'http://127.0.0.1:1/mcp' }]),
        PROXY_MCP_ISSUERS: JSON.stringify([{ issuer: stack.kubeApiserverUrl, caFile: ca }]),
      }),
      indexer: (ops) => ({
        INDEXER_OPS_PORT: String(ops), KAFKA_BROKERS: stack.kafkaBrokers.join(','), OPENSEARCH_URL: stack.opensearchUrl,
        INDEXER_EVENTS_TOPIC: topics.events, INDEXER_DLQ_TOPIC: topics.dlq, INDEXER_GROUP_ID: `${base}-indexer`,
        INDEXER_INDEX_PREFIX: `${base}-events`, INDEXER_SESSION_TIMEOUT_MS: '6000', INDEXER_SHUTDOWN_TIMEOUT_MS: '5000',
      }),
      detector: (ops) => ({
        DETECTOR_OPS_PORT: String(ops), KAFKA_BROKERS: stack.kafkaBrokers.join(','), OPENSEARCH_URL: stack.opensearchUrl,
        DETECTOR_EVENTS_TOPIC: topics.events, DETECTOR_ALERTS_TOPIC: topics.alerts, DETECTOR_ALERTS_DLQ_TOPIC: topics.alertsDlq,
        DETECTOR_GROUP_ID: `${base}-detector`, DETECTOR_ALERTS_INDEX_PREFIX: `${base}-alerts`, DETECTOR_SESSION_TIMEOUT_MS: '6000',
        DETECTOR_LOOKBACK_MS: '0',
      }),
      query: (ops) => ({
        QUERY_OPS_PORT: String(ops), QUERY_PORT: '0', OPENSEARCH_URL: stack.opensearchUrl,
        QUERY_OIDC_ISSUERS: JSON.stringify([{ issuer: stack.kubeApiserverUrl, audiences: ['auditgate-query'], caFile: ca }]),
        QUERY_EVENTS_INDEX: `${base}-events`, QUERY_ALERTS_INDEX: `${base}-alerts`, QUERY_AUDIT_INDEX: `${base}-query-audit`,
      }),
    };
    const started = await Promise.all(SERVICES.map(async (service) => {
      const ops = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', `services/${service}/src/main.ts`], {
        cwd: ROOT, env: { ...common, ...envs[service](ops) }, stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
      children.push(child);
      return { service, ops, child, stderr: () => stderr };
    }));
    const out = new Map<Service, ExportedMetrics>();
    for (const s of started) {
      await waitFor(`${s.service} /readyz on ${s.ops}`, async () => {
        if (s.child.exitCode !== null) throw new Error(`${s.service} exited ${s.child.exitCode}: ${s.stderr()}`);
        const res = await fetch(`http://127.0.0.1:${s.ops}/readyz`).catch(() => undefined);
        return res?.ok === true ? true : undefined;
      }, 90_000, 500);
      const res = await fetch(`http://127.0.0.1:${s.ops}/metrics`);
      if (!res.ok) throw new Error(`${s.service} /metrics answered ${res.status}`);
      out.set(s.service, parseExposition(await res.text()));
    }
    return out;
  } finally {
    await Promise.all(children.map((c) => stop(c)));
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    await cleanupOpenSearch(stack.opensearchUrl, base);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Removes the indices and index templates named after `base`. */
async function cleanupOpenSearch(url: string, base: string): Promise<void> {
  await fetch(`${url}/${base}*?expand_wildcards=all`, { method: 'DELETE' }).catch(() => undefined);
  const res = await fetch(`${url}/_index_template/${base}*`).catch(() => undefined);
  const templates = res?.ok === true ? (await res.json() as { index_templates?: Array<{ name: string }> }).index_templates ?? [] : [];
  for (const t of templates) await fetch(`${url}/_index_template/${encodeURIComponent(t.name)}`, { method: 'DELETE' }).catch(() => undefined);
}
