import type { Checkpoint, Logger, SendingProducer } from '@auditgate/shared';
import type { ChainHead } from '../audit/audit-chain.js';
import { signCheckpoint, type CheckpointSigner } from './checkpoint-signer.js';

/** Why a checkpoint was signed. */
export type CheckpointReason = 'count' | 'interval' | 'heartbeat' | 'final';

/** Options of {@link Checkpointer}. */
export interface CheckpointerOptions {
  readonly stream: string;
  /** The stream's durable head (seq 0 and the origin's hash before the first event). */
  readonly head: () => ChainHead;
  readonly signer: CheckpointSigner;
  readonly producer: SendingProducer;
  readonly topic: string;
  /** Sign after this many new durable events (N). */
  readonly everyEvents: number;
  /** Sign at least this often (T), as a heartbeat when nothing new is durable. */
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Called after each attempt, for metrics. */
  readonly onCheckpoint?: (reason: CheckpointReason, outcome: 'ok' | 'error') => void;
}

/**
 * Signs the stream's durable head every N events or T ms, whichever comes first, and a heartbeat every T ms while the
 * stream is silent, so a deleted tail is caught within T; produces each JWS to the checkpoints topic keyed by stream.
 * `count` is the number of events since the last checkpoint that reached Kafka, so a verifier can tell a deleted
 * checkpoint; a checkpoint Kafka refused is not retried: the next one covers its events. `close()` signs the final one.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private lastProduced: number | undefined;
  private running: Promise<void> = Promise.resolve();
  private queued = false;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly o: CheckpointerOptions) { this.now = o.now ?? Date.now; }

  /** Signs the first checkpoint (naming the stream's origin) and starts the interval timer. */
  start(): void {
    this.lastProduced = undefined;
    this.trigger('interval');
    this.timer = setInterval(() => this.trigger(this.o.head().seq === (this.lastProduced ?? -1) ? 'heartbeat' : 'interval'), this.o.intervalMs);
    this.timer.unref();
  }

  /** Tells the checkpointer the durable head moved; signs at once when N events are waiting. */
  advanced(head: ChainHead): void {
    if (!this.closed && !this.queued && head.seq - (this.lastProduced ?? 0) >= this.o.everyEvents) this.trigger('count');
  }

  private trigger(reason: CheckpointReason): void {
    if (this.closed || this.queued) return;
    this.queued = true;
    this.running = this.running.then(async () => {
      this.queued = false;
      await this.produce(reason, false);
    });
  }

  private async produce(reason: CheckpointReason, final: boolean): Promise<void> {
    const head = this.o.head();
    const checkpoint: Checkpoint = {
      stream: this.o.stream, seq: head.seq, hash: head.hash, time: new Date(this.now()).toISOString(),
      count: head.seq - (this.lastProduced ?? 0), intervalMs: this.o.intervalMs, ...(final ? { final: true as const } : {}),
    };
    try {
      const jws = await signCheckpoint(this.o.signer, checkpoint);
      await this.o.producer.send({ topic: this.o.topic, acks: -1, messages: [{ key: this.o.stream, value: jws, timestamp: String(Date.parse(checkpoint.time)) }] });
      this.lastProduced = head.seq;
      this.o.onCheckpoint?.(reason, 'ok');
    } catch (error) {
      this.o.onCheckpoint?.(reason, 'error');
      this.o.logger.warn({ reason, seq: head.seq, err: (error as Error).message }, 'checkpoint not produced; the next one covers its events');
    }
  }

  /** Stops the timer and signs the final checkpoint (call after the audit sink flushed). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
    await this.produce('final', true);
  }
}
