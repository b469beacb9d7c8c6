import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import type { Logger } from '../logging/create-logger.js';

/** What a service needs from a Kafka producer to send: the `send` of kafkajs. */
export type SendingProducer = Pick<Producer, 'send'>;

/** Broker answers that mean this idempotent producer's sequence state is lost for good (a broker restart, say). */
const FATAL_PRODUCER_STATE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

/** Whether `error` (or an error it wraps) says the producer's idempotence state is unusable. */
export function isFatalProducerState(error: unknown): boolean {
  let e = error as { type?: unknown; message?: unknown; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth += 1) {
    if (typeof e.type === 'string' && FATAL_PRODUCER_STATE.has(e.type)) return true;
    if (typeof e.message === 'string' && /out of order sequence number/i.test(e.message)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * An idempotent kafkajs producer that replaces itself after any failed send, one send at a time. When a produce
 * request fails, kafkajs rolls that batch's sequence numbers back, even when the broker had appended the batch and only
 * its answer was lost (a broker restart, a cut connection): the producer's next batch then reuses sequence numbers the
 * broker already holds and is refused with OUT_OF_ORDER_SEQUENCE_NUMBER (forever, which would keep the spool from ever
 * draining), or, when it has as many records as the lost one, is acknowledged as a duplicate without being written:
 * a silent loss. So the failed send fails (the caller spools or answers 503 and retries), and the next send goes
 * through a fresh producer with a new producer id; sends never overlap, so none can slip through the old producer
 * after a failure. A batch the broker did write before may then arrive twice, which every consumer absorbs: documents
 * and alerts are keyed by auditID and stage. Reproduced on purpose by the fault suite (test/faults, fault 6).
 */
export class RenewableProducer implements SendingProducer {
  private current: Producer;
  private renewing: Promise<void> | undefined;
  /** The current producer's connection; cleared when it failed, so the next send connects again. */
  private connecting: Promise<void> | undefined;
  private closed = false;
  private renewals = 0;
  /** The end of the send in progress: the next one starts after it (and after any renewal it caused). */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly make: () => Producer, private readonly logger: Logger) {
    this.current = make();
  }

  /** How many times the producer was replaced. */
  get renewed(): number { return this.renewals; }

  /**
   * Connects the current producer. A failed connect is not final: kafkajs refuses every send of a producer that never
   * connected ("The producer is disconnected"), so the next send connects again (a proxy started while Kafka was down
   * would otherwise never drain its spool).
   */
  connect(): Promise<void> {
    const producer = this.current;
    this.connecting ??= producer.connect().catch((error: unknown) => {
      if (this.current === producer) this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    await this.renewing?.catch(() => undefined);
    await this.current.disconnect();
  }

  /** Sends `record` once the sends before it are settled; a failure replaces the producer before the next send. */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const result = this.queue.then(() => this.sendNow(record));
    this.queue = result.then(() => undefined, () => undefined);
    return result;
  }

  private async sendNow(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (this.renewing !== undefined) await this.renewing.catch(() => undefined);
    if (!this.closed) await this.connect();
    const producer = this.current;
    try {
      return await producer.send(record);
    } catch (error) {
      if (!this.closed && producer === this.current) this.renew(producer, error as Error);
      throw error;
    }
  }

  private renew(old: Producer, cause: Error): void {
    this.renewals += 1;
    this.logger.warn({ err: cause.message, refusedSequence: isFatalProducerState(cause), renewals: this.renewals },
      'a send failed and kafkajs rolled its sequence numbers back: replacing the producer');
    this.current = this.make();
    this.connecting = undefined;
    this.renewing = (async () => {
      await old.disconnect().catch(() => undefined);
      // A head start on the next send; when Kafka is still down that send connects again (never an unhandled rejection).
      await this.connect().catch(() => undefined);
    })().finally(() => { this.renewing = undefined; });
  }
}
