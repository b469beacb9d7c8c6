import type { Gauge } from 'prom-client';

/** Partitions by topic, as kafkajs's GROUP_JOIN `memberAssignment` gives them. */
export type Assignment = Readonly<Record<string, readonly number[]>>;

/**
 * The consumer-lag gauge, kept to the partitions this member owns: a partition that moved to another pod (a
 * rebalance) or a consumer that stopped or crashed leaves no stale series behind for the alert rules to add up.
 */
export class PartitionLag {
  private readonly reported = new Map<string, { topic: string; partition: string }>();
  /** The last assignment; none before the first join. */
  private owned: Assignment | undefined;

  constructor(private readonly gauge: Gauge<'topic' | 'partition'>) {}

  /** Reports `lag` for one partition (after a chunk of its batch is committed); ignored for a partition not owned now. */
  set(topic: string, partition: number, lag: number): void {
    // A chunk that was in flight across a rebalance must not bring back the series of a partition that moved away.
    if (this.owned !== undefined && !(this.owned[topic] ?? []).includes(partition)) return;
    const labels = { topic, partition: String(partition) };
    this.reported.set(`${topic}\u0000${labels.partition}`, labels);
    this.gauge.set(labels, lag);
  }

  /** Removes the partitions that are not in this member's new assignment. */
  assigned(assignment: Assignment): void {
    this.owned = assignment;
    for (const [key, labels] of this.reported) {
      if (!(assignment[labels.topic] ?? []).includes(Number(labels.partition))) this.drop(key, labels);
    }
  }

  /** Removes every partition this member reported (the consumer stopped or crashed). */
  clear(): void {
    this.owned = {};
    for (const [key, labels] of this.reported) this.drop(key, labels);
  }

  private drop(key: string, labels: { topic: string; partition: string }): void {
    this.gauge.remove(labels);
    this.reported.delete(key);
  }
}
