import { AppError, ErrorCodes, type SendingProducer } from '@auditgate/shared';

/**
 * How soon a message must leave: `now` for a write-ahead event a request is waiting on (sent after `lingerMs`),
 * `deferred` for a later stage nobody waits on, which rides along with the next write-ahead batch or leaves after
 * `deferMs` at the latest, so a steady stream of requests costs about one produce request per request, not two.
 */
export type SendUrgency = 'now' | 'deferred';

/** A record's size in a batch: key, value and Kafka's per-record overhead (headers, varints, timestamps). */
const recordBytes = (key: string, value: Buffer): number => key.length + value.length + 64;

/** The error every message Kafka did not take is rejected with (`AUDITGATE_E_KAFKA_UNAVAILABLE`, 503, retriable). */
function kafkaUnavailable(reason: string, cause?: unknown): AppError {
  return new AppError(`Kafka did not acknowledge the audit event: ${reason}`, {
    code: ErrorCodes.KAFKA_UNAVAILABLE, retriable: true, status: 503, ...(cause === undefined ? {} : { cause }),
  });
}

/** One message waiting for its batch to be acknowledged. */
interface Pending {
  readonly key: string;
  readonly value: Buffer;
  readonly urgent: boolean;
  readonly resolve: () => void;
  readonly reject: (error: AppError) => void;
}

/** Options for {@link BatchingProducer}. */
export interface BatchingProducerOptions {
  readonly producer: SendingProducer;
  readonly topic: string;
  /** How long the first urgent message of a batch waits for company. */
  readonly lingerMs: number;
  /** The longest a deferred message waits for an urgent one to travel with (default 50 ms). */
  readonly deferMs?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
  /** A batch is sent at once when it reaches this many messages. */
  readonly maxBatchMessages: number;
  /**
   * A batch is cut before it grows past this many bytes (keys, values and per-record overhead; default 512 KiB): the
   * broker refuses a batch larger than its message.max.bytes (1 MiB by default) as a whole, so an oversized batch
   * would fail every request in it, and a drained spool of large events would never drain.
   */
  readonly maxBatchBytes?: number;
  /** A send not acknowledged within this time fails (the caller decides: 503 or spool). */
  readonly ackTimeoutMs: number;
  /** Hears each produce request as it leaves: how many messages it carries (for metrics). */
  readonly onBatch?: (messages: number) => void;
}

/**
 * Coalesces concurrent sends into one acks=all produce request per linger window, so each request's write-ahead costs
 * a share of one round trip instead of one of its own. Each `send` resolves when its batch is acknowledged.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  /** When the queue's oldest message must leave at the latest (urgent: now + linger, deferred: now + defer). */
  private queueDue = Number.POSITIVE_INFINITY;
  private inFlight = 0;
  /** Set while `flush()` waits: deferred messages then leave without waiting for company. */
  private flushWanted = false;
  private readonly idleWaiters: Array<() => void> = [];
  private queuedBytes = 0;
  private readonly now: () => number;
  private readonly deferMs: number;

  private get maxBatchBytes(): number { return this.options.maxBatchBytes ?? 512 * 1024; }

  constructor(private readonly options: BatchingProducerOptions) {
    this.now = options.now ?? Date.now;
    this.deferMs = options.deferMs ?? 50;
  }

  /** Queues one message; resolves when Kafka acknowledged it, rejects with `AUDITGATE_E_KAFKA_UNAVAILABLE`. */
  send(key: string, value: Buffer, urgency: SendUrgency = 'now'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const urgent = urgency === 'now';
      this.queue.push({ key, value, urgent, resolve, reject });
      this.queuedBytes += recordBytes(key, value);
      this.queueDue = Math.min(this.queueDue, this.now() + (urgent ? this.options.lingerMs : this.deferMs));
      if (this.queue.length >= this.options.maxBatchMessages || this.queuedBytes >= this.maxBatchBytes) this.flushNow();
      else this.armTimer();
    });
  }

  /**
   * Rejects every message still queued (not yet in a batch in flight) at once with `AUDITGATE_E_KAFKA_UNAVAILABLE`,
   * for a caller that knows Kafka is down and has somewhere durable to put them: without it, each queued batch would
   * wait its own ack timeout in turn, one batch in flight at a time, before its messages could go elsewhere.
   * Returns how many were rejected.
   */
  failQueued(reason: string): number {
    const failed = this.queue.splice(0);
    this.queuedBytes = 0;
    this.queueDue = Number.POSITIVE_INFINITY;
    this.clearTimer();
    const error = kafkaUnavailable(reason);
    for (const p of failed) p.reject(error);
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    return failed.length;
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  /** Makes sure a timer fires by the time the queue is due (one timer, moved earlier when needed). */
  private armTimer(): void {
    if (this.queue.length === 0 || this.inFlight > 0) return;
    if (this.timer !== undefined && this.timerDue <= this.queueDue) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDue = this.queueDue;
    this.timer = setTimeout(() => { this.timer = undefined; this.timerDue = Number.POSITIVE_INFINITY; this.flushNow(); }, Math.max(0, this.queueDue - this.now()));
    this.timer.unref();
  }

  /** Sends what is queued now and waits until every batch in flight is settled. */
  async flush(): Promise<void> {
    this.flushWanted = true;
    try {
      this.flushNow();
      if (this.inFlight === 0 && this.queue.length === 0) return;
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    } finally {
      this.flushWanted = false;
    }
  }

  private flushNow(): void {
    this.clearTimer();
    // One batch in flight at a time: concurrent produce requests can land out of order, and each key's order (and the
    // spool's drain order) must hold. What queues up meanwhile goes as the next batch as soon as this one settles.
    if (this.queue.length === 0 || this.inFlight > 0) return;
    let count = 0;
    for (let bytes = 0; count < this.queue.length && count < this.options.maxBatchMessages; count += 1) {
      bytes += recordBytes(this.queue[count]!.key, this.queue[count]!.value);
      if (bytes > this.maxBatchBytes && count > 0) break;
    }
    const batch = this.queue.splice(0, count);
    for (const p of batch) this.queuedBytes -= recordBytes(p.key, p.value);
    this.queueDue = this.queue.length === 0 ? Number.POSITIVE_INFINITY : this.now();
    this.inFlight += 1;
    this.options.onBatch?.(batch.length);
    void this.sendBatch(batch).finally(() => {
      this.inFlight -= 1;
      // Urgent messages (or deferred ones past due) go at once; deferred ones alone wait for company or their time.
      if (this.queue.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      else if (this.flushWanted || this.now() >= this.queueDue || this.queue.some((p) => p.urgent)) this.flushNow();
      else this.armTimer();
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
      const error = kafkaUnavailable((cause as Error).message, cause);
      for (const p of batch) p.reject(error);
    } finally {
      clearTimeout(timeout);
    }
  }
}
