import type { Logger } from 'pino';
import { AppError, ErrorCodes, type GatewayEvent } from '@auditgate/shared';
import type { AuditChain } from './audit-chain.js';
import type { AuditSink } from './audit-sink.js';
import type { BatchingProducer, SendUrgency } from './batching-producer.js';
import type { Spool } from './spool.js';

/** What to do when Kafka cannot acknowledge a write-ahead event. */
export type KafkaOutageMode = 'fail-closed' | 'spool';

/** Options for {@link KafkaAuditSink}. */
export interface KafkaAuditSinkOptions {
  readonly producer: BatchingProducer;
  readonly mode: KafkaOutageMode;
  /** Required in spool mode. */
  readonly spool?: Spool;
  readonly logger: Logger;
  /** How often the spool drainer retries Kafka. */
  readonly drainIntervalMs?: number;
  /** Clock, for readiness after failures. */
  readonly now?: () => number;
  /** In fail-closed mode, how long readiness stays false after Kafka failed to acknowledge (then traffic probes again). */
  readonly unreadyAfterFailureMs?: number;
  /** Called with the number of events spooled and drained, for metrics. */
  readonly onSpool?: (event: 'spooled' | 'drained', count: number) => void;
  /**
   * The hash chain: each event is linked as it is produced and marked durable once acknowledged or spooled. A linked
   * event that could not be made durable is kept and sent again (the chain must not lose it), up to `maxRedeliver`.
   */
  readonly chain?: AuditChain;
  /** Linked events kept for another try at most (default 10,000); beyond, the oldest are dropped and reported. */
  readonly maxRedeliver?: number;
  /** Called with the number of linked events given up (dropped from a full redelivery queue), for metrics. */
  readonly onChainLoss?: (count: number) => void;
}

/** A linked event that is not yet durable. */
interface Undelivered { readonly key: string; readonly value: Buffer; readonly seq: number }

/**
 * The write-ahead audit sink: events go to Kafka (batched, acks=all). In `spool` mode, when Kafka fails, events are
 * fsync'd to the local spool instead, and every later event follows them there until a drainer has sent the whole
 * spool to Kafka in order; only then do events go straight to Kafka again.
 */
export class KafkaAuditSink implements AuditSink {
  private spooling = false;
  private drainTimer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private lastSuccessAt = Number.NEGATIVE_INFINITY;
  private undelivered: Undelivered[] = [];
  private redeliverTimer: NodeJS.Timeout | undefined;
  private redelivering: Promise<void> | undefined;

  constructor(private readonly options: KafkaAuditSinkOptions) {
    if (options.mode === 'spool' && options.spool === undefined) throw new Error('spool mode needs a spool');
  }

  /** Starts in spooling state if a previous run left records in the spool. */
  async start(): Promise<void> {
    const spool = this.options.spool;
    if (spool !== undefined && !(await spool.isEmpty())) this.enterSpooling('records left by a previous run');
  }

  writeAhead(event: GatewayEvent): Promise<void> { return this.write(event, 'now'); }
  /** Later stages nobody waits on travel with the next write-ahead batch (see {@link SendUrgency}). */
  record(event: GatewayEvent): Promise<void> { return this.write(event, 'deferred'); }

  /** Spool mode is always ready; fail-closed is not ready for a while after Kafka last failed and has not succeeded since. */
  healthy(): boolean {
    if (this.options.mode === 'spool') return true;
    const now = (this.options.now ?? Date.now)();
    return !(this.lastFailureAt > this.lastSuccessAt && now - this.lastFailureAt < (this.options.unreadyAfterFailureMs ?? 5000));
  }

  private async write(event: GatewayEvent, urgency: SendUrgency): Promise<void> {
    const key = event.auditgate.actor.username;
    // With a chain, the event is serialized once, canonically, for its hash and for the record.
    let linked: { link: { seq: number }; text: string } | undefined;
    let value: Buffer;
    try {
      linked = this.options.chain?.linkAndSerialize(event);
      value = Buffer.from(linked?.text ?? JSON.stringify(event));
    } catch (error) {
      // Not the audit log's fault: say so, rather than let it pass for a Kafka outage.
      throw new AppError(`the audit event could not be serialized: ${(error as Error).message}`, { code: ErrorCodes.EVENT_INVALID, status: 500, retriable: false, cause: error });
    }
    const seq = linked?.link.seq;
    try {
      await this.deliver(key, value, urgency);
    } catch (error) {
      if (seq !== undefined) this.keepForRedelivery({ key, value, seq });
      throw error;
    }
    if (seq !== undefined) this.options.chain!.durable(seq);
  }

