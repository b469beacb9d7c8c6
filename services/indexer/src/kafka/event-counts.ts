import type { Counter } from 'prom-client';

/** Valid events of one chunk counted by stage and schema version, so the counter is touched once per label set. */
export class EventCounts {
  private readonly counts = new Map<string, { stage: string; schemaVersion: string; n: number }>();

  add(stage: string, schemaVersion: number): void {
    const key = `${stage}\u0000${schemaVersion}`;
    const seen = this.counts.get(key);
    if (seen === undefined) this.counts.set(key, { stage, schemaVersion: String(schemaVersion), n: 1 });
    else seen.n += 1;
  }

  /** Adds the counts to `counter` (`auditgate_indexer_events_consumed_total`). */
  report(counter: Counter<'stage' | 'schema_version'>): void {
    for (const c of this.counts.values()) counter.inc({ stage: c.stage, schema_version: c.schemaVersion }, c.n);
  }
}
