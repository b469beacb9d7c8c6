/**
 * Reads every record written to every topic of a broker since a time (internal `__` topics aside) with one throw-away
 * consumer, and reports each record that carries a needle, in its value, key or headers.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Needle } from './leak-needles.js';
import { SubstringMatcher } from './substring-matcher.js';

/** One needle found. */
export interface Leak { readonly where: string; readonly form: string; readonly key: string; readonly valueStart: string }

/** What a scan read and found. */
export interface ScanReport { readonly sources: number; readonly scanned: number; readonly perSource: Record<string, number>; readonly leaks: Leak[] }

const leakOf = (where: string, needle: Needle): Leak => ({ where, form: needle.form, key: needle.secret.key, valueStart: `${needle.secret.value.slice(0, 3)}…` });

/** Scans every topic from `sinceMs` to its end as of the call. */
export async function scanKafka(kafka: Kafka, needles: readonly Needle[], sinceMs: number, timeoutMs = 300_000): Promise<ScanReport> {
  const matcher = new SubstringMatcher(needles.map((n) => n.text));
  const admin = kafka.admin();
  await admin.connect();
  const ranges = new Map<string, { start: bigint; end: bigint }>();
  const perSource: Record<string, number> = {};
  try {
    for (const topic of (await admin.listTopics()).filter((t) => !t.startsWith('__'))) {
      const ends = await admin.fetchTopicOffsets(topic).catch(() => []);
      const starts = new Map((await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs).catch(() => [])).map((o) => [o.partition, BigInt(o.offset)]));
      for (const e of ends) {
        const start = starts.get(e.partition) ?? BigInt(e.high);
        if (start >= 0n && start < BigInt(e.high)) ranges.set(`${topic}\u0000${e.partition}`, { start, end: BigInt(e.high) });
      }
    }
  } finally {
    await admin.disconnect();
  }
  const leaks: Leak[] = [];
  let scanned = 0;
  if (ranges.size === 0) return { sources: 0, scanned, perSource, leaks };
  const topics = [...new Set([...ranges.keys()].map((k) => k.split('\u0000')[0]!))];
  const consumer = kafka.consumer({ groupId: `plaintext-scan-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 * 1024 * 1024 });
  const open = new Set(ranges.keys());
  let finished!: () => void;
  const done = new Promise<void>((resolve) => { finished = resolve; });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false, partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const id = `${batch.topic}\u0000${batch.partition}`;
        const range = ranges.get(id);
        if (range === undefined || !open.has(id)) return;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset < range.start) continue;
          if (offset >= range.end) break;
          scanned += 1;
          perSource[batch.topic] = (perSource[batch.topic] ?? 0) + 1;
          const headers = Object.entries(m.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`).join('\n');
          const text = `${m.key?.toString('utf8') ?? ''}\n${m.value?.toString('utf8') ?? ''}\n${headers}`;
          for (const i of matcher.find(text)) leaks.push(leakOf(`${batch.topic}/${batch.partition}@${m.offset}`, needles[i]!));
        }
        if (BigInt(batch.lastOffset()) + 1n >= range.end) { open.delete(id); if (open.size === 0) finished(); }
      },
    });
    for (let attempt = 0; ; attempt += 1) {
      try {
        for (const [id, r] of ranges) { const [topic, p] = id.split('\u0000'); consumer.seek({ topic: topic!, partition: Number(p), offset: String(r.start) }); }
        break;
      } catch (error) {
        if (!/not initialized/i.test((error as Error).message) || attempt > 300) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`Kafka scan incomplete after ${timeoutMs} ms: ${open.size} partitions unread`)), timeoutMs); });
    try { await Promise.race([done, timeout]); } finally { clearTimeout(timer); }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return { sources: topics.length, scanned, perSource, leaks };
}
