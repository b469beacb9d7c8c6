/** The measured numbers of one benchmark run and the verdict rows derived from them. */
import type { ProbeResult } from './constant-rate-prober.js';
import type { ChainCpuResult } from './chain-cpu.js';
import type { KafkaAckFloor } from './kafka-ack-floor.js';
import type { WatchesResult } from './open-watches.js';
import type { StreamListResult } from './stream-list.js';
import type { WrkResult } from './run-wrk.js';
import { info, judged, renderTable, type ReportRow } from './report-table.js';

/** The ways to reach the API server that are compared. */
export const TARGETS = ['direct', 'nginx', 'bare-node', 'gateway-audit-off', 'gateway-audit-on'] as const;
/** One of `TARGETS`. */
export type TargetName = (typeof TARGETS)[number];

/** Everything measured in one run. */
export interface BenchResults {
  readonly throughput: Record<TargetName, { readonly medianRps: number; readonly runs: readonly WrkResult[] }>;
  readonly latency: Record<TargetName, ProbeResult>;
  readonly list: StreamListResult;
  readonly listTargetBytes: number;
  readonly watches: WatchesResult;
  /** The write-ahead alone (no HTTP): the floor under the gateway's added latency with auditing on. */
  readonly kafkaFloor: KafkaAckFloor;
  /** Gateway CPU per request with the hash chain and checkpoints on and off (audit on both ways). */
  readonly chainCpu: ChainCpuResult;
}

const MB = 1024 * 1024;
const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'NaN');

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function errorsOf(results: BenchResults, name: TargetName): number {
  return results.throughput[name].runs.reduce((sum, r) => sum + r.errors, 0) + results.latency[name].errors;
}

