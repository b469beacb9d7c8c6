/**
 * Before/after CPU of one change to the gateway, in one run: two compiled builds (BENCH_AB_BEFORE, BENCH_AB_AFTER:
 * entry files, e.g. a copy of compile-proxy's output made before the change and a fresh one after) run side by side
 * with auditing on, at the same fixed rate. BENCH_AB_MODE=concurrent (the default) probes both at once in every round,
 * so whatever else loads the shared machine hits both alike, and reports the median of the per-round ratios (after /
 * before) with its spread; `alternate` probes one at a time, rounds alternating, and compares the medians.
 * Knobs: BENCH_AB_RATE (300 req/s), BENCH_AB_SECONDS (60, split over the rounds), BENCH_AB_ROUNDS (6).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvReader } from '@auditgate/shared';
import { readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { createBenchCluster } from './bench-cluster.js';
import { createBenchTopic } from './bench-topic.js';
import { measureChainCpu } from './chain-cpu.js';
import { probeConstantRate } from './constant-rate-prober.js';
import { cpuMs } from './process-cpu.js';
import { median } from './bench-results.js';
import { deployedNodeOptions } from './deployed-node-options.js';
import { freePort } from './free-port.js';
import { startProxyProcess } from './proxy-process.js';

/** One gateway under test. */
interface Gateway { readonly url: string; readonly pid: number }

/** Both gateways probed at once in each round; CPU per request of each, and the per-round ratios after / before (sorted). */
async function measureConcurrently(o: { before: Gateway; after: Gateway; path: string; token: string; rate: number; seconds: number; rounds: number }): Promise<{ beforeUs: number; afterUs: number; ratio: number; ratios: number[]; requests: number }> {
  const slice = Math.max(1, Math.round(o.seconds / o.rounds));
  const probe = (g: Gateway, seconds: number) => probeConstantRate({ url: `${g.url}${o.path}`, token: o.token, rate: o.rate, seconds, warmupSeconds: 0 });
  await Promise.all([probe(o.before, 3), probe(o.after, 3)]);
  const before: number[] = [];
  const after: number[] = [];
  const ratios: number[] = [];
  let requests = 0;
  for (let i = 0; i < o.rounds; i += 1) {
    const c0 = [cpuMs(o.before.pid), cpuMs(o.after.pid)] as const;
    const [pb, pa] = await Promise.all([probe(o.before, slice), probe(o.after, slice)]);
    const b = ((cpuMs(o.before.pid) - c0[0]) * 1000) / Math.max(1, pb.ok);
    const a = ((cpuMs(o.after.pid) - c0[1]) * 1000) / Math.max(1, pa.ok);
    before.push(b);
    after.push(a);
    ratios.push(a / b);
    requests += pb.ok + pa.ok;
  }
  ratios.sort((x, y) => x - y);
  return { beforeUs: median(before), afterUs: median(after), ratio: median(ratios), ratios, requests };
}

async function main(): Promise<void> {
  const r = new EnvReader(process.env);
  const before = r.str('BENCH_AB_BEFORE', '');
  const after = r.str('BENCH_AB_AFTER', '');
  const rate = r.int('BENCH_AB_RATE', 300, { min: 1, max: 10_000 });
  const seconds = r.int('BENCH_AB_SECONDS', 60, { min: 1, max: 3600 });
  const rounds = r.int('BENCH_AB_ROUNDS', 6, { min: 2, max: 100 });
  const mode = r.oneOf('BENCH_AB_MODE', ['concurrent', 'alternate'] as const, 'concurrent');
  r.finish();
  if (before === '' || after === '') throw new Error('set BENCH_AB_BEFORE and BENCH_AB_AFTER to two compiled proxy entries');
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  // Read before anything is created, so a bad deployment file leaves no topic or namespace behind.
  const nodeOptions = deployedNodeOptions(root, 'proxy');
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-ab-'));
  const suffix = uniqueName('ab').toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const topic = `auditgate.bench.events.${suffix}`;
  const dropTopic = await createBenchTopic(stack.kafkaBrokers, topic);
  const cluster = await createBenchCluster({ apiserver: stack.kubeApiserverUrl, ca: creds.ca, adminToken: creds.adminToken, namespace: suffix });
  const base = { root, dir, stack, topic, nodeOptions, auditEnabled: true };
  const a = await startProxyProcess({ ...base, name: 'before', entry: before, httpsPort: await freePort(), opsPort: await freePort() });
  const b = await startProxyProcess({ ...base, name: 'after', entry: after, httpsPort: await freePort(), opsPort: await freePort() });
  try {
    if (mode === 'concurrent') {
      const res = await measureConcurrently({ before: a, after: b, path: cluster.smallPath, token: cluster.agentToken, rate, seconds, rounds });
      const pct = (x: number) => `${((x - 1) * 100).toFixed(1)} %`;
      process.stdout.write(`gateway CPU per request @ ${rate} req/s each, audit on, ${rounds} concurrent rounds: before ${res.beforeUs.toFixed(0)} µs, after ${res.afterUs.toFixed(0)} µs (medians); after / before per round: median ${pct(res.ratio)}, range ${pct(res.ratios[0]!)} .. ${pct(res.ratios[res.ratios.length - 1]!)} [${res.ratios.map((x) => x.toFixed(3)).join(' ')}], ${res.requests} requests\n`);
      return;
    }
    const res = await measureChainCpu({ on: b, off: a, path: cluster.smallPath, token: cluster.agentToken, rate, seconds, rounds });
    process.stdout.write(`gateway CPU per request @ ${rate} req/s, audit on, ${rounds} alternating rounds: before ${res.offUsPerRequest.toFixed(0)} µs, after ${res.onUsPerRequest.toFixed(0)} µs (${(((res.onUsPerRequest / res.offUsPerRequest) - 1) * 100).toFixed(1)} %), ${res.requests} requests\n`);
  } finally {
    await a.stop();
    await b.stop();
    await cluster.remove();
    await dropTopic();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`ab-cpu failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
