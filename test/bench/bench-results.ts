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

/** CPU time (utime + stime) per completed request, in µs, of the processes one request goes through. */
export interface CpuPerRequest {
  /** The proxy process itself (nginx: master and workers); 0 for direct. */
  readonly proxyUs: number;
  /** kube-apiserver + etcd. */
  readonly serverUs: number;
  readonly kafkaUs: number;
  /** Kafka produce requests the gateway sent per request answered (its auditgate_proxy_kafka_batch_messages count); audited gateways only. */
  readonly produceRequestsPerRequest?: number;
}

/** One target's throughput rounds: wrk's numbers and the CPU each process spent per request in the same seconds. */
export interface ThroughputResult {
  readonly medianRps: number;
  readonly runs: readonly WrkResult[];
  /** Medians over the rounds, each field on its own. */
  readonly cpu: CpuPerRequest;
  readonly cpuRuns: readonly CpuPerRequest[];
}

/** Everything measured in one run. */
export interface BenchResults {
  readonly throughput: Record<TargetName, ThroughputResult>;
  /** Interleaved open-loop probes at the light rate (targets apply) and at the reported rate. */
  readonly lightLatency: Record<TargetName, ProbeResult>;
  readonly latency: Record<TargetName, ProbeResult>;
  /** The write-ahead floor at the light rate, probed in the same round-robin as `lightLatency`. */
  readonly lightKafkaFloor: KafkaAckFloor;
  readonly list: StreamListResult;
  readonly listTargetBytes: number;
  readonly watches: WatchesResult;
  /** The write-ahead alone (no HTTP), probed in the same round-robin as `latency`: the floor under the gateway's added latency with auditing on. */
  readonly kafkaFloor: KafkaAckFloor;
  /** Gateway CPU per request with the hash chain and checkpoints on and off (audit on both ways). */
  readonly chainCpu: ChainCpuResult;
}

const MiB = 1024 * 1024;
const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'NaN');

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function errorsOf(results: BenchResults, name: TargetName): number {
  return results.throughput[name].runs.reduce((sum, r) => sum + r.errors, 0) + results.latency[name].errors + results.lightLatency[name].errors;
}

