/** Names of one fault row: its own topics, consumer groups and index prefixes, so rows never count each other's records. */
import { ensureTopics, type TopicSpec } from '@auditgate/shared';
import type { Kafka } from 'kafkajs';

/** Everything a row's services meet on. */
export interface RowNames {
  readonly base: string;
  readonly events: string;
  readonly eventsDlq: string;
  readonly alerts: string;
  readonly alertsDlq: string;
  readonly checkpoints: string;
  readonly indexerGroup: string;
  readonly detectorGroup: string;
  /** The webhook sink's delivery consumer group (`<detector group>-delivery.webhook`). */
  readonly webhookGroup: string;
  readonly eventsIndex: string;
  readonly alertsIndex: string;
  readonly checkpointsIndex: string;
}

/** The names of row `base` (lower-case, DNS-safe). */
export function rowNames(base: string): RowNames {
  return {
    base,
    events: `${base}.events`, eventsDlq: `${base}.events.dlq`, alerts: `${base}.alerts`, alertsDlq: `${base}.alerts.dlq`, checkpoints: `${base}.checkpoints`,
    indexerGroup: `${base}-indexer`, detectorGroup: `${base}-detector`, webhookGroup: `${base}-detector-delivery.webhook`,
    eventsIndex: `${base}-events`, alertsIndex: `${base}-alerts`, checkpointsIndex: `${base}-checkpoints`,
  };
}

/** Creates the row's topics as `create-topics.ts` creates the project's (events and alerts with 6 partitions). */
export async function createRowTopics(kafka: Kafka, names: RowNames): Promise<void> {
  const specs: TopicSpec[] = [
    { topic: names.events, numPartitions: 6, configEntries: [] },
    { topic: names.alerts, numPartitions: 6, configEntries: [] },
    { topic: names.eventsDlq, numPartitions: 1, configEntries: [] },
    { topic: names.alertsDlq, numPartitions: 1, configEntries: [] },
    { topic: names.checkpoints, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ];
  await ensureTopics(kafka, specs);
}
