import type { Logger } from '@auditgate/shared';
import type { AuditSink } from '../../audit/audit-sink.js';
import { buildMcpEvent, type McpGatewayFacts, type McpMessageRecord } from './mcp-message-record.js';

/** Writes MCP events to the same sink (write-ahead, hash chain) as the Kubernetes path. */
export interface McpAuditor {
  /** The RequestReceived event, durable before this resolves (rejects when it cannot be made durable). */
  writeAhead(record: McpMessageRecord): Promise<void>;
  /** The ResponseComplete event, once per record; not awaited by callers. */
  complete(record: McpMessageRecord): void;
}

/** Options of {@link createMcpAuditor}. */
export interface McpAuditorOptions {
  /** Undefined when auditing is off (benchmark baseline only): nothing is recorded. */
  readonly sink: AuditSink | undefined;
  readonly facts: McpGatewayFacts;
  readonly now: () => number;
  readonly logger: Logger;
  readonly onWriteAhead?: (seconds: number) => void;
}

/** Creates the MCP endpoint's {@link McpAuditor}. */
export function createMcpAuditor(o: McpAuditorOptions): McpAuditor {
  return {
    async writeAhead(record) {
      if (o.sink === undefined) return;
      const started = o.now();
      await o.sink.writeAhead(buildMcpEvent(o.facts, record, 'RequestReceived', started));
      o.onWriteAhead?.((o.now() - started) / 1000);
    },
    complete(record) {
      if (record.settled === true) return;
      record.settled = true;
      if (o.sink === undefined) return;
      o.sink.record(buildMcpEvent(o.facts, record, 'ResponseComplete', o.now())).catch((error: unknown) => {
        o.logger.error({ auditID: record.auditID, err: (error as Error).message }, 'an MCP ResponseComplete event could not be made durable');
      });
    },
  };
}
