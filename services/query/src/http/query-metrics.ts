import { Counter, Histogram } from 'prom-client';
import type { Registry } from '@auditgate/shared';

/** The query service's own metrics. */
export interface QueryMetrics {
  readonly requests: Counter<'route' | 'status'>;
  readonly seconds: Histogram<'route'>;
  readonly exportRows: Counter<'format'>;
  readonly auditWrites: Counter<'outcome'>;
  readonly authFailures: Counter<'reason'>;
}

/** Registers the query metrics (`auditgate_query_*`) on `registry`. */
export function createQueryMetrics(registry: Registry): QueryMetrics {
  const registers = [registry];
  return {
    requests: new Counter({ name: 'auditgate_query_requests_total', help: 'API requests by route and status', labelNames: ['route', 'status'], registers }),
    seconds: new Histogram({ name: 'auditgate_query_request_duration_seconds', help: 'API request latency', labelNames: ['route'], registers, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120] }),
    exportRows: new Counter({ name: 'auditgate_query_export_rows_total', help: 'Rows streamed by exports', labelNames: ['format'], registers }),
    auditWrites: new Counter({ name: 'auditgate_query_audit_writes_total', help: 'Self-audit record writes (call starts, refused authentications), by outcome', labelNames: ['outcome'], registers }),
    authFailures: new Counter({ name: 'auditgate_query_auth_failures_total', help: 'Rejected bearer tokens by reason', labelNames: ['reason'], registers }),
  };
}
