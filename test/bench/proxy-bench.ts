/**
 * The proxy benchmark (`npm run bench`): direct kube-apiserver vs nginx vs the gateway with auditing off and on, in one
 * run on this machine. Prints the verdict table (targets, PASS/MISS) and writes it as JSON; always exits 0 once it
 * has measured, because benchmarks are reported, not gated. Progress goes to stderr, the report to stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { createBenchCluster } from './bench-cluster.js';
import { readBenchSettings, type BenchSettings } from './bench-settings.js';
import { createBenchTopic } from './bench-topic.js';
import { compileProxy } from './compile-proxy.js';
import { deployedNodeOptions } from './deployed-node-options.js';
import { TARGETS, median, renderTargets, verdictRows, type BenchResults, type CpuPerRequest, type TargetName } from './bench-results.js';
import { collectGarbage } from './gc-via-inspector.js';
import { measureInterleavedLatency } from './interleaved-latency.js';
import { createProber, type Prober } from './constant-rate-prober.js';
import { cpuSnapshot, cpuUsPerRequest, processTree, readStackPids, type CpuGroups } from './process-cpu.js';
import { writeResultSection } from './results-file.js';
import { freePort } from './free-port.js';
import { createKafkaFloorProber, kafkaAckFloorOf, type KafkaAckFloor, type KafkaFloorProber } from './kafka-ack-floor.js';
import { measureChainCpu } from './chain-cpu.js';
import { httpOk } from './http-get.js';
import { startNginx } from './nginx-process.js';
import { startBareNodeProxy } from './bare-node-proxy.js';
import { holdWatches } from './open-watches.js';
import { startProxyProcess } from './proxy-process.js';
import { renderReport } from './report-table.js';
import { runWrk, type WrkResult } from './run-wrk.js';
import { streamListSamplingRss } from './stream-list.js';
import { metricSum, readMetrics } from '../faults/service-metrics.js';

/** Where a target listens, which bearer token it takes, and the pids of the proxy in front (none for direct). */
interface Target { readonly base: string; readonly token: string; readonly pids: readonly number[]; readonly opsPort?: number }

const PRODUCE_REQUESTS = 'auditgate_proxy_kafka_batch_messages_count';

/** The count of the gateway's auditgate_proxy_kafka_batch_messages histogram: produce requests it has sent. */
async function produceRequestsSent(opsPort: number): Promise<number> {
  const text = await readMetrics(opsPort);
  if (!text.includes(PRODUCE_REQUESTS)) throw new Error(`the gateway on ops port ${opsPort} exports no ${PRODUCE_REQUESTS}`);
  return metricSum(text, PRODUCE_REQUESTS);
}

/** The stack's processes a request also spends CPU in. */
interface ServerPids { readonly server: readonly number[]; readonly kafka: readonly number[] }

const say = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function measureThroughput(settings: BenchSettings, targets: Record<TargetName, Target>, servers: ServerPids, path: string): Promise<BenchResults['throughput']> {
  const runs: Record<TargetName, WrkResult[]> = { direct: [], nginx: [], 'bare-node': [], 'gateway-audit-off': [], 'gateway-audit-on': [] };
  const cpuRuns: Record<TargetName, CpuPerRequest[]> = { direct: [], nginx: [], 'bare-node': [], 'gateway-audit-off': [], 'gateway-audit-on': [] };
  for (let round = 0; round < settings.rounds; round += 1) {
    // Rotate the order each round so drift on a shared machine does not always favour the same target.
    const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!);
    for (const name of order) {
      const wrk = { url: `${targets[name].base}${path}`, token: targets[name].token, connections: settings.connections, threads: settings.threads };
      if (settings.warmupSeconds > 0) await runWrk({ ...wrk, seconds: settings.warmupSeconds });
      const groups: CpuGroups<'proxy' | 'server' | 'kafka'> = { proxy: processTree(targets[name].pids), server: servers.server, kafka: servers.kafka };
      const opsPort = targets[name].opsPort;
      const producedBefore = opsPort === undefined ? 0 : await produceRequestsSent(opsPort);
      const before = cpuSnapshot(groups);
      const result = await runWrk({ ...wrk, seconds: settings.seconds });
      const c = cpuUsPerRequest(before, cpuSnapshot(groups), result.requests);
      const cpu: CpuPerRequest = {
        proxyUs: c.proxy, serverUs: c.server, kafkaUs: c.kafka,
        ...(opsPort === undefined ? {} : { produceRequestsPerRequest: (await produceRequestsSent(opsPort) - producedBefore) / result.requests }),
      };
      say(`round ${round + 1}/${settings.rounds} ${name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms, errors ${result.errors}; CPU µs/req proxy ${cpu.proxyUs.toFixed(0)}, apiserver+etcd ${cpu.serverUs.toFixed(0)}, kafka ${cpu.kafkaUs.toFixed(0)}${cpu.produceRequestsPerRequest === undefined ? '' : `; produce requests/req ${cpu.produceRequestsPerRequest.toFixed(3)}`}`);
      runs[name].push(result);
      cpuRuns[name].push(cpu);
    }
  }
  const out = {} as BenchResults['throughput'];
  for (const name of TARGETS) {
    const c = cpuRuns[name];
    out[name] = {
      medianRps: median(runs[name].map((r) => r.requestsPerSecond)), runs: runs[name], cpuRuns: c,
      cpu: {
        proxyUs: median(c.map((x) => x.proxyUs)), serverUs: median(c.map((x) => x.serverUs)), kafkaUs: median(c.map((x) => x.kafkaUs)),
        ...(c[0]?.produceRequestsPerRequest === undefined ? {} : { produceRequestsPerRequest: median(c.map((x) => x.produceRequestsPerRequest ?? Number.NaN)) }),
      },
    };
  }
  return out;
}

