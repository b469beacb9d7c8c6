import type { Logger } from '@auditgate/shared';
import type { ToolCallEvaluator } from '../../policy/index.js';
import type { McpCallerVerifier } from '../auth/mcp-caller-verifier.js';
import type { McpAuditor } from '../audit/mcp-auditor.js';
import type { McpMessageRecord } from '../audit/mcp-message-record.js';
import type { McpConfig, McpServerConfig } from '../config/mcp-config.js';
import type { CallRegistry } from '../delegation/call-registry.js';
import type { DelegationIssuer } from '../delegation/delegation-issuer.js';
import type { PayloadRecorder } from '../payload/payload-recorder.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { McpUpstream } from '../upstream/mcp-upstream.js';
import type { McpMetrics } from './mcp-metrics.js';

/** A request the gateway forwarded and waits to see answered, so a client's cancellation can end it. */
export interface PendingRequest {
  readonly record: McpMessageRecord;
  /** The delegated call token, for tools/call. */
  readonly jti?: string;
  /** Aborts the forwarded request and its stream. */
  readonly controller?: AbortController;
  cancelled: boolean;
}

/** A configured MCP server and its connection. */
export interface GateServer {
  readonly config: McpServerConfig;
  readonly upstream: McpUpstream;
}

/** What the MCP endpoint's handlers share, built once by `createMcpGate`. */
export interface GateContext {
  readonly config: McpConfig;
  readonly servers: ReadonlyMap<string, GateServer>;
  readonly callers: McpCallerVerifier;
  readonly issuer: DelegationIssuer;
  readonly registry: CallRegistry;
  readonly sessions: SessionRegistry;
  /** The tool-call evaluator of the policy in force. */
  readonly toolCalls: () => ToolCallEvaluator;
  readonly auditor: McpAuditor;
  readonly payloads: PayloadRecorder;
  readonly metrics: McpMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly newId: () => string;
  readonly closing: () => boolean;
  /** Requests forwarded and not yet answered, by `server \0 session \0 JSON-RPC id`. */
  readonly pending: Map<string, PendingRequest>;
}

/** Key of {@link GateContext.pending}. */
export function pendingKey(server: string, sessionId: string | undefined, requestId: string): string {
  return `${server}\u0000${sessionId ?? ''}\u0000${requestId}`;
}
