import type { Kafka } from 'kafkajs';
import { readTopic, type AuditEvent } from '@auditgate/shared';
import type { StoredCheckpoint } from './check-checkpoints.js';
import type { StoredEvidence } from './opensearch-evidence.js';
import type { ChainedRecord, Problem } from './verify-types.js';

/** Where the evidence is in Kafka, and the window. */
export interface KafkaEvidenceOptions {
  readonly kafka: Kafka;
  readonly eventsTopic: string;
  readonly checkpointsTopic: string;
  readonly from: number;
  readonly to: number;
  /** How far before and after the window records are read (at least twice the checkpoint interval). */
  readonly slackMs: number;
  readonly timeoutMs?: number;
}

/**
 * Reads a window's evidence from the topics themselves: every event and checkpoint produced from `from - slack` to
 * `to + slack` (by Kafka timestamp). Events are verified exactly as produced; the checkpoints topic is compacted, so
 * only the recent checkpoints and each stream's last one are there (no count checks from this source).
 */
export async function loadFromKafka(o: KafkaEvidenceOptions): Promise<StoredEvidence> {
  const range = { fromTime: o.from - o.slackMs, untilTime: o.to + o.slackMs, ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) };
  const records: ChainedRecord[] = [];
  const problems: Problem[] = [];
  let read = 0;
  await readTopic(o.kafka, {
    topic: o.eventsTopic, ...range,
    onRecord: (m) => {
      read += 1;
      const where = `${o.eventsTopic}/${m.partition}@${m.offset}`;
      let event: AuditEvent;
      try { event = JSON.parse(m.value?.toString('utf8') ?? '') as AuditEvent; } catch {
        problems.push({ kind: 'inserted', where, detail: 'a record on the events topic is not JSON' });
        return;
      }
      const chain = event.auditgate?.chain;
      if (chain === undefined) {
        problems.push({ kind: 'inserted', auditID: event.auditID, stage: event.stage, where, detail: 'the event carries no chain link: no gateway produced it as it is' });
        return;
      }
      records.push({
        link: chain, event, problems: [], auditID: event.auditID, stage: event.stage, where,
        time: Date.parse(String(event.stageTimestamp).replace(/(\.\d{3})\d+/, '$1')) || m.timestamp,
      });
    },
  });
  const checkpoints: StoredCheckpoint[] = [];
  await readTopic(o.kafka, {
    topic: o.checkpointsTopic, ...range,
    onRecord: (m) => { checkpoints.push({ jws: m.value?.toString('utf8') ?? '', where: `${o.checkpointsTopic}/${m.partition}@${m.offset}` }); },
  });
  return { records, checkpoints, origins: [], problems, read };
}
