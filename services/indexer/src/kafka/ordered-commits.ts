import type { Logger } from '@auditgate/shared';

/** One chunk of records handed to the batcher, as the commit side sees it. */
export interface PendingChunk<R> {
  readonly topic: string;
  readonly partition: number;
  /** Offsets of the chunk's first and last records. */
  readonly first: string;
  readonly last: string;
  /** Documents the chunk holds until it is settled (counted against the intake limit). */
  readonly docs: number;
  /** Resolves when OpenSearch acknowledged the chunk's documents, with those it rejected for good. */
  readonly acked: Promise<R>;
  /** Runs after the acknowledgement and before the commit (sends the chunk's DLQ records); a throw fails the chunk. */
  readonly settle: (result: R) => Promise<void>;
  /** Called once the commit covering the chunk succeeded. */
  readonly committed?: () => void;
}

/** What {@link OrderedCommits} calls out to. */
export interface OrderedCommitsDeps {
  /** Commits `offset` (the next to read) of the partition. */
  readonly commit: (topic: string, partition: number, offset: string) => Promise<void>;
  /**
   * Reads the partition again from `offset` after `delayMs` (a chunk failed before it was indexed or dead-lettered):
   * the partition waits that long, so a DLQ that stays unwritable is not hammered by re-reads.
   */
  readonly rewind: (topic: string, partition: number, offset: string, delayMs: number) => void;
  /** Backoff of the rewinds of one partition: doubles per failure from `initialMs` up to `maxMs`, reset by a commit. */
  readonly rewindBackoff: { readonly initialMs: number; readonly maxMs: number };
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Times a batch that starts past the rewind offset makes the rewind be asked again before its records count as gone. */
const MAX_REWIND_REPEATS = 3;
/** How long after its due time a rewind is left to take effect before a batch past it asks again. */
const REWIND_GRACE_MS = 1000;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

interface PartitionChain {
  tail: Promise<void>;
  /** Bumped when a chunk fails: the links queued behind it belong to records that will be read again. */
  generation: number;
  /** Set when a chunk failed: the offset the partition was rewound to, until a batch fetched from there (or before) comes. */
  rewoundTo: bigint | undefined;
  /** When the rewind is due (its backoff over), and how often it was asked again since. */
  rewindDueAt: number;
  rewindRepeats: number;
  /** Failures since the partition last committed (the backoff's exponent). */
  failures: number;
}

/**
 * Commits each partition's offsets in the order its chunks were handed over, each only once its chunk was acknowledged
 * by OpenSearch and settled (its DLQ records sent), while the consumer goes on fetching: the intake is decoupled from
 * the acknowledgements, bounded by the documents not yet settled ({@link whenBelow}).
 *
 * - A chunk that fails (its acknowledgement rejects, or settling throws) is not committed, nor is anything queued
 *   behind it on its partition; the partition is rewound to the chunk's first offset, so its records are read again.
 *   Until a batch fetched from (or before) that offset comes ({@link admit}), the partition's chunks are written but
 *   not committed: they were read before the rewind took effect, and committing them would skip the failed records.
 *   Rewinds back off per partition; a rewind that does not take (lost with a consumer restart, or the records are gone
 *   from Kafka by retention or compaction) is asked again a few times, then given up with an error in the log.
 * - A group rejoin changes nothing here: chunks handed over before it are still settled and committed in order (a
 *   commit for a partition that moved to another member can only move its offset back: a replay, never a gap), and a
 *   pending rewind stays until a batch from at or before its offset comes.
 * - A link of the chain never rejects, whatever is thrown in it.
 * - A commit that fails is logged and left: a later commit of the partition covers it, and if none comes the records
 *   are read again after a restart (their upserts are idempotent). Nothing is committed past an unsettled chunk.
 */
export class OrderedCommits {
  private readonly chains = new Map<string, PartitionChain>();
  private pendingDocs = 0;
  private waiters: Array<() => void> = [];
  private readonly now: () => number;

