import type { Kafka } from 'kafkajs';
import type { TopicSpec } from './topics.js';

/** Creates any of `specs` that do not exist yet; safe to run any number of times. Returns the topics created. */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.topic, numPartitions: spec.numPartitions, replicationFactor: 1,
        configEntries: spec.configEntries.map((entry) => ({ ...entry })),
      })),
    });
    return missing.map((spec) => spec.topic);
  } finally {
    await admin.disconnect();
  }
}