/** The verdict rows: the targets first, then reference numbers. */
export function verdictRows(results: BenchResults): ReportRow[] {
  const rps = (name: TargetName) => results.throughput[name].medianRps;
  const lat = results.latency;
  const on = 'gateway-audit-on';
  const errors = TARGETS.map((t) => errorsOf(results, t)).reduce((a, b) => a + b, 0);
  const errNote = errors > 0 ? `${errors} failed requests in the runs: see the per-target table` : undefined;
  const auditVsOff = rps(on) / rps('gateway-audit-off');
  const auditVsDirect = rps(on) / rps('direct');
  const addP50 = lat[on].p50Ms - lat.direct.p50Ms;
  const addP99 = lat[on].p99Ms - lat.direct.p99Ms;
  const w = results.watches;
  const kf = results.kafkaFloor;
  const l = results.list;
  const listOk = l.status === 200 && l.bytes >= results.listTargetBytes;
  return [
    judged('throughput: audit on / audit off (64 conns, GET small CM)', f(auditVsOff, 3), '>= 0.85', auditVsOff >= 0.85 && errors === 0, errNote),
    judged('throughput: audit on / direct kube-apiserver', f(auditVsDirect, 3), '>= 0.80', auditVsDirect >= 0.8 && errors === 0, errNote),
    judged(`added latency p50 @ ${f(lat[on].achievedRate, 0)} req/s (audit on - direct)`, `${f(addP50, 3)} ms`, '<= 1 ms', addP50 <= 1 && lat[on].errors === 0,
      `the write-ahead's Kafka ack alone: p50 ${f(kf.p50Ms, 3)} ms`),
    judged(`added latency p99 @ ${f(lat[on].achievedRate, 0)} req/s (audit on - direct)`, `${f(addP99, 3)} ms`, '<= 5 ms', addP99 <= 5 && lat[on].errors === 0,
      `the write-ahead's Kafka ack alone: p99 ${f(kf.p99Ms, 3)} ms`),
    judged(`RSS with ${w.requested} open watches (audit on)`, `${f(w.rssWithWatchesBytes / MB, 1)} MB`, '<= 256 MB',
      w.rssWithWatchesBytes <= 256 * MB && w.established === w.requested,
      `${w.established}/${w.requested} watches established, ${w.failed} failed; RSS before ${f(w.rssBeforeBytes / MB, 1)} MB`),
    judged(`RSS growth while a ${f(l.bytes / 1e6, 1)} MB list streams (audit on)`, `${f(l.rssGrowthBytes / MB, 1)} MB`, '<= 64 MB',
      l.rssGrowthBytes <= 64 * MB && listOk,
      `HTTP ${l.status}, ${f(l.seconds, 1)} s, ${l.samples} samples @50 ms, RSS ${f(l.rssBeforeBytes / MB, 1)} -> ${f(l.rssMaxBytes / MB, 1)} MB${listOk ? '' : ', LIST TOO SMALL OR FAILED'}`),
    info('throughput: nginx / direct (ceiling of a plain proxy here)', f(rps('nginx') / rps('direct'), 3)),
    info('throughput: audit off / direct', f(rps('gateway-audit-off') / rps('direct'), 3)),
    info('throughput: audit on / nginx', f(rps(on) / rps('nginx'), 3)),
    info('throughput: bare Node https proxy / direct (floor of any Node proxy here)', f(rps('bare-node') / rps('direct'), 3)),
    info('throughput: audit on / bare Node https proxy', f(rps(on) / rps('bare-node'), 3)),
    info('added latency p50 / p99: nginx - direct', `${f(lat.nginx.p50Ms - lat.direct.p50Ms, 3)} / ${f(lat.nginx.p99Ms - lat.direct.p99Ms, 3)} ms`),
    info(`write-ahead alone @ ${f(kf.rate, 0)}/s: Kafka acks=all p50 / p99 (no HTTP; floor of the audit-on latency)`, `${f(kf.p50Ms, 3)} / ${f(kf.p99Ms, 3)} ms`,
      `${kf.sent} real events replayed through the proxy's BatchingProducer, ${kf.receivedBytes} B + deferred ${kf.completeBytes} B each`),
    info('added latency p50 / p99: bare Node https proxy - direct', `${f(lat['bare-node'].p50Ms - lat.direct.p50Ms, 3)} / ${f(lat['bare-node'].p99Ms - lat.direct.p99Ms, 3)} ms`),
    info(`gateway CPU per request @ ${f(results.chainCpu.rate, 0)} req/s: chain + checkpoints on / off`,
      `${f(results.chainCpu.onUsPerRequest, 0)} / ${f(results.chainCpu.offUsPerRequest, 0)} µs`,
      `${results.chainCpu.onUsPerRequest >= results.chainCpu.offUsPerRequest ? '+' : ''}${f(results.chainCpu.onUsPerRequest - results.chainCpu.offUsPerRequest, 0)} µs for the chain (SHA-256 of the canonical event, 2-3 per request) and its signed checkpoints; ${results.chainCpu.requests} requests`),
    info('added latency p50 / p99: audit off - direct', `${f(lat['gateway-audit-off'].p50Ms - lat.direct.p50Ms, 3)} / ${f(lat['gateway-audit-off'].p99Ms - lat.direct.p99Ms, 3)} ms`),
  ];
}

/** The per-target table: raw req/s per round and latency percentiles. */
export function renderTargets(results: BenchResults): string {
  return renderTable(
    ['target', 'req/s (median)', 'req/s per round', 'wrk p50/p99 ms', 'errors', 'fixed-rate p50/p90/p99 ms', 'rate', 'sched lag p99'],
    TARGETS.map((name) => {
      const t = results.throughput[name];
      const p = results.latency[name];
      const wrkP50 = median(t.runs.map((r) => r.latencyP50Ms));
      const wrkP99 = median(t.runs.map((r) => r.latencyP99Ms));
      return [
        name, f(t.medianRps, 0), t.runs.map((r) => f(r.requestsPerSecond, 0)).join(' '), `${f(wrkP50)}/${f(wrkP99)}`,
        String(errorsOf(results, name)), `${f(p.p50Ms, 3)}/${f(p.p90Ms, 3)}/${f(p.p99Ms, 3)}`, f(p.achievedRate, 0), `${f(p.scheduleLagP99Ms)} ms`,
      ];
    }),
  );
}