  /** Kafka, or the spool while spooling (or when Kafka fails in spool mode); rejects when neither took the record. */
  private async deliver(key: string, value: Buffer, urgency: SendUrgency): Promise<void> {
    if (this.spooling && this.options.spool !== undefined) return this.toSpool(key, value);
    const now = this.options.now ?? Date.now;
    try {
      await this.options.producer.send(key, value, urgency);
      this.lastSuccessAt = now();
    } catch (error) {
      this.lastFailureAt = now();
      if (this.options.mode === 'fail-closed' || this.options.spool === undefined) throw error;
      this.enterSpooling((error as Error).message);
      await this.toSpool(key, value);
    }
  }

  private keepForRedelivery(record: Undelivered): void {
    this.undelivered.push(record);
    const excess = this.undelivered.length - (this.options.maxRedeliver ?? 10_000);
    if (excess > 0) {
      const lost = this.undelivered.splice(0, excess);
      this.options.onChainLoss?.(lost.length);
      this.options.logger.error({ lost: lost.length, firstSeq: lost[0]!.seq }, 'linked audit events given up: the chain will show them as deleted');
    }
    this.scheduleRedelivery();
  }

  private scheduleRedelivery(): void {
    if (this.closed || this.redeliverTimer !== undefined || this.undelivered.length === 0) return;
    this.redeliverTimer = setTimeout(() => {
      this.redeliverTimer = undefined;
      this.redelivering = this.redeliver().finally(() => { this.redelivering = undefined; this.scheduleRedelivery(); });
    }, this.options.drainIntervalMs ?? 1000);
    this.redeliverTimer.unref();
  }

  /** Sends the linked events that failed before, in chain order; those that fail again wait for the next try. */
  private async redeliver(): Promise<void> {
    const batch = this.undelivered.splice(0);
    const failed: Undelivered[] = [];
    await Promise.all(batch.map(async (r) => {
      try {
        await this.deliver(r.key, r.value, 'deferred');
        this.options.chain?.durable(r.seq);
      } catch {
        failed.push(r);
      }
    }));
    failed.sort((a, b) => a.seq - b.seq);
    this.undelivered.unshift(...failed);
  }

  private async toSpool(key: string, value: Buffer): Promise<void> {
    await this.options.spool!.append({ key, value });
    this.options.onSpool?.('spooled', 1);
  }

  private enterSpooling(reason: string): void {
    if (this.spooling) return;
    this.spooling = true;
    // What is still queued for Kafka goes to the spool now, not one ack timeout per batch later: a terminal stage queued
    // behind the batch that failed would otherwise sit in memory for many seconds after its request was answered, and
    // a crash then would lose it. (The batch in flight may still land; the chain and the indexer absorb the replay.)
    const diverted = this.options.producer.failQueued(`Kafka failed before it was sent (${reason})`);
    this.options.logger.warn({ reason, diverted }, 'Kafka unavailable: audit events go to the local spool until it drains');
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.closed || this.drainTimer !== undefined) return;
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      this.draining = this.drain().finally(() => { this.draining = undefined; });
    }, this.options.drainIntervalMs ?? 1000);
    this.drainTimer.unref();
  }

  /** Sends sealed segments oldest first; switches back to direct sends once the spool is empty. */
  private async drain(): Promise<void> {
    const spool = this.options.spool!;
    try {
      for (const seq of await spool.sealed()) {
        const records = await spool.read(seq);
        await Promise.all(records.map((r) => this.options.producer.send(r.key, r.value)));
        await spool.remove(seq);
        this.options.onSpool?.('drained', records.length);
        this.options.logger.info({ segment: seq, records: records.length }, 'spool segment drained to Kafka');
      }
      if (await spool.isEmpty()) {
        this.spooling = false;
        this.options.logger.info('spool drained: audit events go straight to Kafka again');
        return;
      }
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, 'spool drain failed; will retry');
    }
    this.scheduleDrain();
  }

  async flush(): Promise<void> {
    await this.options.producer.flush();
    if (this.draining !== undefined) await this.draining;
    if (this.redelivering !== undefined) await this.redelivering;
    if (this.undelivered.length > 0) { await this.redeliver(); await this.options.producer.flush(); }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    if (this.redeliverTimer !== undefined) clearTimeout(this.redeliverTimer);
    await this.flush();
    await this.options.spool?.close();
  }
}
