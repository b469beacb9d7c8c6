import type { Client } from '@opensearch-project/opensearch';
import { AppError, ErrorCodes, installAlertsIndexTemplate } from '@auditgate/shared';
import type { Alert } from '../engine/alert.js';
import type { AlertSink } from './alert-sink.js';

/** The monthly index of an alert: `<prefix>-YYYY.MM` of its first event (UTC). */
export function alertIndexName(prefix: string, alert: Alert): string {
  return `${prefix}-${alert.firstSeen.slice(0, 4)}.${alert.firstSeen.slice(5, 7)}`;
}

/** The partial document the detector owns: the alert and `@timestamp`, never `triage` (written by the query service). */
export function alertDocument(alert: Alert): Record<string, unknown> {
  const { triage: _ignored, ...own } = alert as Alert & { triage?: unknown };
  return { ...own, '@timestamp': alert.lastSeen };
}

function failure(what: string, error: unknown): AppError {
  const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
  const retriable = status === undefined || status === 429 || status >= 500;
  return new AppError(`${what} failed: ${(error as Error).message}`, { code: ErrorCodes.OPENSEARCH_UNAVAILABLE, retriable, cause: error });
}

/**
 * Upserts alerts into OpenSearch (doc id = alert id, `doc_as_upsert` with a partial doc), so an update of an alert
 * (count grows, severity escalates) keeps fields others wrote, such as `triage`. `start()` installs the index template;
 * when that fails it is retried before the next delivery.
 */
export function createOpenSearchAlertSink(client: Client, indexPrefix: string): AlertSink {
  let installed: Promise<void> | undefined;
  const install = (): Promise<void> => {
    installed ??= installAlertsIndexTemplate(client, indexPrefix).then(() => undefined, (error: unknown) => {
      installed = undefined;
      throw failure(`installing the ${indexPrefix}-* index template`, error);
    });
    return installed;
  };
  return {
    name: 'opensearch',
    acceptsUpdates: true,
    start: install,
    async deliver(alert) {
      await install();
      try {
        await client.update({
          index: alertIndexName(indexPrefix, alert), id: alert.id, retry_on_conflict: 5,
          body: { doc: alertDocument(alert), doc_as_upsert: true },
        });
      } catch (error) {
        throw failure(`indexing alert ${alert.id}`, error);
      }
    },
  };
}
