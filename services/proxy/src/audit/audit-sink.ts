import type { GatewayEvent } from '@auditgate/shared';

/** Where the proxy records audit events (Kubernetes and MCP). `writeAhead` resolves only once the event is durable. */
export interface AuditSink {
  /** Resolves when the event is acknowledged by Kafka (or fsync'd to the spool); rejects when it cannot be made durable. */
  writeAhead(event: GatewayEvent): Promise<void>;
  /** Records a later stage; durable like writeAhead, but the caller need not wait for it. */
  record(event: GatewayEvent): Promise<void>;
  /** Whether the sink can currently accept write-ahead events (for readiness). */
  healthy(): boolean;
  /** Sends everything pending. Safe to call twice. */
  flush(): Promise<void>;
  /** Flushes and releases connections. Safe to call twice. */
  close(): Promise<void>;
}
