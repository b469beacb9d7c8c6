import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The proxy's own metrics, registered on the app's registry. */
export interface ProxyMetrics {
  readonly requests: Counter<'verb' | 'code' | 'decision'>;
  readonly duration: Histogram<'verb'>;
  readonly writeAhead: Histogram;
  readonly admission: Histogram;
  readonly upstreamHeaders: Histogram;
  readonly auditFailures: Counter<'code'>;
  readonly authFailures: Counter<'reason'>;
  readonly spool: Counter<'event'>;
  readonly kafkaBatchMessages: Histogram;
  readonly unhandledErrors: Counter<'where'>;
  readonly inFlight: Gauge;
  readonly streams: Gauge<'kind'>;
}

/** Creates and registers {@link ProxyMetrics} on `registry`. */
export function createProxyMetrics(registry: Registry): ProxyMetrics {
  const registers = [registry];
  return {
    requests: new Counter({ name: 'auditgate_proxy_requests_total', help: 'Requests answered, by verb, status code and policy decision', labelNames: ['verb', 'code', 'decision'], registers }),
    duration: new Histogram({ name: 'auditgate_proxy_request_duration_seconds', help: 'Time from request received to response complete', labelNames: ['verb'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60], registers }),
    writeAhead: new Histogram({ name: 'auditgate_proxy_audit_write_ahead_seconds', help: 'Time for a RequestReceived event to become durable', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5], registers }),
    admission: new Histogram({ name: 'auditgate_proxy_admission_seconds', help: 'Time from request received to admitted (authentication, policy, request body inspection)', buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5], registers }),
    upstreamHeaders: new Histogram({ name: 'auditgate_proxy_upstream_response_seconds', help: 'Time from forwarding a request to the API server\'s response headers', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30], registers }),
    auditFailures: new Counter({ name: 'auditgate_proxy_audit_failures_total', help: 'Audit events that could not be made durable', labelNames: ['code'], registers }),
    authFailures: new Counter({ name: 'auditgate_proxy_auth_failures_total', help: 'Rejected bearer tokens, by reason', labelNames: ['reason'], registers }),
    kafkaBatchMessages: new Histogram({ name: 'auditgate_proxy_kafka_batch_messages', help: 'Audit events per Kafka produce request (its count is the produce requests sent: fewer per request answered cost less CPU)', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], registers }),
    spool: new Counter({ name: 'auditgate_proxy_spool_events_total', help: 'Audit events written to and drained from the local spool', labelNames: ['event'], registers }),
    unhandledErrors: new Counter({ name: 'auditgate_proxy_unhandled_errors_total', help: 'Errors that reached a last-resort handler (each is a bug: every failure should end in a Status)', labelNames: ['where'], registers }),
    inFlight: new Gauge({ name: 'auditgate_proxy_inflight_requests', help: 'Requests being handled now', registers }),
    streams: new Gauge({ name: 'auditgate_proxy_open_streams', help: 'Open watches and upgraded connections', labelNames: ['kind'], registers }),
  };
}
