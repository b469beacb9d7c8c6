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
 * An idempotent kafkajs producer that replaces itself when the broker no longer accepts its sequence numbers: after a
 * broker restart a kafkajs producer can be stuck on OUT_OF_ORDER_SEQUENCE_NUMBER forever, which would keep the spool
 * from ever draining. The failed send still fails (the caller spools or answers 503 and retries); the next one goes
 * through a fresh producer with a new producer id. A batch the broker did write before may then arrive twice, which
 * every consumer absorbs: documents and alerts are keyed by auditID and stage.
 */
export class RenewableProducer implements SendingProducer {
  private current: Producer;
  private renewing: Promise<void> | undefined;
  /** The current producer's connection; cleared when it failed, so the next send connects again. */
  private connecting: Promise<void> | undefined;
  private closed = false;
  private renewals = 0;

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

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (this.renewing !== undefined) await this.renewing.catch(() => undefined);
    if (!this.closed) await this.connect();
    const producer = this.current;
    try {
      return await producer.send(record);
    } catch (error) {
      if (isFatalProducerState(error) && producer === this.current) this.renew(producer, error as Error);
      throw error;
    }
  }

  private renew(old: Producer, cause: Error): void {
    this.renewals += 1;
    this.logger.warn({ err: cause.message, renewals: this.renewals }, 'Kafka refused the producer\'s sequence state: replacing the producer');
    this.current = this.make();
    this.connecting = undefined;
    this.renewing = (async () => {
      await old.disconnect().catch(() => undefined);
      await this.connect();
    })().finally(() => { this.renewing = undefined; });
  }
}