/** The round-robin's name for the write-ahead floor, probed between the HTTP targets. */
const FLOOR = 'write-ahead floor';

/**
 * Open-loop latency of every target at `rate`, with the write-ahead floor (Kafka alone) probed in the same round-robin,
 * so the floor and the latencies it bounds see the same minutes of a shared machine.
 */
async function measureLatency(settings: BenchSettings, targets: Record<TargetName, Target>, floor: KafkaFloorProber, path: string, rate: number, seconds: number): Promise<{ latency: BenchResults['latency']; floor: KafkaAckFloor }> {
  const http = Object.fromEntries(TARGETS.map((name) => [name, createProber({ url: `${targets[name].base}${path}`, token: targets[name].token })])) as Record<TargetName, Prober>;
  const probers: Record<TargetName | typeof FLOOR, Prober> = { ...http, [FLOOR]: floor };
  let out: Awaited<ReturnType<typeof measureInterleavedLatency<TargetName | typeof FLOOR>>>;
  try {
    out = await measureInterleavedLatency({ probers, rate, seconds, sliceSeconds: settings.sliceSeconds, warmupSeconds: 2 });
  } finally {
    for (const name of TARGETS) await http[name].close();
  }
  for (const name of [...TARGETS, FLOOR] as const) say(`fixed ${rate} req/s ${name}: p50 ${out[name].p50Ms.toFixed(3)} ms, p99 ${out[name].p99Ms.toFixed(3)} ms, errors ${out[name].errors}`);
  const { [FLOOR]: floorProbe, ...latency } = out;
  return { latency, floor: kafkaAckFloorOf(floor, floorProbe, rate) };
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
    const nodeOptions = deployedNodeOptions(root, 'proxy');
    say(`gateway NODE_OPTIONS (from k8s/base/proxy.yaml): ${nodeOptions || '(none)'}`);
    // Every gateway gets an inspector port (idle unless attached) so the audited one can be GC'd before the list.
    const base = { root, dir, stack, topic, nodeOptions, ...(entry === undefined ? {} : { entry }) };
    const inspectOn = await freePort();
    const inspect = async (port?: number) => ({ nodeFlags: [`--inspect=127.0.0.1:${port ?? await freePort()}`] });
    const onOpsPort = await freePort();
    const on = await startProxyProcess({ ...base, ...await inspect(inspectOn), name: 'audit-on', httpsPort: await freePort(), opsPort: onOpsPort, auditEnabled: true });
    cleanups.push({ what: 'proxy audit-on', run: () => on.stop() });
    const off = await startProxyProcess({ ...base, ...await inspect(), name: 'audit-off', httpsPort: await freePort(), opsPort: await freePort(), auditEnabled: false });
    cleanups.push({ what: 'proxy audit-off', run: () => off.stop() });
    const unchained = await startProxyProcess({ ...base, ...await inspect(), name: 'audit-on-unchained', httpsPort: await freePort(), opsPort: await freePort(), auditEnabled: true, env: { PROXY_CHAIN_ENABLED: 'false' } });
    cleanups.push({ what: 'proxy audit-on-unchained', run: () => unchained.stop() });
    const nginx = await startNginx({ dir, root, port: await freePort(), upstream: stack.kubeApiserverUrl });
    cleanups.push({ what: 'nginx', run: () => nginx.stop() });
    const bare = await startBareNodeProxy({ dir, root, port: await freePort(), upstream: stack.kubeApiserverUrl, caFile: join(stack.kubeState, 'pki', 'ca.crt') });
    cleanups.push({ what: 'bare node proxy', run: () => bare.stop() });
    say(`proxies up: audit-on ${on.url} (pid ${on.pid}), audit-off ${off.url} (pid ${off.pid}), nginx ${nginx.url} (pid ${nginx.pid})`);

    const targets: Record<TargetName, Target> = {
      direct: { base: stack.kubeApiserverUrl, token: creds.gatewayToken, pids: [] },
      nginx: { base: nginx.url, token: creds.gatewayToken, pids: [nginx.pid] },
      'bare-node': { base: bare.url, token: creds.gatewayToken, pids: [bare.pid] },
      'gateway-audit-off': { base: off.url, token: cluster.agentToken, pids: [off.pid] },
      'gateway-audit-on': { base: on.url, token: cluster.agentToken, pids: [on.pid], opsPort: onOpsPort },
    };
    const stackPids = readStackPids(dirname(stack.kubeState));
    const servers: ServerPids = { server: [stackPids.kubeApiserver, stackPids.etcd], kafka: [stackPids.kafka] };
    say(`stack pids: kube-apiserver ${stackPids.kubeApiserver}, etcd ${stackPids.etcd}, kafka ${stackPids.kafka}`);
    const check = new Agent({ rejectUnauthorized: false });
    for (const name of TARGETS) await httpOk({ url: `${targets[name].base}${cluster.smallPath}`, token: targets[name].token, agent: check });
    check.destroy();

    say(`throughput: wrk -t${settings.threads} -c${settings.connections} -d${settings.seconds}s, ${settings.rounds} rounds`);
    const throughput = await measureThroughput(settings, targets, servers, cluster.smallPath);
    // The floor replays events the audited gateway wrote during the throughput rounds.
    const floor = await createKafkaFloorProber({ brokers: stack.kafkaBrokers, topic });
    cleanups.push({ what: 'write-ahead floor producer', run: () => floor.close() });
    say(`latency: open loop at ${settings.lightRate} req/s for ${settings.lightSeconds} s per target and the write-ahead floor, round-robin in ${settings.sliceSeconds} s slices`);
    const { latency: lightLatency, floor: lightKafkaFloor } = await measureLatency(settings, targets, floor, cluster.smallPath, settings.lightRate, settings.lightSeconds);
    say(`latency: open loop at ${settings.rate} req/s for ${settings.probeSeconds} s per target and the write-ahead floor, round-robin`);
    const { latency, floor: kafkaFloor } = await measureLatency(settings, targets, floor, cluster.smallPath, settings.rate, settings.probeSeconds);
    const chainCpu = await measureChainCpu({ on, off: unchained, path: cluster.smallPath, token: cluster.agentToken, rate: settings.rate, seconds: settings.probeSeconds });
    say(`gateway CPU per request, chain on / off: ${chainCpu.onUsPerRequest.toFixed(0)} / ${chainCpu.offUsPerRequest.toFixed(0)} µs`);

    const listTargetBytes = settings.listMegabytes * 1_000_000;
    const created = await cluster.createBulk(Math.ceil(listTargetBytes * 1.04), 900_000);
    say(`created ${created} ConfigMaps of ~900 kB; forcing a GC in the audited gateway, then streaming their LIST through it`);
    await collectGarbage(inspectOn);
    await new Promise((r) => setTimeout(r, 500));
    const list = await streamListSamplingRss({
      url: `${on.url}/api/v1/namespaces/${cluster.namespace}/configmaps`, token: cluster.agentToken, pid: on.pid, sampleMs: 50, timeoutMs: 180_000,
    });
    await cluster.deleteBulk();

    say(`opening ${settings.watches} watches through the audited gateway`);
    const watches = await holdWatches({
      baseUrl: on.url, path: `/api/v1/namespaces/${cluster.namespace}/configmaps?watch=1&labelSelector=bench%3Dnone&timeoutSeconds=600`,
      token: cluster.agentToken, pid: on.pid, count: settings.watches, openPerSecond: 200, establishMs: 60_000,
    });

    const results: BenchResults = { throughput, lightLatency, latency, lightKafkaFloor, list, listTargetBytes, watches, kafkaFloor, chainCpu };
    const rows = verdictRows(results);
    const report = [
      `Auditgate proxy benchmark — ${new Date().toISOString()}, ${cpus().length} CPUs, Node ${process.version}`,
      `All targets are HTTPS (TLS on the gateway too, like the kube-apiserver); load generator and every server share this machine.`,
      `direct/nginx/bare-node use the gateway's upstream static token; the gateway runs use a service-account JWT (audience auditgate).`,
      '', renderReport(rows), '', renderTargets(results), '', `JSON: ${settings.outFile}`,
    ].join('\n');
    writeResultSection(settings.outFile, 'proxy', { settings, rows, results });
    process.stdout.write(`${report}\n`);
  } finally {
    await cleanup();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  say(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
