import { AppError, ErrorCodes, type SendingProducer } from '@auditgate/shared';

/** One message waiting for its batch to be acknowledged. */
interface Pending {
  readonly key: string;
  readonly value: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: AppError) => void;
}

/** Options for {@link BatchingProducer}. */
export interface BatchingProducerOptions {
  readonly producer: SendingProducer;
  readonly topic: string;
  /** How long the first message of a batch waits for company. */
  readonly lingerMs: number;
  /** A batch is sent at once when it reaches this many messages. */
  readonly maxBatchMessages: number;
  /** A send not acknowledged within this time fails (the caller decides: 503 or spool). */
  readonly ackTimeoutMs: number;
}

/**
 * Coalesces concurrent sends into one acks=all produce request per linger window, so each request's write-ahead costs
 * a share of one round trip instead of one of its own. Each `send` resolves when its batch is acknowledged.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly options: BatchingProducerOptions) {}

  /** Queues one message; resolves when Kafka acknowledged it, rejects with `AUDITGATE_E_KAFKA_UNAVAILABLE`. */
  send(key: string, value: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ key, value, resolve, reject });
      if (this.queue.length >= this.options.maxBatchMessages) this.flushNow();
      else if (this.timer === undefined) {
        this.timer = setTimeout(() => this.flushNow(), this.options.lingerMs);
        this.timer.unref();
      }
    });
  }

  /** Sends what is queued now and waits until every batch in flight is settled. */
  async flush(): Promise<void> {
    this.flushNow();
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private flushNow(): void {
    if (this.timer !== undefined) { clearTimeout(this.timer); this.timer = undefined; }
    // One batch in flight at a time: concurrent produce requests can land out of order, and each key's order (and the
    // spool's drain order) must hold. What queues up meanwhile goes as the next batch as soon as this one settles.
    if (this.queue.length === 0 || this.inFlight > 0) return;
    const batch = this.queue.splice(0, this.options.maxBatchMessages);
    this.inFlight += 1;
    void this.sendBatch(batch).finally(() => {
      this.inFlight -= 1;
      if (this.queue.length > 0) this.flushNow();
      else for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`no acknowledgement within ${this.options.ackTimeoutMs} ms`)), this.options.ackTimeoutMs);
      timeout.unref();
    });
    try {
      await Promise.race([
        this.options.producer.send({
          topic: this.options.topic, acks: -1,
          messages: batch.map((p) => ({ key: p.key, value: p.value })),
        }),
        timedOut,
      ]);
      for (const p of batch) p.resolve();
    } catch (cause) {
      const error = new AppError(`Kafka did not acknowledge the audit event: ${(cause as Error).message}`, {
        code: ErrorCodes.KAFKA_UNAVAILABLE, retriable: true, status: 503, cause,
      });
      for (const p of batch) p.reject(error);
    } finally {
      clearTimeout(timeout);
    }
  }
}
