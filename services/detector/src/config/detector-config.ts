import type { Severity } from '../rules/rule.js';

/** One configured sink with its routing threshold. */
export interface SinkSettings { readonly minSeverity: Severity }

/** The detector's validated configuration (see load-config.ts for the environment variables). */
export interface DetectorConfig {
  readonly instance: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly listen: { readonly host: string; readonly opsPort: number };
  readonly kafka: {
    readonly brokers: string[];
    readonly eventsTopic: string;
    readonly alertsTopic: string;
    readonly groupId: string;
    /** Prefix of the delivery consumer groups on the alerts topic: one group per sink, `<prefix>.<sink>`. */
    readonly deliveryGroupId: string;
    /** Where alerts a sink could not take are produced. */
    readonly alertsDlqTopic: string;
    readonly sessionTimeoutMs: number;
    readonly lookbackMs: number;
  };
  readonly opensearch: { readonly url: string; readonly indexPrefix: string; readonly requestTimeoutMs: number } | undefined;
  /** Rule folders, loaded in order (built-in first unless disabled). */
  readonly rulesDirs: string[];
  readonly queryUrl: string;
  readonly sinks: {
    readonly webhook?: SinkSettings & { readonly url: string; readonly secret: string };
    readonly pagerduty?: SinkSettings & { readonly url: string; readonly routingKey: string };
    readonly slack?: SinkSettings & { readonly url: string };
    readonly alertmanager?: SinkSettings & { readonly url: string };
  };
  readonly delivery: {
    readonly timeoutMs: number;
    readonly maxAttempts: number;
    readonly initialBackoffMs: number;
    readonly maxBackoffMs: number;
    readonly maxQueue: number;
    readonly maxDeadLetters: number;
    readonly activeForMs: number;
    readonly resendIntervalMs: number;
    /** How long Alertmanager keeps an alert firing without a re-send. */
    readonly alertmanagerTtlMs: number;
    /** How far back the active alerts are rebuilt from the alerts topic after a restart. */
    readonly lookbackMs: number;
    /** Alerts delivered at once per sink. */
    readonly concurrency: number;
    readonly maxActive: number;
  };
  readonly state: { readonly maxWindowKeys: number; readonly maxSeenAuditIds: number; readonly maxFiredKeys: number };
  readonly shutdownTimeoutMs: number;
}
