import { exchangeDocument, type AuditEvent, type PartialDocument } from '@auditgate/shared';
import type { Enrichment } from '../enrich/enrich-event.js';
import { utcDayOf } from '../time/utc-timestamp.js';

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
  return `${prefix}-${utcDayOf(requestReceivedTimestamp)}`;
}
