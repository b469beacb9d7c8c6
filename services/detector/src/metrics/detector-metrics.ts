import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from '@auditgate/shared';

/** The detector's Prometheus metrics. */
export interface DetectorMetrics {
  readonly events: Counter<'outcome'>;
  readonly undecodable: Counter<'code'>;
  readonly activeAlerts: Gauge<'sink'>;
  readonly alerts: Counter<'rule' | 'severity'>;
  readonly deliveries: Counter<'sink' | 'kind' | 'outcome'>;
  readonly deadLetters: Counter<'sink'>;
  readonly deadLetterSize: Gauge;
  readonly queueDepth: Gauge<'sink'>;
  readonly windows: Gauge;
  readonly detectLatency: Histogram;
}

/** Registers the detector's metrics on `registry` (`auditgate_detector_*`). */
export function createDetectorMetrics(registry: Registry): DetectorMetrics {
  const registers = [registry];
  return {
    events: new Counter({ name: 'auditgate_detector_events_total', help: 'Events consumed, by outcome (live, replay, skipped, undecodable)', labelNames: ['outcome'], registers }),
    undecodable: new Counter({ name: 'auditgate_detector_undecodable_events_total', help: 'Records of the events topic that are not valid audit events, by error code (skipped; the indexer puts them on the events DLQ)', labelNames: ['code'], registers }),
    activeAlerts: new Gauge({ name: 'auditgate_detector_active_alerts', help: 'Alerts active (re-sent until resolved) per sink', labelNames: ['sink'], registers }),
    alerts: new Counter({ name: 'auditgate_detector_alerts_total', help: 'Alerts raised', labelNames: ['rule', 'severity'], registers }),
    deliveries: new Counter({ name: 'auditgate_detector_sink_deliveries_total', help: 'Sink attempts by outcome', labelNames: ['sink', 'kind', 'outcome'], registers }),
    deadLetters: new Counter({ name: 'auditgate_detector_dead_letters_total', help: 'Alerts a sink could not take (produced to the alerts DLQ topic)', labelNames: ['sink'], registers }),
    deadLetterSize: new Gauge({ name: 'auditgate_detector_dead_letter_size', help: 'Dead letters currently kept', registers }),
    queueDepth: new Gauge({ name: 'auditgate_detector_sink_queue_depth', help: 'Lifecycle jobs (re-sends, resolves) waiting per sink', labelNames: ['sink'], registers }),
    windows: new Gauge({ name: 'auditgate_detector_windows', help: 'Live (rule, actor) windows', registers }),
    detectLatency: new Histogram({ name: 'auditgate_detector_detect_latency_seconds', help: 'Event stage time to alert produced', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers }),
  };
}