  constructor(private readonly deps: OrderedCommitsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Whether the handler may take a batch of the partition fetched from `fetchedOffset`. After a rewind, a batch from
   * at or before the rewind offset ends it; a batch past it is skipped (left unread), and once the rewind is overdue the
   * rewind is asked again, up to {@link MAX_REWIND_REPEATS} times, after which its records count as gone from Kafka.
   */
  admit(topic: string, partition: number, fetchedOffset: string): boolean {
    const chain = this.chains.get(this.key(topic, partition));
    if (chain?.rewoundTo === undefined) return true;
    if (BigInt(fetchedOffset) <= chain.rewoundTo) {
      chain.rewoundTo = undefined;
      chain.rewindRepeats = 0;
      return true;
    }
    if (this.now() < chain.rewindDueAt + REWIND_GRACE_MS) return false;
    if (chain.rewindRepeats >= MAX_REWIND_REPEATS) {
      this.deps.logger.error({ topic, partition, from: chain.rewoundTo.toString(), fetchedOffset },
        'the partition cannot be read again from a failed chunk (its records are gone from Kafka, or the rewind keeps being lost): committing on from where it is read');
      chain.rewoundTo = undefined;
      chain.rewindRepeats = 0;
      return true;
    }
    chain.rewindRepeats += 1;
    chain.rewindDueAt = this.now();
    this.requestRewind(topic, partition, chain.rewoundTo.toString(), 0);
    return false;
  }

  private key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  private requestRewind(topic: string, partition: number, offset: string, delayMs: number): void {
    try {
      this.deps.rewind(topic, partition, offset, delayMs);
    } catch (error) {
      this.deps.logger.warn({ topic, partition, offset, err: messageOf(error) }, 'could not rewind the partition: asked again when it is read past the failed chunk');
    }
  }

  /** Documents handed over and not yet settled. */
  pending(): number {
    return this.pendingDocs;
  }

  /** Queues `chunk` behind the earlier chunks of its partition. */
  add<R>(chunk: PendingChunk<R>): void {
    const key = this.key(chunk.topic, chunk.partition);
    let chain = this.chains.get(key);
    if (chain === undefined) {
      chain = { tail: Promise.resolve(), generation: 0, rewoundTo: undefined, rewindDueAt: 0, rewindRepeats: 0, failures: 0 };
      this.chains.set(key, chain);
    }
    const owner = chain;
    const commits = owner.rewoundTo === undefined;
    const generation = owner.generation;
    this.pendingDocs += chunk.docs;
    // The chunk's outcome is awaited in its turn; until then a rejection is not unhandled.
    chunk.acked.catch(() => undefined);
    owner.tail = owner.tail.then(async () => {
      try {
        if (!commits || owner.generation !== generation) {
          // Read before a rewind took effect: written all the same, held against the limit until acknowledged.
          await chunk.acked.catch(() => undefined);
          return;
        }
        try {
          await chunk.settle(await chunk.acked);
        } catch (error) {
          owner.generation += 1;
          owner.failures += 1;
          owner.rewoundTo = BigInt(chunk.first);
          const { initialMs, maxMs } = this.deps.rewindBackoff;
          const delayMs = Math.min(maxMs, initialMs * 2 ** Math.min(owner.failures - 1, 30));
          owner.rewindDueAt = this.now() + delayMs;
          owner.rewindRepeats = 0;
          this.deps.logger.warn({ topic: chunk.topic, partition: chunk.partition, offset: chunk.first, delayMs, err: messageOf(error) },
            'a chunk was neither indexed nor dead-lettered: reading its partition again from its first record');
          this.requestRewind(chunk.topic, chunk.partition, chunk.first, delayMs);
          return;
        }
        const next = (BigInt(chunk.last) + 1n).toString();
        try {
          await this.deps.commit(chunk.topic, chunk.partition, next);
          owner.failures = 0;
          chunk.committed?.();
        } catch (error) {
          this.deps.logger.warn({ topic: chunk.topic, partition: chunk.partition, offset: next, err: messageOf(error) }, 'offset commit failed: a later commit covers it');
        }
      } catch (error) {
        // Only a bug gets here (a throwing callback): logged, and the chain goes on.
        this.deps.logger.error({ topic: chunk.topic, partition: chunk.partition, err: messageOf(error) }, 'commit chain step failed');
      } finally {
        this.pendingDocs -= chunk.docs;
        this.wake();
      }
    });
  }

  /** Resolves once at most `limit` documents are pending (at once if so already), or when `signal` aborts. */
  async whenBelow(limit: number, signal?: AbortSignal): Promise<void> {
    while (this.pendingDocs > limit && signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        // Woken either way, the listener goes: the signal lives as long as the indexer, the waits come per chunk.
        const done = (): void => { signal?.removeEventListener('abort', done); resolve(); };
        this.waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Resolves when every chunk handed over so far is committed, rewound or given up. */
  async drain(): Promise<void> {
    for (;;) {
      const tails = new Map([...this.chains].map(([key, chain]) => [key, chain.tail]));
      await Promise.all(tails.values());
      if ([...this.chains].every(([key, chain]) => tails.get(key) === chain.tail)) return;
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
