/**
 * The floor under the gateway's added latency: what the write-ahead alone costs here. Replays real audit events from
 * the benchmark's topic through the proxy's own BatchingProducer (idempotent kafkajs producer, acks=all, linger 0,
 * ResponseComplete deferred), one urgent + one deferred message per tick at a fixed rate, with no HTTP at all, and
 * reports how long the urgent ones took to be acknowledged.
 */
import { performance } from 'node:perf_hooks';
import type { Kafka } from 'kafkajs';
import { createKafka, createLogger } from '@auditgate/shared';
import { BatchingProducer } from '../../services/proxy/src/audit/batching-producer.js';
import { percentile } from './constant-rate-prober.js';

/** Ack latency of the write-ahead alone at a fixed rate. */
export interface KafkaAckFloor {
  readonly rate: number;
  readonly sent: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median size of the replayed RequestReceived / ResponseComplete events. */
  readonly receivedBytes: number;
  readonly completeBytes: number;
}

async function sampleEvents(kafka: Kafka, topic: string, want: number): Promise<Array<{ key: string; value: Buffer; stage: string }>> {
  const groupId = `auditgate-bench-floor-${Date.now()}`;
  const consumer = kafka.consumer({ groupId });
  const out: Array<{ key: string; value: Buffer; stage: string }> = [];
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

/** Replays events of `topic` at `rate` pairs/s for `seconds` (after 2 s of warm-up) and measures the urgent acks. */
export async function measureKafkaAckFloor(options: { brokers: readonly string[]; topic: string; rate: number; seconds: number }): Promise<KafkaAckFloor> {
  const logger = createLogger({ name: 'bench', level: 'error' });
  const kafka = createKafka({ brokers: [...options.brokers], clientId: 'auditgate-bench-floor', logger });
  const events = await sampleEvents(kafka, options.topic, 400);
  const received = events.filter((e) => e.stage === 'RequestReceived');
  const complete = events.filter((e) => e.stage === 'ResponseComplete');
  if (received.length === 0 || complete.length === 0) throw new Error('no RequestReceived/ResponseComplete events to replay');
  // Configured as services/proxy/src/main.ts configures the gateway's producer.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  await producer.connect();
  const batching = new BatchingProducer({ producer, topic: options.topic, lingerMs: 0, deferMs: 5, maxBatchMessages: 500, ackTimeoutMs: 10_000 });
  const phase = async (seconds: number): Promise<number[]> => {
    const total = Math.round(options.rate * seconds);
    const latencies: number[] = [];
    const pending: Array<Promise<void>> = [];
    let sent = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) * options.rate) / 1000) + 1);
        while (sent < due) {
          const r = received[sent % received.length]!;
          const c = complete[sent % complete.length]!;
          sent += 1;
          const start = performance.now();
          pending.push(batching.send(r.key, r.value, 'now').then(() => { latencies.push(performance.now() - start); }));
          pending.push(batching.send(c.key, c.value, 'deferred'));
        }
        if (sent >= total) { clearInterval(tick); resolve(); }
      }, 1);
    });
    await Promise.all(pending);
    return latencies.sort((a, b) => a - b);
  };
  try {
    await phase(2);
    const latencies = await phase(options.seconds);
    const size = (list: typeof events) => percentile(list.map((e) => e.value.length).sort((a, b) => a - b), 50);
    return {
      rate: options.rate, sent: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
      receivedBytes: size(received), completeBytes: size(complete),
    };
  } finally {
    await batching.flush();
    await producer.disconnect();
  }
}
