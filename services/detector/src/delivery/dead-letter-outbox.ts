import type { SendingProducer } from '@auditgate/shared';
import type { Logger } from '@auditgate/shared';
import type { Alert } from '../engine/alert.js';
import type { DeadLetter } from './sink-queue.js';

/** Headers of a record on the alerts DLQ topic (the value is the alert JSON, the key its dedup key). */
export const AlertDlqHeaders = {
  sink: 'auditgate-sink',
  kind: 'auditgate-delivery-kind',
  reason: 'auditgate-error-reason',
  attempts: 'auditgate-attempts',
  alertId: 'auditgate-alert-id',
  failedAt: 'auditgate-failed-at',
} as const;

/** Options of {@link DeadLetterOutbox}. */
export interface DeadLetterOutboxOptions {
  readonly producer: SendingProducer;
  readonly topic: string;
  /** Dead letters kept in memory for `deadLetters()` (oldest dropped first). */
  readonly maxKept: number;
  readonly logger: Logger;
  readonly now: () => number;
  readonly onDeadLetter?: (letter: DeadLetter) => void;
}

/**
 * Keeps alerts a sink could not take: produced to the alerts DLQ topic (acks=all) before the delivery offset is
 * committed, logged, counted, and the latest ones kept in memory for operators.
 */
export class DeadLetterOutbox {
  private readonly kept: DeadLetter[] = [];
  constructor(private readonly options: DeadLetterOutboxOptions) {}

  /** Records `letter` for `alert`; resolves once the DLQ topic has it (rejects when Kafka refused it). */
  async add(letter: DeadLetter, alert: Alert): Promise<void> {
    await this.options.producer.send({
      topic: this.options.topic, acks: -1,
      messages: [{
        key: alert.dedupKey, value: JSON.stringify(alert),
        headers: {
          [AlertDlqHeaders.sink]: letter.sink, [AlertDlqHeaders.kind]: letter.kind, [AlertDlqHeaders.reason]: letter.reason.slice(0, 1000),
          [AlertDlqHeaders.attempts]: String(letter.attempts), [AlertDlqHeaders.alertId]: letter.alertId,
          [AlertDlqHeaders.failedAt]: new Date(this.options.now()).toISOString(),
        },
      }],
    });
    this.kept.push(letter);
    if (this.kept.length > this.options.maxKept) this.kept.splice(0, this.kept.length - this.options.maxKept);
    this.options.logger.error({ deadLetter: letter, topic: this.options.topic }, 'alert undeliverable to a sink; sent to the alerts DLQ');
    this.options.onDeadLetter?.(letter);
  }

  /** The most recent dead letters, oldest first. */
  list(): readonly DeadLetter[] { return [...this.kept]; }
}
