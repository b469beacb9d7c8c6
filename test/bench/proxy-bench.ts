/**
 * The proxy benchmark (`npm run bench`): direct kube-apiserver vs nginx vs the gateway with auditing off and on, in one
 * run on this machine. Prints the verdict table (targets, PASS/MISS) and writes it as JSON; always exits 0 once it
 * has measured, because benchmarks are reported, not gated. Progress goes to stderr, the report to stdout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { createBenchCluster } from './bench-cluster.js';
import { readBenchSettings, type BenchSettings } from './bench-settings.js';
import { createBenchTopic } from './bench-topic.js';
import { compileProxy } from './compile-proxy.js';
import { deployedProxyNodeOptions } from './deployed-node-options.js';
import { TARGETS, median, renderTargets, verdictRows, type BenchResults, type TargetName } from './bench-results.js';
import { probeConstantRate, type ProbeResult } from './constant-rate-prober.js';
import { freePort } from './free-port.js';
import { measureKafkaAckFloor } from './kafka-ack-floor.js';
import { measureChainCpu } from './chain-cpu.js';
import { httpOk } from './http-get.js';
import { startNginx } from './nginx-process.js';
import { startBareNodeProxy } from './bare-node-proxy.js';
import { holdWatches } from './open-watches.js';
import { startProxyProcess } from './proxy-process.js';
import { renderReport } from './report-table.js';
import { runWrk, type WrkResult } from './run-wrk.js';
import { streamListSamplingRss } from './stream-list.js';

/** Where a target listens and which bearer token it takes. */
interface Target { readonly base: string; readonly token: string }

const say = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function measureThroughput(settings: BenchSettings, targets: Record<TargetName, Target>, path: string): Promise<BenchResults['throughput']> {
  const runs: Record<TargetName, WrkResult[]> = { direct: [], nginx: [], 'bare-node': [], 'gateway-audit-off': [], 'gateway-audit-on': [] };
  for (let round = 0; round < settings.rounds; round += 1) {
    // Rotate the order each round so drift on a shared machine does not always favour the same target.
    const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!);
    for (const name of order) {
      const wrk = { url: `${targets[name].base}${path}`, token: targets[name].token, connections: settings.connections, threads: settings.threads };
      if (settings.warmupSeconds > 0) await runWrk({ ...wrk, seconds: settings.warmupSeconds });
      const result = await runWrk({ ...wrk, seconds: settings.seconds });
      say(`round ${round + 1}/${settings.rounds} ${name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms, errors ${result.errors}`);
      runs[name].push(result);
    }
  }
  const out = {} as Record<TargetName, { medianRps: number; runs: WrkResult[] }>;
  for (const name of TARGETS) out[name] = { medianRps: median(runs[name].map((r) => r.requestsPerSecond)), runs: runs[name] };
  return out;
}

async function measureLatency(settings: BenchSettings, targets: Record<TargetName, Target>, path: string): Promise<BenchResults['latency']> {
  const out = {} as Record<TargetName, ProbeResult>;
  for (const name of TARGETS) {
    out[name] = await probeConstantRate({ url: `${targets[name].base}${path}`, token: targets[name].token, rate: settings.rate, seconds: settings.probeSeconds, warmupSeconds: 2 });
    say(`fixed ${settings.rate} req/s ${name}: p50 ${out[name].p50Ms.toFixed(3)} ms, p99 ${out[name].p99Ms.toFixed(3)} ms, errors ${out[name].errors}`);
  }
  return out;
}

