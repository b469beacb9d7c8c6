/** The benchmark's knobs, read once from the environment (BENCH_*); defaults are the targets and load. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvReader, type Env } from '@auditgate/shared';

/** Every setting of one benchmark run. */
export interface BenchSettings {
  readonly connections: number;
  readonly threads: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  /** The reported fixed rate (BENCH_RATE, 500 req/s). */
  readonly rate: number;
  readonly probeSeconds: number;
  /** The light load where nothing saturates and the latency targets apply (BENCH_LIGHT_RATE, 100 req/s). */
  readonly lightRate: number;
  readonly lightSeconds: number;
  /** Length of one round-robin slice of the interleaved latency probes. */
  readonly sliceSeconds: number;
  readonly watches: number;
  readonly listMegabytes: number;
  /** The results JSON (default test/bench/results/latest.json); a markdown table is written beside it. */
  readonly outFile: string;
  /** How the gateway runs: `compiled` (esbuild JS on node, as in the image) or `tsx` (the sources). */
  readonly proxyRuntime: 'compiled' | 'tsx';
}

/** Reads BENCH_CONNECTIONS, BENCH_THREADS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ROUNDS, BENCH_RATE, BENCH_PROBE_SECONDS, BENCH_LIGHT_RATE, BENCH_LIGHT_SECONDS, BENCH_SLICE_SECONDS, BENCH_WATCHES, BENCH_LIST_MB, BENCH_OUT, BENCH_PROXY_RUNTIME. */
export function readBenchSettings(env: Env): BenchSettings {
  const r = new EnvReader(env);
  const settings: BenchSettings = {
    connections: r.int('BENCH_CONNECTIONS', 64, { min: 1, max: 4096 }),
    threads: r.int('BENCH_THREADS', 2, { min: 1, max: 64 }),
    seconds: r.int('BENCH_SECONDS', 10, { min: 1, max: 300 }),
    warmupSeconds: r.int('BENCH_WARMUP_SECONDS', 3, { min: 0, max: 60 }),
    rounds: r.int('BENCH_ROUNDS', 3, { min: 1, max: 10 }),
    rate: r.int('BENCH_RATE', 500, { min: 1, max: 20_000 }),
    probeSeconds: r.int('BENCH_PROBE_SECONDS', 10, { min: 1, max: 300 }),
    lightRate: r.int('BENCH_LIGHT_RATE', 100, { min: 1, max: 20_000 }),
    lightSeconds: r.int('BENCH_LIGHT_SECONDS', 20, { min: 1, max: 600 }),
    sliceSeconds: r.int('BENCH_SLICE_SECONDS', 2, { min: 1, max: 60 }),
    watches: r.int('BENCH_WATCHES', 1000, { min: 1, max: 20_000 }),
    listMegabytes: r.int('BENCH_LIST_MB', 50, { min: 1, max: 500 }),
    proxyRuntime: r.oneOf('BENCH_PROXY_RUNTIME', ['compiled', 'tsx'] as const, 'compiled'),
    outFile: r.str('BENCH_OUT', join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json')),
  };
  r.finish();
  return settings;
}
