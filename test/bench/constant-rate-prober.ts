/**
 * An open-loop latency prober: sends GETs at a fixed rate whatever the answers do (no coordinated omission from
 * waiting), over a keep-alive agent, and reports latency percentiles. wrk cannot hold a constant rate; this can.
 */
import { request, Agent } from 'node:https';
import { performance } from 'node:perf_hooks';

/** Latency distribution of one probe, in milliseconds. */
export interface ProbeResult {
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** p99 of how late a request left against its schedule: large values mean the prober itself could not keep up. */
  readonly scheduleLagP99Ms: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function oneGet(url: string, headers: Record<string, string>, agent: Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
      res.on('error', () => resolve(false));
    });
    req.setTimeout(5000, () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** What one open-loop phase saw: raw latencies and schedule lags (ms), failures and wall time. */
export interface PhaseSamples { readonly latencies: number[]; readonly lags: number[]; readonly errors: number; readonly elapsedS: number }

async function phase(url: string, headers: Record<string, string>, agent: Agent, rate: number, seconds: number): Promise<PhaseSamples> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const lags: number[] = [];
  const inflight = new Set<Promise<void>>();
  let errors = 0;
  let sent = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
      while (sent < due) {
        lags.push(now - (t0 + (sent * 1000) / rate));
        sent += 1;
        const start = performance.now();
        const p = oneGet(url, headers, agent).then((ok) => {
          if (ok) latencies.push(performance.now() - start); else errors += 1;
        });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      if (sent >= total) { clearInterval(tick); resolve(); }
    }, 1);
  });
  await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 10_000))]);
  return { latencies, lags, errors: errors + inflight.size, elapsedS: (performance.now() - t0) / 1000 };
}

/** Percentiles over the samples of one or more phases (slices of an interleaved probe are pooled). */
export function summarizePhases(phases: readonly PhaseSamples[]): ProbeResult {
  const sorted = phases.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const lags = phases.flatMap((p) => p.lags).sort((a, b) => a - b);
  const errors = phases.reduce((sum, p) => sum + p.errors, 0);
  const elapsedS = phases.reduce((sum, p) => sum + p.elapsedS, 0);
  return {
    sent: sorted.length + errors, ok: sorted.length, errors, achievedRate: (sorted.length + errors) / elapsedS,
    p50Ms: percentile(sorted, 50), p90Ms: percentile(sorted, 90), p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN, scheduleLagP99Ms: percentile(lags, 99),
  };
}

/** Something probed open-loop in phases: a URL over one keep-alive agent (short slices reuse warm connections), or the write-ahead alone. */
export interface Prober {
  /** Sends at `rate` per second for `seconds` and returns the raw samples. */
  phase(rate: number, seconds: number): Promise<PhaseSamples>;
  close(): void | Promise<void>;
}

/** Creates a prober for `url` with `token` (TLS unverified unless `ca` is given). */
export function createProber(options: { url: string; token: string; ca?: Buffer }): Prober {
  const agent = new Agent({
    keepAlive: true, maxSockets: 64, scheduling: 'lifo',
    ...(options.ca === undefined ? { rejectUnauthorized: false } : { ca: options.ca }),
  });
  const headers = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
  return { phase: (rate, seconds) => phase(options.url, headers, agent, rate, seconds), close: () => agent.destroy() };
}

/** Warms up for `warmupSeconds`, then probes `url` at `rate` req/s for `seconds`. */
export async function probeConstantRate(options: {
  url: string; token: string; rate: number; seconds: number; warmupSeconds: number; ca?: Buffer;
}): Promise<ProbeResult> {
  const prober = createProber(options);
  try {
    await prober.phase(options.rate, options.warmupSeconds);
    return summarizePhases([await prober.phase(options.rate, options.seconds)]);
  } finally {
    prober.close();
  }
}
