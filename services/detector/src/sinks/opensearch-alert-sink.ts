import type { Client } from '@opensearch-project/opensearch';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { Alert } from '../engine/alert.js';
import type { AlertSink } from './alert-sink.js';

/** The monthly index of an alert: `<prefix>-YYYY.MM` of its first event (UTC). */
export function alertIndexName(prefix: string, alert: Alert): string {
  return `${prefix}-${alert.firstSeen.slice(0, 4)}.${alert.firstSeen.slice(5, 7)}`;
}

/** Indexes alerts into OpenSearch with doc id = alert id, so re-indexing the same alert is idempotent. */
export function createOpenSearchAlertSink(client: Client, indexPrefix: string): AlertSink {
  return {
    name: 'opensearch',
    async deliver(alert) {
      try {
        await client.index({ index: alertIndexName(indexPrefix, alert), id: alert.id, body: { ...alert, '@timestamp': alert.lastSeen } });
      } catch (error) {
        const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
        const retriable = status === undefined || status === 429 || status >= 500;
        throw new AppError(`indexing alert ${alert.id} failed: ${(error as Error).message}`, { code: ErrorCodes.OPENSEARCH_UNAVAILABLE, retriable, cause: error });
      }
    },
  };
}
