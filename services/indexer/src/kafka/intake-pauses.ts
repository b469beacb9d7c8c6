import type { Consumer } from 'kafkajs';
import type { Logger } from '@auditgate/shared';

type TopicPartitions = Array<{ topic: string; partitions?: number[] }>;

/** What {@link IntakePauses} pauses and resumes. */
export interface IntakePausesDeps {
  /** The consumer, once there is one. */
  readonly consumer: () => Pick<Consumer, 'pause' | 'resume' | 'seek'> | undefined;
  readonly topics: readonly string[];
  readonly logger: Logger;
}

/**
 * One owner of the consumer's pauses, which KafkaJS keeps as a single state per topic (resuming a topic clears its
 * partitions' pauses; pausing a partition clears its topic's pause): the whole intake is paused while OpenSearch is
 * unavailable or the indexer is stopping, and single partitions while they wait out a rewind's backoff. Every change
 * re-applies the whole state; so does {@link apply} after a group join (KafkaJS forgets pauses with its group). Pause and
 * resume never throw here (KafkaJS throws while its group is down, between a crash and the restart).
 */
export class IntakePauses {
  private closing = false;
  private opensearchUp = true;
  private readonly backoffs = new Map<string, { topic: string; partition: number; timer: NodeJS.Timeout }>();

  constructor(private readonly deps: IntakePausesDeps) {}

  /** OpenSearch answers again, or stopped answering. */
  setOpenSearchAvailable(available: boolean): void {
    this.opensearchUp = available;
    this.apply();
  }

  /** The indexer stops: nothing is fetched any more, and pending rewinds are dropped. */
  stop(): void {
    this.closing = true;
    for (const b of this.backoffs.values()) clearTimeout(b.timer);
    this.backoffs.clear();
    this.apply();
  }

  /**
   * Pauses the partition for `delayMs`, then seeks it to `offset` and lets it be fetched again (a later rewind of the
   * same partition replaces a pending one).
   */
  rewind(topic: string, partition: number, offset: string, delayMs: number): void {
    if (this.closing) return;
    const key = `${topic}\u0000${partition}`;
    const pending = this.backoffs.get(key);
    if (pending !== undefined) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      if (this.backoffs.get(key)?.timer !== timer) return;
      this.backoffs.delete(key);
      try {
        this.deps.consumer()?.seek({ topic, partition, offset });
      } catch (error) {
        // The group is down (a crash before the restart): its next join reads on from the committed offset.
        this.deps.logger.warn({ topic, partition, offset, err: (error as Error).message }, 'rewind not applied: the partition is read again from its committed offset after the restart');
      }
      this.apply();
    }, delayMs);
    timer.unref();
    this.backoffs.set(key, { topic, partition, timer });
    this.apply();
  }

  /** Puts the consumer's pauses where this state says. */
  apply(): void {
    const all: TopicPartitions = this.deps.topics.map((topic) => ({ topic }));
    if (this.closing || !this.opensearchUp) {
      this.call('pause', all);
      return;
    }
    this.call('resume', all);
    const byTopic = new Map<string, number[]>();
    for (const b of this.backoffs.values()) byTopic.set(b.topic, [...(byTopic.get(b.topic) ?? []), b.partition]);
    if (byTopic.size > 0) this.call('pause', [...byTopic].map(([topic, partitions]) => ({ topic, partitions })));
  }

  private call(what: 'pause' | 'resume', topics: TopicPartitions): void {
    try {
      this.deps.consumer()?.[what](topics);
    } catch (error) {
      this.deps.logger.debug({ err: (error as Error).message }, `${what} deferred to the next group join`);
    }
  }
}
