/** The hash chain's and checkpoints' CPU cost: gateway CPU per request with the chain on and off, at the same fixed rate. */
import { probeConstantRate } from './constant-rate-prober.js';
import { cpuMs } from './process-cpu.js';

/** Gateway CPU per request, chain on and off. */
export interface ChainCpuResult {
  readonly onUsPerRequest: number;
  readonly offUsPerRequest: number;
  readonly requests: number;
  readonly rate: number;
}

/** One audited gateway process to measure. */
interface Gateway { readonly url: string; readonly pid: number }

async function usPerRequest(g: Gateway, path: string, token: string, rate: number, seconds: number): Promise<{ us: number; ok: number }> {
  await probeConstantRate({ url: `${g.url}${path}`, token, rate, seconds: 2, warmupSeconds: 0 });
  const before = cpuMs(g.pid);
  const probe = await probeConstantRate({ url: `${g.url}${path}`, token, rate, seconds, warmupSeconds: 0 });
  return { us: ((cpuMs(g.pid) - before) * 1000) / Math.max(1, probe.ok), ok: probe.ok };
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

/**
 * Measures both audited gateways (chain on: `on`, PROXY_CHAIN_ENABLED=false: `off`) at `rate`, in `rounds` alternating
 * rounds of `seconds / rounds` each (drift on a shared machine then hits both alike); the medians are reported.
 */
export async function measureChainCpu(o: { on: Gateway; off: Gateway; path: string; token: string; rate: number; seconds: number; rounds?: number }): Promise<ChainCpuResult> {
  const rounds = o.rounds ?? 3;
  const seconds = Math.max(1, Math.round(o.seconds / rounds));
  const on: number[] = [];
  const off: number[] = [];
  let requests = 0;
  for (let i = 0; i < rounds; i += 1) {
    for (const [g, into] of (i % 2 === 0 ? [[o.on, on], [o.off, off]] : [[o.off, off], [o.on, on]]) as Array<[Gateway, number[]]>) {
      const r = await usPerRequest(g, o.path, o.token, o.rate, seconds);
      into.push(r.us);
      requests += r.ok;
    }
  }
  return { onUsPerRequest: median(on), offUsPerRequest: median(off), requests, rate: o.rate };
}
