import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from '@auditgate/shared';

/** The indexer's own metrics, registered on the app's registry. */
export interface IndexerMetrics {
  readonly events: Counter<'stage' | 'schema_version'>;
  readonly docs: Counter;
  readonly dlq: Counter<'code'>;
  readonly bulkSeconds: Histogram<'outcome'>;
  readonly retries: Counter<'reason'>;
  readonly rewinds: Counter<'topic'>;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly opensearchUp: Gauge;
}

/** Registers the indexer metrics (`auditgate_indexer_*`) on `registry`. */
export function createIndexerMetrics(registry: Registry): IndexerMetrics {
  const registers = [registry];
  const opensearchUp = new Gauge({ name: 'auditgate_indexer_opensearch_up', help: '1 while OpenSearch acknowledges bulks', registers });
  opensearchUp.set(1);
  return {
    events: new Counter({ name: 'auditgate_indexer_events_consumed_total', help: 'Valid audit events consumed', labelNames: ['stage', 'schema_version'], registers }),
    docs: new Counter({ name: 'auditgate_indexer_documents_written_total', help: 'Document upserts acknowledged by OpenSearch (rate = docs/s)', registers }),
    dlq: new Counter({ name: 'auditgate_indexer_dlq_records_total', help: 'Records sent to the DLQ, by error code', labelNames: ['code'], registers }),
    bulkSeconds: new Histogram({
      name: 'auditgate_indexer_bulk_duration_seconds', help: 'Latency of one _bulk request', labelNames: ['outcome'], registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    retries: new Counter({ name: 'auditgate_indexer_bulk_retries_total', help: 'Items retried after 429/5xx or a transport error', labelNames: ['reason'], registers }),
    rewinds: new Counter({
      name: 'auditgate_indexer_rewinds_total', labelNames: ['topic'], registers,
      help: 'Chunks neither indexed nor dead-lettered (the DLQ unwritable, or writes aborted): their partition is read again from them',
    }),
    lag: new Gauge({ name: 'auditgate_indexer_consumer_lag_messages', help: 'High watermark minus the next offset to commit, per partition', labelNames: ['topic', 'partition'], registers }),
    opensearchUp,
  };
}
