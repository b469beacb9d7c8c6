import type { Alert } from './alert.js';

/**
 * Folds each `updated` alert into an earlier version of the same alert in `alerts` (it carries everything that version
 * had, plus more events), keeping the earlier version's place and change: a raise followed by updates in one batch is
 * published once, as a raise with the latest count. Escalations and raises are never folded.
 */
export function coalesceUpdates(alerts: readonly Alert[]): Alert[] {
  const out: Alert[] = [];
  const at = new Map<string, number>();
  for (const alert of alerts) {
    const i = alert.change === 'updated' ? at.get(alert.id) : undefined;
    if (i === undefined) { at.set(alert.id, out.length); out.push(alert); continue; }
    out[i] = { ...alert, change: out[i]!.change ?? 'raised' };
  }
  return out;
}
