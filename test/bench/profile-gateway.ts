/**
 * Where the audited request path spends its CPU (a tool, not a benchmark): runs the compiled gateway with auditing on
 * and off under V8's sampling profiler (`--cpu-prof`), drives each with the same open-loop GET load, and prints (1) the
 * main thread's time per request by component over the measured seconds (kafkajs, our source folders, Node's core,
 * the garbage collector, (program)), on against off (profile-split.ts), and (2) the functions with the most self time
 * in each, with the difference. The profiler's own overhead inflates the absolute µs; compare on against off.
 * Knobs: BENCH_PROFILE_RATE (300 req/s), BENCH_PROFILE_SECONDS (20), BENCH_PROFILE_TOP (25), BENCH_PROFILE_ENTRY (a
 * compiled entry to profile instead of a fresh build; its .map files, if any, name the components). Profiles are kept
 * in the printed folder.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvReader } from '@auditgate/shared';
import { readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { createBenchCluster } from './bench-cluster.js';
import { createBenchTopic } from './bench-topic.js';
import { compileProxy } from './compile-proxy.js';
import { probeConstantRate } from './constant-rate-prober.js';
import { deployedNodeOptions } from './deployed-node-options.js';
import { freePort } from './free-port.js';
import { startProxyProcess } from './proxy-process.js';
import { componentSeconds, type CpuProfile } from './profile-split.js';
import { renderTable } from './report-table.js';

/** Self time share per function (`name url:line`) of one .cpuprofile. */
function selfShares(profile: CpuProfile): Map<string, number> {
  const total = profile.samples.length;
  const byNode = new Map<number, number>();
  for (const id of profile.samples) byNode.set(id, (byNode.get(id) ?? 0) + 1);
  const out = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = byNode.get(node.id) ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules\/|services\/|proxy\/)/, '$1')}:${lineNumber + 1}`;
    out.set(key, (out.get(key) ?? 0) + hits / total);
  }
  return out;
}

async function main(): Promise<void> {
  const r = new EnvReader(process.env);
  const rate = r.int('BENCH_PROFILE_RATE', 300, { min: 1, max: 10_000 });
  const seconds = r.int('BENCH_PROFILE_SECONDS', 20, { min: 1, max: 600 });
  const top = r.int('BENCH_PROFILE_TOP', 25, { min: 1, max: 500 });
  const givenEntry = r.str('BENCH_PROFILE_ENTRY', '');
  r.finish();
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-profile-'));
  const suffix = uniqueName('prof').toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const topic = `auditgate.bench.events.${suffix}`;
  const dropTopic = await createBenchTopic(stack.kafkaBrokers, topic);
  const cluster = await createBenchCluster({ apiserver: stack.kubeApiserverUrl, ca: creds.ca, adminToken: creds.adminToken, namespace: suffix });
  const entry = givenEntry !== '' ? givenEntry : await compileProxy(root, { dir: 'profile', sourcemap: true });
  const shares: Record<string, Map<string, number>> = {};
  const perRequest: Record<string, Map<string, number>> = {};
  try {
    for (const audit of [true, false]) {
      const name = audit ? 'on' : 'off';
      const profDir = join(dir, name);
      const gw = await startProxyProcess({
        name, root, dir, stack, topic, entry, nodeOptions: deployedNodeOptions(root, 'proxy'), auditEnabled: audit,
        httpsPort: await freePort(), opsPort: await freePort(), nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
      });
      const url = `${gw.url}${cluster.smallPath}`;
      const probe = await probeConstantRate({ url, token: cluster.agentToken, rate, seconds, warmupSeconds: 3 });
      const probeEnded = performance.now();
      process.stderr.write(`audit ${name}: ${probe.ok} ok, p50 ${probe.p50Ms.toFixed(2)} ms\n`);
      await gw.stop();
      // The profile ends when the process exits: the measured seconds end that long before its end.
      const tailUs = (performance.now() - probeEnded) * 1000;
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (file === undefined) throw new Error(`no profile in ${profDir}`);
      const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
      shares[name] = selfShares(profile);
      const toUs = profile.endTime - profile.startTime - tailUs;
      const spent = componentSeconds(profile, { fromUs: toUs - seconds * 1e6, toUs });
      perRequest[name] = new Map([...spent].map(([k, v]) => [k, (v * 1e6) / Math.max(1, probe.ok)]));
    }
  } finally {
    await cluster.remove();
    await dropTopic();
  }
  const us = (m: Map<string, number>, k: string) => m.get(k) ?? 0;
  const pOn = perRequest['on']!;
  const pOff = perRequest['off']!;
  const components = [...new Set([...pOn.keys(), ...pOff.keys()])].sort((a, b) => (us(pOn, b) - us(pOff, b)) - (us(pOn, a) - us(pOff, a)));
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const componentRows = [...components.map((k) => [k, us(pOn, k).toFixed(0), us(pOff, k).toFixed(0), (us(pOn, k) - us(pOff, k)).toFixed(0)]),
    ['total (main thread, not idle)', sum(pOn).toFixed(0), sum(pOff).toFixed(0), (sum(pOn) - sum(pOff)).toFixed(0)]];
  process.stdout.write(`main-thread time per request by component (µs), audit on vs off, ${rate} req/s for ${seconds} s\n${renderTable(['component', 'on', 'off', 'on - off'], componentRows)}\n\n`);
  const on = shares['on']!;
  const off = shares['off']!;
  const rows = [...on.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([key, share]) => [`${(share * 100).toFixed(1)} %`, `${((off.get(key) ?? 0) * 100).toFixed(1)} %`, key]);
  process.stdout.write(`self time, audit on vs off, ${rate} req/s for ${seconds} s (profiles in ${dir})\n${renderTable(['on', 'off', 'function'], rows)}\n`);
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`profile failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
