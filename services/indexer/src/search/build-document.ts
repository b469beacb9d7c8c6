import { exchangeDocument, type AuditEvent, type PartialDocument } from '@auditgate/shared';
import type { Enrichment } from '../enrich/enrich-event.js';

export { mergePartial, type PartialDocument } from '@auditgate/shared';

/**
 * What one stage contributes to the exchange's single document (`_id` = auditID): the shared document shape (see
 * `exchangeDocument` in @auditgate/shared: per-stage facts and chain records under `stages.<Stage>`, response-side
 * fields from the terminal stage only) plus the indexer's enrichment under `auditgate.enrichment`, outside anything a
 * chain hash covers. Enrichment labels are written only on a cache hit, so a miss never erases what a hit wrote.
 */
export function buildPartialDocument(event: AuditEvent, enrichment: Enrichment): PartialDocument {
  const doc = exchangeDocument(event);
  doc['auditgate'] = { ...(doc['auditgate'] as Record<string, unknown>), enrichment };
  return doc;
}

/** The daily index an event belongs to, by its requestReceivedTimestamp (UTC), so every stage lands in the same one. */
export function indexNameFor(prefix: string, requestReceivedTimestamp: string): string {
  // Date.parse reads at most milliseconds: drop finer fractions first.
  const ms = Date.parse(requestReceivedTimestamp.replace(/(\.\d{3})\d+/, '$1'));
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${prefix}-${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
}
