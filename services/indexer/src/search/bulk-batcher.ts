import { mergePartial } from './build-document.js';
import type { BulkOp, RejectedOp } from './bulk-writer.js';

/** Writes one bulk and resolves with the ops rejected for good (the `BulkWriter` in production). */
export interface BulkSink<S> {
  write(ops: readonly BulkOp<S>[], signal: AbortSignal): Promise<RejectedOp<S>[]>;
}

/** Settings of a {@link BulkBatcher}. */
export interface BulkBatcherOptions<S> {
  readonly writer: BulkSink<S>;
  /** Largest bulk, in documents and in approximate bytes (a single submission larger than either is sent whole). */
  readonly maxDocs: number;
  readonly maxBytes: number;
  /** Longest a submission that is not urgent waits for others to share its bulk. */
  readonly flushIntervalMs: number;
  /** Bulks sent at once (default 1). Upserts merge per stage in any order, so concurrent bulks are safe. */
  readonly maxInFlight?: number;
  /** Aborts writes in progress (shutdown past its deadline). */
  readonly signal: AbortSignal;
  readonly onFlush?: (docs: number) => void;
}

interface Waiter<S> {
  readonly ops: BulkOp<S>[];
  readonly bytes: number;
  readonly urgent: boolean;
  readonly resolve: (r: RejectedOp<S>[]) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Gathers upserts from concurrent partition handlers into bulks of at most `maxDocs` documents and `maxBytes`, up to
 * `maxInFlight` at once; stages of one exchange in the same bulk are merged into one op. A bulk leaves as soon as a slot
 * is free and it is full, or holds an urgent submission (one with more records behind it on Kafka: waiting for company
 * would only stall the catch-up), or its oldest submission waited `flushIntervalMs`. `submit` resolves once OpenSearch
 * acknowledged (or rejected for good) every op submitted.
 */
export class BulkBatcher<S> {
  private waiting: Waiter<S>[] = [];
  private docs = 0;
  private bytes = 0;
  private urgent = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: BulkBatcherOptions<S>) {}

  /**
   * Queues `ops` (`bytes`: their approximate size); resolves with those of them rejected for good. `urgent`: send
   * without waiting for others to fill the bulk (the caller has more to submit once this is acknowledged).
   */
  submit(ops: BulkOp<S>[], bytes: number, urgent = false): Promise<RejectedOp<S>[]> {
    if (ops.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ ops, bytes, urgent, resolve, reject });
      this.docs += ops.length;
      this.bytes += bytes;
      if (urgent) this.urgent += 1;
      this.pump(false);
    });
  }

  /** Flushes what is queued now; resolves when every bulk queued so far is done. */
  async flush(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight.size > 0) {
      this.pump(true);
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
    }
  }

  /** Starts bulks while a slot is free and one is due (`force`: the flush timer fired, or a flush); else arms the timer. */
  private pump(force: boolean): void {
    const slots = this.o.maxInFlight ?? 1;
    while (this.inFlight.size < slots && this.waiting.length > 0) {
      const due = force || this.urgent > 0 || this.docs >= this.o.maxDocs || this.bytes >= this.o.maxBytes;
      if (!due) break;
      this.start(this.take());
    }
    if (this.waiting.length === 0) {
      if (this.timer !== undefined) { clearTimeout(this.timer); this.timer = undefined; }
    } else if (this.inFlight.size < slots) {
      this.timer ??= setTimeout(() => { this.timer = undefined; this.pump(true); }, this.o.flushIntervalMs).unref();
    }
  }

  /** The oldest submissions that fit one bulk (at least one). */
  private take(): Waiter<S>[] {
    let docs = 0;
    let bytes = 0;
    let n = 0;
    for (const w of this.waiting) {
      if (n > 0 && (docs + w.ops.length > this.o.maxDocs || bytes + w.bytes > this.o.maxBytes)) break;
      docs += w.ops.length;
      bytes += w.bytes;
      n += 1;
    }
    const batch = this.waiting.splice(0, n);
    this.docs -= docs;
    this.bytes -= bytes;
    for (const w of batch) if (w.urgent) this.urgent -= 1;
    return batch;
  }

  private start(batch: Waiter<S>[]): void {
    const bulk: Promise<void> = this.run(batch).finally(() => {
      this.inFlight.delete(bulk);
      // What arrived meanwhile goes next if it is due, else on its timer.
      this.pump(false);
    });
    this.inFlight.add(bulk);
  }

  private async run(batch: Waiter<S>[]): Promise<void> {
    // One upsert per index+id; each submission that contributed to it is remembered with the sources it brought.
    const merged = new Map<string, { op: BulkOp<S>; owners: Map<Waiter<S>, readonly S[]> }>();
    for (const waiter of batch) {
      for (const op of waiter.ops) {
        const key = `${op.index}\u0000${op.id}`;
        const current = merged.get(key);
        if (current === undefined) merged.set(key, { op, owners: new Map([[waiter, op.sources]]) });
        else {
          current.op = { index: op.index, id: op.id, doc: mergePartial(current.op.doc, op.doc), sources: [...current.op.sources, ...op.sources] };
          current.owners.set(waiter, [...(current.owners.get(waiter) ?? []), ...op.sources]);
        }
      }
    }
    try {
      const rejected = await this.o.writer.write([...merged.values()].map((m) => m.op), this.o.signal);
      this.o.onFlush?.(merged.size - rejected.length);
      const byWaiter = new Map<Waiter<S>, RejectedOp<S>[]>();
      for (const r of rejected) {
        // A merged upsert's rejection goes to every submission it merged, each with its own sources only: each
        // dead-letters its own records, so none is committed past a record that is neither indexed nor dead-lettered.
        for (const [owner, sources] of merged.get(`${r.op.index}\u0000${r.op.id}`)!.owners) {
          byWaiter.set(owner, [...(byWaiter.get(owner) ?? []), { ...r, op: { ...r.op, sources } }]);
        }
      }
      for (const waiter of batch) waiter.resolve(byWaiter.get(waiter) ?? []);
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }
}
