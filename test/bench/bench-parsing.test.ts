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