async function main(): Promise<void> {
  const settings = readBenchSettings(process.env);
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-bench-'));
  const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () => (cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step.run().catch((e: unknown) => say(`cleanup of ${step.what} failed: ${(e as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  })());
  const onSignal = () => { say('interrupted: cleaning up'); void cleanup().then(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const suffix = uniqueName('bench').toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const topic = `auditgate.bench.events.${suffix}`;
    say(`Kafka topic ${topic}`);
    const dropTopic = await createBenchTopic(stack.kafkaBrokers, topic);
    cleanups.push({ what: 'Kafka topic', run: dropTopic });
    const cluster = await createBenchCluster({ apiserver: stack.kubeApiserverUrl, ca: creds.ca, adminToken: creds.adminToken, namespace: suffix });
    cleanups.push({ what: `namespace ${cluster.namespace}`, run: () => cluster.remove() });
    say(`namespace ${cluster.namespace} with ConfigMap small`);

    // The gateway runs as its image runs it (compiled JS on plain node) unless BENCH_PROXY_RUNTIME=tsx.
    const entry = settings.proxyRuntime === 'compiled' ? await compileProxy(root) : undefined;
    say(`gateway runtime: ${entry === undefined ? 'sources through tsx' : `compiled ${entry}`}`);
    const nodeOptions = deployedProxyNodeOptions(root);
    say(`gateway NODE_OPTIONS (from k8s/base/proxy.yaml): ${nodeOptions || '(none)'}`);
    const base = { root, dir, stack, topic, nodeOptions, ...(entry === undefined ? {} : { entry }) };
    const on = await startProxyProcess({ ...base, name: 'audit-on', httpsPort: await freePort(), opsPort: await freePort(), auditEnabled: true });
    cleanups.push({ what: 'proxy audit-on', run: () => on.stop() });
    const off = await startProxyProcess({ ...base, name: 'audit-off', httpsPort: await freePort(), opsPort: await freePort(), auditEnabled: false });
    cleanups.push({ what: 'proxy audit-off', run: () => off.stop() });
    const unchained = await startProxyProcess({ ...base, name: 'audit-on-unchained', httpsPort: await freePort(), opsPort: await freePort(), auditEnabled: true, env: { PROXY_CHAIN_ENABLED: 'false' } });
    cleanups.push({ what: 'proxy audit-on-unchained', run: () => unchained.stop() });
    const nginx = await startNginx({ dir, root, port: await freePort(), upstream: stack.kubeApiserverUrl });
    cleanups.push({ what: 'nginx', run: () => nginx.stop() });
    const bare = await startBareNodeProxy({ dir, root, port: await freePort(), upstream: stack.kubeApiserverUrl, caFile: join(stack.kubeState, 'pki', 'ca.crt') });
    cleanups.push({ what: 'bare node proxy', run: () => bare.stop() });
    say(`proxies up: audit-on ${on.url} (pid ${on.pid}), audit-off ${off.url} (pid ${off.pid}), nginx ${nginx.url} (pid ${nginx.pid})`);

    const targets: Record<TargetName, Target> = {
      direct: { base: stack.kubeApiserverUrl, token: creds.gatewayToken },
      nginx: { base: nginx.url, token: creds.gatewayToken },
      'bare-node': { base: bare.url, token: creds.gatewayToken },
      'gateway-audit-off': { base: off.url, token: cluster.agentToken },
      'gateway-audit-on': { base: on.url, token: cluster.agentToken },
    };
    const check = new Agent({ rejectUnauthorized: false });
    for (const name of TARGETS) await httpOk({ url: `${targets[name].base}${cluster.smallPath}`, token: targets[name].token, agent: check });
    check.destroy();

    say(`throughput: wrk -t${settings.threads} -c${settings.connections} -d${settings.seconds}s, ${settings.rounds} rounds`);
    const throughput = await measureThroughput(settings, targets, cluster.smallPath);
    say(`latency: open loop at ${settings.rate} req/s for ${settings.probeSeconds} s per target`);
    const latency = await measureLatency(settings, targets, cluster.smallPath);
    const kafkaFloor = await measureKafkaAckFloor({ brokers: stack.kafkaBrokers, topic, rate: settings.rate, seconds: settings.probeSeconds });
    say(`write-ahead alone at ${settings.rate}/s (Kafka acks=all, no HTTP): p50 ${kafkaFloor.p50Ms.toFixed(3)} ms, p99 ${kafkaFloor.p99Ms.toFixed(3)} ms`);
    const chainCpu = await measureChainCpu({ on, off: unchained, path: cluster.smallPath, token: cluster.agentToken, rate: settings.rate, seconds: settings.probeSeconds });
    say(`gateway CPU per request, chain on / off: ${chainCpu.onUsPerRequest.toFixed(0)} / ${chainCpu.offUsPerRequest.toFixed(0)} µs`);

    const listTargetBytes = settings.listMegabytes * 1_000_000;
    const created = await cluster.createBulk(Math.ceil(listTargetBytes * 1.04), 900_000);
    say(`created ${created} ConfigMaps of ~900 kB; streaming their LIST through the audited gateway`);
    const list = await streamListSamplingRss({
      url: `${on.url}/api/v1/namespaces/${cluster.namespace}/configmaps`, token: cluster.agentToken, pid: on.pid, sampleMs: 50, timeoutMs: 180_000,
    });
    await cluster.deleteBulk();

    say(`opening ${settings.watches} watches through the audited gateway`);
    const watches = await holdWatches({
      baseUrl: on.url, path: `/api/v1/namespaces/${cluster.namespace}/configmaps?watch=1&labelSelector=bench%3Dnone&timeoutSeconds=600`,
      token: cluster.agentToken, pid: on.pid, count: settings.watches, openPerSecond: 200, establishMs: 60_000,
    });

    const results: BenchResults = { throughput, latency, list, listTargetBytes, watches, kafkaFloor, chainCpu };
    const rows = verdictRows(results);
    const report = [
      `Auditgate proxy benchmark — ${new Date().toISOString()}, ${cpus().length} CPUs, Node ${process.version}`,
      `All targets are HTTPS (TLS on the gateway too, like the kube-apiserver); load generator and every server share this machine.`,
      `direct/nginx/bare-node use the gateway's upstream static token; the gateway runs use a service-account JWT (audience auditgate).`,
      '', renderReport(rows), '', renderTargets(results), '', `JSON: ${settings.outFile}`,
    ].join('\n');
    writeFileSync(settings.outFile, `${JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, node: process.version, settings, rows, results }, null, 2)}\n`);
    process.stdout.write(`${report}\n`);
  } finally {
    await cleanup();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  say(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
