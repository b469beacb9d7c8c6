import type { Admin } from 'kafkajs';
import type { Logger } from '@auditgate/shared';

/** The first offset of `partition` at or after `sinceMs` (record timestamp), or undefined when Kafka cannot say. */
export async function lookbackOffset(admin: Admin, topic: string, partition: number, sinceMs: number, logger: Logger): Promise<number | undefined> {
  try {
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs);
    const entry = offsets.find((o) => o.partition === partition);
    const value = entry === undefined ? NaN : Number(entry.offset);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  } catch (error) {
    logger.warn({ topic, partition, err: (error as Error).message }, 'look-back offset unavailable; state starts empty');
    return undefined;
  }
}
