/** The Kafka topics Auditgate's services meet on (see DESIGN.md, Kafka topics). */
export const Topics = {
  /** Audit events, keyed by actor username. */
  events: 'auditgate.events.v1',
  /** Alerts, keyed by rule id + actor. */
  alerts: 'auditgate.alerts.v1',
  /** Undecodable or unindexable events: original key, original bytes, an error code header. */
  eventsDlq: 'auditgate.events.dlq.v1',
  /** Alerts a sink refused for good or never accepted: key = dedup key, value = the alert, headers sink/reason/attempts. */
  alertsDlq: 'auditgate.alerts.dlq.v1',
  /** Signed hash-chain checkpoints, keyed by chain stream. */
  checkpoints: 'auditgate.checkpoints.v1',
} as const;

/** How a topic is created on a cluster. */
export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries: ReadonlyArray<{ name: string; value: string }>;
}

/** The project's topics with their partitioning and retention. */
export function topicSpecs(partitions = 6): TopicSpec[] {
  const week = String(7 * 24 * 3600 * 1000);
  return [
    { topic: Topics.events, numPartitions: partitions, configEntries: [{ name: 'retention.ms', value: week }] },
    { topic: Topics.alerts, numPartitions: partitions, configEntries: [{ name: 'retention.ms', value: week }] },
    { topic: Topics.eventsDlq, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) }] },
    { topic: Topics.alertsDlq, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) }] },
    { topic: Topics.checkpoints, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ];
}
