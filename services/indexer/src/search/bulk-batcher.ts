import { mergePartial } from './build-document.js';
import type { BulkOp, BulkWriter, RejectedOp } from './bulk-writer.js';

/** Settings of a {@link BulkBatcher}. */
export interface BulkBatcherOptions {
  readonly writer: BulkWriter;
  readonly maxDocs: number;
  readonly maxBytes: number;
  readonly flushIntervalMs: number;
  /** Bulks sent at once (default 1). Upserts merge per stage in any order, so concurrent bulks are safe. */
  readonly maxInFlight?: number;
  /** Aborts writes in progress (shutdown past its deadline). */
  readonly signal: AbortSignal;
  readonly onFlush?: (docs: number) => void;
}

interface Waiter<S> { ops: BulkOp<S>[]; resolve: (r: RejectedOp<S>[]) => void; reject: (e: unknown) => void }

/**
 * Gathers upserts from concurrent partition handlers into bulks flushed by size (docs, bytes) or time, one bulk at a
 * time, up to `maxInFlight` at once; stages of one exchange in the same bulk are merged into one op. `submit` resolves once OpenSearch acknowledged
 * (or rejected for good) every op submitted.
 */
export class BulkBatcher<S> {
  private waiting: Waiter<S>[] = [];
  private docs = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: BulkBatcherOptions) {}

  /** Queues `ops` (`bytes`: their approximate size); resolves with those of them rejected for good. */
  submit(ops: BulkOp<S>[], bytes: number): Promise<RejectedOp<S>[]> {
    if (ops.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ ops, resolve, reject });
      this.docs += ops.length;
      this.bytes += bytes;
      if (this.docs >= this.o.maxDocs || this.bytes >= this.o.maxBytes) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.o.flushIntervalMs).unref();
    });
  }

  /** Flushes what is queued now; resolves when every bulk queued so far is done. */
  async flush(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight.size > 0) {
      this.kick();
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
    }
  }

  private kick(): void {
    if (this.timer !== undefined) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.inFlight.size >= (this.o.maxInFlight ?? 1) || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.docs = 0;
    this.bytes = 0;
    const bulk: Promise<void> = this.run(batch).finally(() => {
      this.inFlight.delete(bulk);
      // What arrived meanwhile goes next, now if it is already big enough, else on its timer.
      if (this.waiting.length > 0) {
        if (this.docs >= this.o.maxDocs || this.bytes >= this.o.maxBytes) this.kick();
        else this.timer ??= setTimeout(() => this.kick(), this.o.flushIntervalMs).unref();
      }
    });
    this.inFlight.add(bulk);
  }

  private async run(batch: Waiter<S>[]): Promise<void> {
    const merged = new Map<string, { op: BulkOp<S>; owners: Set<Waiter<S>> }>();
    for (const waiter of batch) {
      for (const op of waiter.ops) {
        const key = `${op.index}\u0000${op.id}`;
        const current = merged.get(key);
        if (current === undefined) merged.set(key, { op, owners: new Set([waiter]) });
        else {
          current.op = { index: op.index, id: op.id, doc: mergePartial(current.op.doc, op.doc), sources: [...current.op.sources, ...op.sources] };
          current.owners.add(waiter);
        }
      }
    }
    try {
      const rejected = await this.o.writer.write([...merged.values()].map((m) => m.op), this.o.signal);
      this.o.onFlush?.(merged.size - rejected.length);
      const byWaiter = new Map<Waiter<S>, RejectedOp<S>[]>();
      for (const r of rejected) {
        // A merged op's rejection is reported once, to the first of its owners, with all its sources.
        const owner = merged.get(`${r.op.index}\u0000${r.op.id}`)!.owners.values().next().value!;
        byWaiter.set(owner, [...(byWaiter.get(owner) ?? []), r]);
      }
      for (const waiter of batch) waiter.resolve(byWaiter.get(waiter) ?? []);
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }
}
