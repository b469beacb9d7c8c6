import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrk } from './run-wrk.js';
import { percentile } from './constant-rate-prober.js';
import { median } from './bench-results.js';

const WRK_OUT = `Running 10s test @ https://127.0.0.1:6443/api/v1/namespaces/x/configmaps/small
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    47.57ms   35.10ms 412.21ms   80.12%
    Req/Sec   712.05    120.33     1.01k    71.00%
  Latency Distribution
     50%  850.00us
     75%   58.21ms
     90%   88.12ms
     99%    1.20s
  14201 requests in 10.01s, 12.34MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   1418.71
Transfer/sec:      1.23MB
`;

describe('benchmark parsing', () => {
  it('reads wrk rate, counts, errors and latency percentiles in any unit', () => {
    const r = parseWrk(WRK_OUT);
    assert.equal(r.requestsPerSecond, 1418.71);
    assert.equal(r.requests, 14201);
    assert.equal(r.errors, 12);
    assert.equal(r.latencyP50Ms, 0.85);
    assert.equal(r.latencyP99Ms, 1200);
  });

  it('rejects output without a summary', () => {
    assert.throws(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused'), /unexpected wrk output/);
  });

  it('takes nearest-rank percentiles and medians', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});

describe('benchmark CPU accounting and results file', () => {
  it('reads this process and its tree from /proc, and divides CPU by requests in µs', async () => {
    const { cpuMs, processTree, cpuUsPerRequest } = await import('./process-cpu.js');
    assert.ok(cpuMs(process.pid) >= 0);
    assert.ok(processTree([process.pid]).includes(process.pid));
    assert.deepEqual(cpuUsPerRequest({ a: 100, b: 0 }, { a: 150, b: 20 }, 1000), { a: 50, b: 20 });
  });

  it('renders every section as a markdown table with the verdicts', async () => {
    const { renderMarkdown } = await import('./results-file.js');
    const md = renderMarkdown({ proxy: { at: 'T', rows: [{ metric: 'm|x', measured: '1', target: '<= 2', verdict: 'PASS' }] } }, '# h');
    assert.match(md, /## proxy \(T\)/);
    assert.match(md, /\| m\\\|x \| 1 \| <= 2 \| \*\*PASS\*\* \|/);
  });
});

describe('benchmark verdicts (verdictRows)', async () => {
  const { verdictRows, TARGETS } = await import('./bench-results.js');
  type Results = Parameters<typeof verdictRows>[0];
  type Target = (typeof TARGETS)[number];
  const probe = (p50Ms: number, p99Ms: number, errors = 0) => ({
    sent: 1000 + errors, ok: 1000, errors, achievedRate: 100, p50Ms, p90Ms: p50Ms, p99Ms, maxMs: p99Ms, scheduleLagP99Ms: 1,
  });
  const floor = (p50Ms: number, p99Ms: number, errors = 0) => ({ rate: 100, sent: 1000, errors, p50Ms, p99Ms, receivedBytes: 1800, completeBytes: 2600 });
  /** Results where audit on costs `onUs` per request against 1000 µs off, 500 µs bare and 1250 µs of kube-apiserver + etcd. */
  const results = (o: { onUs?: number; wrkErrors?: number; addP50?: number; addP99?: number; floorErrors?: number; watchesRss?: number; listGrowth?: number; listBytes?: number } = {}): Results => {
    const proxyUs: Record<Target, number> = { direct: 0, nginx: 100, 'bare-node': 500, 'gateway-audit-off': 1000, 'gateway-audit-on': o.onUs ?? 1000 };
    const throughput = {} as Results['throughput'];
    const lat = {} as Results['latency'];
    for (const name of TARGETS) {
      const cpu = { proxyUs: proxyUs[name], serverUs: 1250, kafkaUs: 10 };
      const run = { requestsPerSecond: 1000, requests: 10_000, errors: name === 'gateway-audit-on' ? (o.wrkErrors ?? 0) : 0, latencyP50Ms: 1, latencyP99Ms: 5 };
      throughput[name] = { medianRps: 1000, runs: [run], cpu, cpuRuns: [cpu] };
      lat[name] = name === 'gateway-audit-on' ? probe(2 + (o.addP50 ?? 0), 10 + (o.addP99 ?? 0)) : probe(2, 10);
    }
    const MiB = 1024 * 1024;
    return {
      throughput, lightLatency: lat, latency: lat, lightKafkaFloor: floor(2, 20, o.floorErrors ?? 0), kafkaFloor: floor(2, 20),
      list: { status: 200, bytes: o.listBytes ?? 50_000_000, seconds: 1, samples: 20, rssBeforeBytes: 100 * MiB, rssMaxBytes: 100 * MiB + (o.listGrowth ?? 10 * MiB), rssGrowthBytes: o.listGrowth ?? 10 * MiB },
      listTargetBytes: 50_000_000,
      watches: { requested: 1000, established: 1000, failed: 0, rssBeforeBytes: 100 * MiB, rssWithWatchesBytes: o.watchesRss ?? 200 * MiB, openSeconds: 5 },
      chainCpu: { onUsPerRequest: 1000, offUsPerRequest: 950, requests: 9000, rate: 500 },
    };
  };
  const verdict = (r: Results, metric: RegExp) => {
    const row = verdictRows(r).find((x) => metric.test(x.metric));
    assert.ok(row !== undefined, `no row ${metric}`);
    return row.verdict;
  };
  const onOff = /audit on \/ audit off \(proxy/;
  const onBare = /audit on \/ bare Node/;
  const onServer = /audit on \/ kube-apiserver \+ etcd/;

  it('CPU targets: a ratio at its bound passes, just above it misses, per target', () => {
    // 1200 µs: 1.2 x off (bound), 2.4 x bare (MISS), 0.96 x the server (MISS).
    assert.equal(verdict(results({ onUs: 1200 }), onOff), 'PASS');
    assert.equal(verdict(results({ onUs: 1201 }), onOff), 'MISS');
    assert.equal(verdict(results({ onUs: 1000 }), onBare), 'PASS');
    assert.equal(verdict(results({ onUs: 1001 }), onBare), 'MISS');
    assert.equal(verdict(results({ onUs: 1000 }), onServer), 'PASS');
    assert.equal(verdict(results({ onUs: 1001 }), onServer), 'MISS');
    assert.equal(verdict(results({ onUs: Number.NaN }), onOff), 'MISS');
  });

  it('a run with failed requests misses the CPU targets however cheap it was', () => {
    for (const metric of [onOff, onBare, onServer]) assert.equal(verdict(results({ onUs: 600, wrkErrors: 1 }), metric), 'MISS');
  });

  it('light-load latency: added p50 within floor p50 + 0.5 ms and added p99 within floor p99 + 3 ms; a floor that lost acks misses', () => {
    const p50 = /added latency p50 @/;
    const p99 = /added latency p99 @/;
    assert.equal(verdict(results({ addP50: 2.5 }), p50), 'PASS');
    assert.equal(verdict(results({ addP50: 2.51 }), p50), 'MISS');
    assert.equal(verdict(results({ addP99: 23 }), p99), 'PASS');
    assert.equal(verdict(results({ addP99: 23.01 }), p99), 'MISS');
    assert.equal(verdict(results({ addP50: 1, floorErrors: 1 }), p50), 'MISS');
  });

  it('memory: 256 MiB with the watches, 64 MiB of growth, and a list that really streamed', () => {
    const MiB = 1024 * 1024;
    assert.equal(verdict(results({ watchesRss: 256 * MiB }), /open watches/), 'PASS');
    assert.equal(verdict(results({ watchesRss: 256 * MiB + 1 }), /open watches/), 'MISS');
    assert.equal(verdict(results({ listGrowth: 64 * MiB }), /RSS growth/), 'PASS');
    assert.equal(verdict(results({ listGrowth: 64 * MiB + 1 }), /RSS growth/), 'MISS');
    assert.equal(verdict(results({ listBytes: 49_000_000 }), /RSS growth/), 'MISS');
  });
});