/** The verdict rows: the issue's targets first, then reference numbers. */
export function verdictRows(results: BenchResults): ReportRow[] {
  const rps = (name: TargetName) => results.throughput[name].medianRps;
  const cpu = (name: TargetName) => results.throughput[name].cpu;
  const on = 'gateway-audit-on';
  const off = 'gateway-audit-off';
  const errors = TARGETS.map((t) => errorsOf(results, t)).reduce((a, b) => a + b, 0);
  const errNote = errors > 0 ? `${errors} failed requests in the runs: see the per-target table` : '';
  const us = (n: number) => `${f(n, 0)} µs`;
  const cpuOnOff = cpu(on).proxyUs / cpu(off).proxyUs;
  const cpuOnBare = cpu(on).proxyUs / cpu('bare-node').proxyUs;
  const cpuOnServer = cpu(on).proxyUs / cpu(on).serverUs;
  const rounds = results.throughput[on].cpuRuns.length;
  const perRound = (name: TargetName) => results.throughput[name].cpuRuns.map((c) => f(c.proxyUs, 0)).join(' ');
  const latencyRows = (lat: Record<TargetName, ProbeResult>, floor: KafkaAckFloor, judge: boolean): ReportRow[] => {
    const addP50 = lat[on].p50Ms - lat.direct.p50Ms;
    const addP99 = lat[on].p99Ms - lat.direct.p99Ms;
    const where = `@ ${f(floor.rate, 0)} req/s interleaved (audit on - direct)`;
    const ok = lat[on].errors === 0 && lat.direct.errors === 0 && floor.errors === 0;
    const p50Note = `floor p50 ${f(floor.p50Ms, 3)} ms (probed in the same round-robin${floor.errors > 0 ? `, ${floor.errors} unacknowledged` : ''}); audit on ${f(lat[on].p50Ms, 3)}, direct ${f(lat.direct.p50Ms, 3)} ms, ${lat[on].ok} samples`;
    const p99Note = `floor p99 ${f(floor.p99Ms, 3)} ms; audit on ${f(lat[on].p99Ms, 3)}, direct ${f(lat.direct.p99Ms, 3)} ms`;
    if (!judge) return [info(`added latency p50 / p99 ${where}`, `${f(addP50, 3)} / ${f(addP99, 3)} ms`, `${p50Note}; ${p99Note}`)];
    return [
      judged(`added latency p50 ${where}`, `${f(addP50, 3)} ms`, `<= floor p50 + 0.5 = ${f(floor.p50Ms + 0.5, 3)} ms`, addP50 <= floor.p50Ms + 0.5 && ok, p50Note),
      judged(`added latency p99 ${where}`, `${f(addP99, 3)} ms`, `<= floor p99 + 3 = ${f(floor.p99Ms + 3, 3)} ms`, addP99 <= floor.p99Ms + 3 && ok, p99Note),
    ];
  };
  const w = results.watches;
  const kf = results.kafkaFloor;
  const l = results.list;
  const listOk = l.status === 200 && l.bytes >= results.listTargetBytes;
  return [
    judged('CPU per request: gateway audit on / audit off (proxy process)', f(cpuOnOff, 3), '<= 1.20', cpuOnOff <= 1.2 && errors === 0,
      `${us(cpu(on).proxyUs)} / ${us(cpu(off).proxyUs)}; median of ${rounds} rounds (on: ${perRound(on)}; off: ${perRound(off)}) ${errNote}`.trim()),
    judged('CPU per request: gateway audit on / bare Node https proxy', f(cpuOnBare, 3), '<= 2.00', cpuOnBare <= 2 && errors === 0,
      `${us(cpu(on).proxyUs)} / ${us(cpu('bare-node').proxyUs)} (bare: ${perRound('bare-node')})`),
    judged('CPU per request: gateway audit on / kube-apiserver + etcd on the same requests', f(cpuOnServer, 3), '<= 0.80', cpuOnServer <= 0.8 && errors === 0,
      `${us(cpu(on).proxyUs)} / ${us(cpu(on).serverUs)}; kube-apiserver + etcd on direct requests: ${us(cpu('direct').serverUs)}`),
    ...latencyRows(results.lightLatency, results.lightKafkaFloor, true),
    judged(`RSS with ${w.requested} open watches (audit on)`, `${f(w.rssWithWatchesBytes / MiB, 1)} MiB`, '<= 256 MiB',
      w.rssWithWatchesBytes <= 256 * MiB && w.established === w.requested,
      `${w.established}/${w.requested} watches established, ${w.failed} failed; RSS before ${f(w.rssBeforeBytes / MiB, 1)} MiB`),
    judged(`RSS growth while a ${f(l.bytes / MiB, 1)} MiB list streams (audit on)`, `${f(l.rssGrowthBytes / MiB, 1)} MiB`, '<= 64 MiB',
      l.rssGrowthBytes <= 64 * MiB && listOk,
      `baseline after a forced GC just before the list; HTTP ${l.status}, ${f(l.seconds, 1)} s, ${l.samples} samples @50 ms, RSS ${f(l.rssBeforeBytes / MiB, 1)} -> ${f(l.rssMaxBytes / MiB, 1)} MiB${listOk ? '' : ', LIST TOO SMALL OR FAILED'}`),
    info('CPU per request: gateway audit on / nginx', f(cpu(on).proxyUs / cpu('nginx').proxyUs, 3), `${us(cpu(on).proxyUs)} / ${us(cpu('nginx').proxyUs)}`),
    info('CPU per request: gateway audit off / nginx', f(cpu(off).proxyUs / cpu('nginx').proxyUs, 3), `${us(cpu(off).proxyUs)} / ${us(cpu('nginx').proxyUs)}`),
    info('CPU per request: Kafka broker, audit on - audit off', us(cpu(on).kafkaUs - cpu(off).kafkaUs),
      `the broker's share of the write-ahead (${us(cpu(on).kafkaUs)} vs ${us(cpu(off).kafkaUs)}; includes whatever else uses the shared broker)`),
    info('Kafka produce requests per gateway request, audit on (throughput rounds)', f(cpu(on).produceRequestsPerRequest ?? Number.NaN, 3),
      `about ${f(1 / (cpu(on).produceRequestsPerRequest ?? Number.NaN), 0)} audit events per produce request (two per request): at saturation, the write-ahead batches of each acknowledgement's wait carry the requests`),
    ...latencyRows(results.latency, kf, false),
    info('throughput: audit on / audit off (64 conns, GET small CM)', f(rps(on) / rps(off), 3)),
    info('throughput: audit on / direct kube-apiserver', f(rps(on) / rps('direct'), 3)),
    info('throughput: nginx / direct (ceiling of a plain proxy here)', f(rps('nginx') / rps('direct'), 3)),
    info('throughput: audit on / bare Node https proxy', f(rps(on) / rps('bare-node'), 3)),
    info(`write-ahead alone @ ${f(kf.rate, 0)}/s: Kafka acks=all p50 / p99 (no HTTP; floor of the audit-on latency)`, `${f(kf.p50Ms, 3)} / ${f(kf.p99Ms, 3)} ms`,
      `${kf.sent} real events replayed through the proxy's BatchingProducer between the HTTP targets' slices, ${kf.receivedBytes} B + deferred ${kf.completeBytes} B each`),
    info(`gateway CPU per request @ ${f(results.chainCpu.rate, 0)} req/s: chain + checkpoints on / off`,
      `${f(results.chainCpu.onUsPerRequest, 0)} / ${f(results.chainCpu.offUsPerRequest, 0)} µs`,
      `${results.chainCpu.onUsPerRequest >= results.chainCpu.offUsPerRequest ? '+' : ''}${f(results.chainCpu.onUsPerRequest - results.chainCpu.offUsPerRequest, 0)} µs for the chain (SHA-256 of the canonical event, 2-3 per request) and its signed checkpoints; ${results.chainCpu.requests} requests`),
  ];
}

/** The per-target table: req/s and CPU per request per round, latency percentiles at both fixed rates. */
export function renderTargets(results: BenchResults): string {
  return renderTable(
    ['target', 'req/s (median)', 'req/s per round', 'wrk p50/p99 ms', 'errors', 'CPU µs/req proxy', 'apiserver+etcd', 'kafka', 'light p50/p99 ms', 'fixed p50/p90/p99 ms', 'sched lag p99'],
    TARGETS.map((name) => {
      const t = results.throughput[name];
      const p = results.latency[name];
      const q = results.lightLatency[name];
      return [
        name, f(t.medianRps, 0), t.runs.map((r) => f(r.requestsPerSecond, 0)).join(' '),
        `${f(median(t.runs.map((r) => r.latencyP50Ms)))}/${f(median(t.runs.map((r) => r.latencyP99Ms)))}`,
        String(errorsOf(results, name)), f(t.cpu.proxyUs, 0), f(t.cpu.serverUs, 0), f(t.cpu.kafkaUs, 0),
        `${f(q.p50Ms, 3)}/${f(q.p99Ms, 3)}`, `${f(p.p50Ms, 3)}/${f(p.p90Ms, 3)}/${f(p.p99Ms, 3)}`,
        `${f(Math.max(p.scheduleLagP99Ms, q.scheduleLagP99Ms))} ms`,
      ];
    }),
  );
}
