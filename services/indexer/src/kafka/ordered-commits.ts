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
  /** Reads the partition again from `offset` (a chunk failed before it was indexed or dead-lettered). */
  readonly rewind: (topic: string, partition: number, offset: string) => void;
  readonly logger: Logger;
}

interface PartitionChain {
  tail: Promise<void>;
  /** Bumped when a chunk fails: the links queued behind it belong to records that will be read again. */
  generation: number;
  /** Set when a chunk failed: the offset the partition was rewound to, until a chunk starting there (or before) comes. */
  rewoundTo: bigint | undefined;
}

/**
 * Commits each partition's offsets in the order its chunks were handed over, each only once its chunk was acknowledged
 * by OpenSearch and settled (its DLQ records sent), while the consumer goes on fetching: the intake is decoupled from
 * the acknowledgements, bounded by the documents not yet settled ({@link whenBelow}).
 *
 * - A chunk that fails (its acknowledgement rejects, or settling throws) is not committed, nor is anything queued
 *   behind it on its partition; the partition is rewound to the chunk's first offset, so its records are read again.
 *   Until a chunk starting at (or before) that offset is handed over, the partition's chunks are written but not
 *   committed: they were read before the rewind took effect, and committing them would skip the failed records.
 * - A commit that fails is logged and left: a later commit of the partition covers it, and if none comes the records
 *   are read again after a restart (their upserts are idempotent). Nothing is committed past an unsettled chunk.
 */
export class OrderedCommits {
  private readonly chains = new Map<string, PartitionChain>();
  private pendingDocs = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly deps: OrderedCommitsDeps) {}

  /** Documents handed over and not yet settled. */
  pending(): number {
    return this.pendingDocs;
  }

  /** Queues `chunk` behind the earlier chunks of its partition. */
  add<R>(chunk: PendingChunk<R>): void {
    const key = `${chunk.topic}\u0000${chunk.partition}`;
    let chain = this.chains.get(key);
    if (chain === undefined) {
      chain = { tail: Promise.resolve(), generation: 0, rewoundTo: undefined };
      this.chains.set(key, chain);
    }
    const owner = chain;
    if (owner.rewoundTo !== undefined && BigInt(chunk.first) <= owner.rewoundTo) owner.rewoundTo = undefined;
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
          owner.rewoundTo = BigInt(chunk.first);
          this.deps.logger.warn({ topic: chunk.topic, partition: chunk.partition, offset: chunk.first, err: (error as Error).message },
            'a chunk was neither indexed nor dead-lettered: reading its partition again from its first record');
          this.deps.rewind(chunk.topic, chunk.partition, chunk.first);
          return;
        }
        const next = (BigInt(chunk.last) + 1n).toString();
        try {
          await this.deps.commit(chunk.topic, chunk.partition, next);
          chunk.committed?.();
        } catch (error) {
          this.deps.logger.warn({ topic: chunk.topic, partition: chunk.partition, offset: next, err: (error as Error).message }, 'offset commit failed: a later commit covers it');
        }
      } finally {
        this.pendingDocs -= chunk.docs;
        this.wake();
      }
    });
  }

  /** Resolves once at most `limit` documents are pending (at once if so already). */
  async whenBelow(limit: number): Promise<void> {
    while (this.pendingDocs > limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
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
