import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';

/** One record read by {@link readTopic}. */
export interface ReadRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Kafka's timestamp of the record, in ms. */
  readonly timestamp: number;
}

/** What {@link readTopic} reads. */
export interface ReadTopicOptions {
  readonly topic: string;
  /** Start at each partition's first record at or after this time (ms); default: the beginning. */
  readonly fromTime?: number;
  /** Read at most this many records at the end of each partition (as of the call), whatever `fromTime` says. */
  readonly lastRecords?: number;
  /** Stop reading a partition at its first record after this time (ms); default: at its end as of the call. */
  readonly untilTime?: number;
  /** Gives up (rejecting `AUDITGATE_E_KAFKA_UNAVAILABLE`) when the range is not read within this time (default 60 s). */
  readonly timeoutMs?: number;
  readonly onRecord: (record: ReadRecord) => void;
}

/**
 * Reads a bounded range of a topic once: from `fromTime` (or the beginning) to each partition's end as it was when the
 * call began. Uses a throw-away consumer group that commits nothing and is deleted afterwards.
 */
export async function readTopic(kafka: Kafka, options: ReadTopicOptions): Promise<void> {
  const { topic } = options;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `auditgate-reader-${randomUUID()}`;
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
    const starts = new Map((options.fromTime === undefined
      ? (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.low }))
      : await admin.fetchTopicOffsetsByTimestamp(topic, options.fromTime)).map((o) => [o.partition, BigInt(o.offset)]));
    if (options.lastRecords !== undefined) {
      for (const [p, end] of ends) {
        const floor = end - BigInt(options.lastRecords);
        if ((starts.get(p) ?? 0n) < floor) starts.set(p, floor);
      }
    }
    const open = new Set([...ends].filter(([p, end]) => (starts.get(p) ?? end) < end).map(([p]) => p));
    if (open.size === 0) return;
    let stopped = false;
    // No restart once reading is over: kafkajs can schedule one after disconnect() began, and it would retry for ever.
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false, retry: { restartOnFailure: async () => !stopped } });
    let finished!: () => void;
    const done = new Promise<void>((resolve) => { finished = resolve; });
    const close = (partition: number): void => { open.delete(partition); if (open.size === 0) finished(); };
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const { partition } = batch;
          if (!open.has(partition)) return;
          const start = starts.get(partition) ?? 0n;
          const end = ends.get(partition) ?? 0n;
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            if (offset < start) continue;
            const timestamp = Number(m.timestamp);
            if (offset >= end || (options.untilTime !== undefined && timestamp > options.untilTime)) { close(partition); return; }
            options.onRecord({ partition, offset: m.offset, key: m.key, value: m.value, timestamp });
            if (offset + 1n >= end) { close(partition); return; }
          }
        },
      });
      // run() can resolve before the group is initialised, when seek throws: retry briefly.
      for (let attempt = 0; ; attempt += 1) {
        try {
          for (const p of open) consumer.seek({ topic, partition: p, offset: String(starts.get(p) ?? 0n) });
          break;
        } catch (error) {
          if (!/not initialized/i.test((error as Error).message) || attempt > 300) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new AppError(`reading ${topic} did not finish within ${options.timeoutMs ?? 60_000} ms`, {
          code: ErrorCodes.KAFKA_UNAVAILABLE, retriable: true, status: 503,
        })), options.timeoutMs ?? 60_000);
        timer.unref();
      });
      try { await Promise.race([done, timeout]); } finally { clearTimeout(timer); }
    } finally {
      stopped = true;
      await consumer.disconnect().catch(() => undefined);
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
