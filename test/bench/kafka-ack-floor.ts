/**
 * The floor under the gateway's added latency: what the write-ahead alone costs here. Replays real audit events from
 * the benchmark's topic through the proxy's own BatchingProducer (idempotent kafkajs producer configured as
 * services/proxy/src/main.ts configures it, acks=all, linger 0, ResponseComplete deferred), one urgent + one deferred
 * message per tick at a fixed rate, with no HTTP at all, and reports how long the urgent ones took to be acknowledged.
 * It is a {@link Prober}, so the latency bench probes it in the same round-robin as the HTTP targets: the floor and
 * the latencies it bounds are measured in the same minutes, under the same load from elsewhere.
 */
import { performance } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import { cachingKeyPartitioner, createKafka, createLogger } from '@auditgate/shared';
import { BatchingProducer } from '../../services/proxy/src/audit/batching-producer.js';
import { percentile, type PhaseSamples, type ProbeResult, type Prober } from './constant-rate-prober.js';

/** Ack latency of the write-ahead alone at a fixed rate. */
export interface KafkaAckFloor {
  readonly rate: number;
  /** Urgent messages acknowledged; `errors` were not. */
  readonly sent: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median size of the replayed RequestReceived / ResponseComplete events. */
  readonly receivedBytes: number;
  readonly completeBytes: number;
}

/** A prober of the write-ahead alone, with the sizes of the events it replays. */
export interface KafkaFloorProber extends Prober {
  /** Sends what is queued and disconnects. */
  close(): Promise<void>;
  readonly receivedBytes: number;
  readonly completeBytes: number;
}

interface Sample { readonly key: string; readonly value: Buffer; readonly stage: string }

async function sampleEvents(kafka: Kafka, topic: string, want: number): Promise<Sample[]> {
  const groupId = `auditgate-bench-floor-${Date.now()}`;
  const consumer = kafka.consumer({ groupId });
  const out: Sample[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fewer than ${want} events on ${topic} after 30 s`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (out.length >= want || message.value === null) return;
          const stage = (JSON.parse(message.value.toString('utf8')) as { stage?: string }).stage ?? '';
          out.push({ key: message.key?.toString('utf8') ?? '', value: message.value, stage });
          if (out.length >= want) { clearTimeout(timer); resolve(); }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return out;
}

/**
 * Connects a producer and samples real events of `topic` (the audited gateway must have written some: run after
 * traffic went through it). Each phase replays them at `rate` pairs/s and samples the urgent acks.
 */
export async function createKafkaFloorProber(options: { brokers: readonly string[]; topic: string }): Promise<KafkaFloorProber> {
  const logger = createLogger({ name: 'bench', level: 'error' });
  const kafka = createKafka({ brokers: [...options.brokers], clientId: 'auditgate-bench-floor', logger });
  const events = await sampleEvents(kafka, options.topic, 400);
  const received = events.filter((e) => e.stage === 'RequestReceived');
  const complete = events.filter((e) => e.stage === 'ResponseComplete');
  if (received.length === 0 || complete.length === 0) throw new Error('no RequestReceived/ResponseComplete events to replay');
  // Configured as services/proxy/src/main.ts configures the gateway's producer.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner: cachingKeyPartitioner() });
  await producer.connect();
  const batching = new BatchingProducer({ producer, topic: options.topic, lingerMs: 0, deferMs: 5, maxBatchMessages: 500, ackTimeoutMs: 10_000 });
  let next = 0;
  const phase = async (rate: number, seconds: number): Promise<PhaseSamples> => {
    const total = Math.round(rate * seconds);
    const latencies: number[] = [];
    const lags: number[] = [];
    const pending: Array<Promise<void>> = [];
    let errors = 0;
    let sent = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
        while (sent < due) {
          lags.push(now - (t0 + (sent * 1000) / rate));
          const r = received[next % received.length]!;
          const c = complete[next % complete.length]!;
          next += 1;
          sent += 1;
          const start = performance.now();
          pending.push(batching.send(r.key, r.value, 'now').then(() => { latencies.push(performance.now() - start); }, () => { errors += 1; }));
          pending.push(batching.send(c.key, c.value, 'deferred').catch(() => { errors += 1; }));
        }
        if (sent >= total) { clearInterval(tick); resolve(); }
      }, 1);
    });
    await Promise.all(pending);
    return { latencies, lags, errors, elapsedS: (performance.now() - t0) / 1000 };
  };
  const size = (list: readonly Sample[]) => percentile(list.map((e) => e.value.length).sort((a, b) => a - b), 50);
  return {
    phase, receivedBytes: size(received), completeBytes: size(complete),
    close: async () => { await batching.flush(); await producer.disconnect(); },
  };
}

/** The floor's summary, from what the latency bench measured with its prober. */
export function kafkaAckFloorOf(prober: KafkaFloorProber, probe: ProbeResult, rate: number): KafkaAckFloor {
  return { rate, sent: probe.ok, errors: probe.errors, p50Ms: probe.p50Ms, p99Ms: probe.p99Ms, receivedBytes: prober.receivedBytes, completeBytes: prober.completeBytes };
}
