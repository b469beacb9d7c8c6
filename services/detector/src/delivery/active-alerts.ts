import type { Alert } from '../engine/alert.js';
import { BoundedMap } from '../engine/bounded-map.js';

/** An alert a sink still shows as firing, until `endsAt` (ms). */
export interface ActiveAlert { readonly alert: Alert; readonly endsAt: number }

/**
 * The alerts active at one sink, by alert id (bounded). An alert is active for `activeForMs` from the time it was
 * produced to the alerts topic, so replaying the topic rebuilds the same set after a restart.
 */
export class ActiveAlerts {
  private readonly map: BoundedMap<string, ActiveAlert>;
  constructor(max: number, private readonly activeForMs: number) {
    this.map = new BoundedMap(max);
  }

  /** Tracks `alert` produced at `producedAtMs`; returns the version it replaces (an escalation), if any. */
  track(alert: Alert, producedAtMs: number): ActiveAlert | undefined {
    const before = this.map.get(alert.id);
    this.map.set(alert.id, { alert, endsAt: producedAtMs + this.activeForMs });
    return before;
  }

  /** The tracked version of `id`. */
  get(id: string): ActiveAlert | undefined { return this.map.get(id); }

  /** Splits the set at `nowMs`: ended alerts (removed, to resolve) and the others (to re-send). */
  due(nowMs: number): { resolve: ActiveAlert[]; refresh: ActiveAlert[] } {
    const resolve: ActiveAlert[] = [];
    const refresh: ActiveAlert[] = [];
    for (const [id, entry] of [...this.map.entries()]) {
      if (nowMs >= entry.endsAt) { resolve.push(entry); this.map.delete(id); } else refresh.push(entry);
    }
    return { resolve, refresh };
  }

  /** Forgets everything (partitions were reassigned: the set is rebuilt from the topic). */
  clear(): void { for (const [id] of [...this.map.entries()]) this.map.delete(id); }

  get size(): number { return this.map.size; }
}
