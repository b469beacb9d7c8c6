import type { Alert } from '../engine/alert.js';

/** Where alerts go. Methods throw an AppError whose `retriable` says whether the queue should try again. */
export interface AlertSink {
  readonly name: string;
  /** Pages (or records) a new alert. Must be idempotent on `alert.dedupKey`. */
  deliver(alert: Alert): Promise<void>;
  /** Re-sends a still-active alert (sinks that expire alerts without it, e.g. Alertmanager). */
  refresh?(alert: Alert, endsAt: Date): Promise<void>;
  /** Marks an alert resolved. */
  resolve?(alert: Alert, endedAt: Date): Promise<void>;
}
