import { BoundedMap } from './bounded-map.js';

/** One event remembered in a window. */
export interface WindowEntry {
  readonly t: number;
  readonly auditID: string;
  /** Values of the fields the rule counts distinct values of. */
  readonly values: Readonly<Record<string, string>>;
  /** Which of the rule's `requireAny` predicates the event satisfied. */
  readonly flags: readonly boolean[];
  /** Per `require` item: null when the event does not match it, else the value counted (its `distinct` field or '1'). */
  readonly required?: ReadonlyArray<string | null>;
  /** How the event ended (allowed, refused, …). */
  readonly outcome?: string;
}

/** Bounds of the window state. */
export interface WindowStoreOptions {
  /** Most (rule, actor) windows kept; the least recently used is dropped beyond it. */
  readonly maxKeys: number;
  /** Most events kept per window; the oldest are dropped beyond it. */
  readonly maxEntriesPerKey: number;
}

/** Per (rule, actor) sliding windows in event time, bounded in keys and entries, expiring old entries. */
export class WindowStore {
  private readonly windows: BoundedMap<string, { entries: WindowEntry[]; maxT: number; windowMs: number }>;
  constructor(private readonly options: WindowStoreOptions) {
    this.windows = new BoundedMap(options.maxKeys);
  }

  /** Adds `entry` and returns the entries within `windowMs` of the newest event (inclusive: exactly `windowMs` counts). */
  add(key: string, windowMs: number, entry: WindowEntry): readonly WindowEntry[] {
    let w = this.windows.get(key);
    if (w === undefined) { w = { entries: [], maxT: entry.t, windowMs }; this.windows.set(key, w); }
    w.maxT = Math.max(w.maxT, entry.t);
    w.entries.push(entry);
    const floor = w.maxT - windowMs;
    w.entries = w.entries.filter((e) => e.t >= floor);
    if (w.entries.length > this.options.maxEntriesPerKey) w.entries.splice(0, w.entries.length - this.options.maxEntriesPerKey);
    return w.entries;
  }

  /** Drops windows whose newest event is older than their window length before `nowMs`. Returns how many. */
  expire(nowMs: number): number {
    let dropped = 0;
    for (const [key, w] of [...this.windows.entries()]) {
      if (w.maxT < nowMs - w.windowMs) { this.windows.delete(key); dropped += 1; }
    }
    return dropped;
  }

  /** Number of live windows. */
  get size(): number { return this.windows.size; }
}
