/** A Kafka topic of the benchmark's own, so its hundreds of thousands of audit events stay out of auditgate.events.v1. */
import { createKafka, createLogger, ensureTopics } from '@auditgate/shared';

/** Creates topic `topic` (6 partitions, 1 h retention) on `brokers`; resolves with a function that deletes it. */
export async function createBenchTopic(brokers: readonly string[], topic: string): Promise<() => Promise<void>> {
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const kafka = createKafka({ brokers: [...brokers], clientId: 'auditgate-bench', logger, retry: { retries: 3, initialRetryTime: 200 } });
  await ensureTopics(kafka, [{ topic, numPartitions: 6, configEntries: [{ name: 'retention.ms', value: String(3600_000) }] }]);
  return async () => {
    const admin = kafka.admin();
    await admin.connect();
    try { await admin.deleteTopics({ topics: [topic], timeout: 10_000 }); } finally { await admin.disconnect(); }
  };
}
