import { createHash } from 'node:crypto';

/** The deterministic dedup key of a detection: `rule|actor|scope|bucket` (bucket = event time / suppression). */
export function dedupKey(rule: string, actorKey: string, scope: string, eventTimeMs: number, bucketMs: number): string {
  return `${rule}|${actorKey}|${scope}|${Math.floor(eventTimeMs / bucketMs)}`;
}

/** The alert id derived from a dedup key: 32 hex characters of its SHA-256. */
export function alertId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** The idempotency key of one version of an alert: its dedup key and severity (an escalation is a new delivery). */
export function deliveryKey(alert: { readonly dedupKey: string; readonly severity: string }): string {
  return `${alert.dedupKey}@${alert.severity}`;
}
