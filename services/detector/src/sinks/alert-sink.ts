import type { Alert } from '../engine/alert.js';

/** Where alerts go. Methods throw an AppError whose `retriable` says whether to try again. */
export interface AlertSink {
  readonly name: string;
  /**
   * True when the sink takes `updated` versions of an alert (count, evidence and outcomes grown inside the dedup
   * window), e.g. a store. Others (pagers) get only raises and escalations; their re-sends carry the latest version.
   */
  readonly acceptsUpdates?: boolean;
  /** Prepares the sink once at start (e.g. an index template); a failure is logged, not fatal. */
  start?(): Promise<void>;
  /** Pages (or records) a new alert, or an update of it (same id, higher severity). Idempotent on `deliveryKey(alert)`. */
  deliver(alert: Alert): Promise<void>;
  /** Re-sends a still-active alert (sinks that expire alerts without it, e.g. Alertmanager). */
  refresh?(alert: Alert, endsAt: Date): Promise<void>;
  /** Marks an alert resolved. */
  resolve?(alert: Alert, endedAt: Date): Promise<void>;
  /** Ends `previous` when an update of the same alert has another identity at the sink (Alertmanager: severity label). */
  supersede?(previous: Alert, at: Date): Promise<void>;
}
