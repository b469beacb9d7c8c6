import type { McpOutcome } from '@auditgate/shared';
import type { McpMessageRecord } from '../audit/mcp-message-record.js';
import type { JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import type { GateContext } from './gate-context.js';
import { pendingKey } from './gate-context.js';

/** How a JSON-RPC answer ended: a JSON-RPC error, a tool result flagged `isError`, or ok. */
export function outcomeOfAnswer(answer: Extract<JsonRpcMessage, { kind: 'response' }>): McpOutcome {
  if (answer.error !== undefined) return 'jsonrpc-error';
  const result = answer.result;
  return typeof result === 'object' && result !== null && (result as { isError?: unknown }).isError === true ? 'tool-error' : 'ok';
}

/** Records the answer to a forwarded request on its record (masked, bounded, digested). */
export function recordAnswer(ctx: GateContext, record: McpMessageRecord, answer: Extract<JsonRpcMessage, { kind: 'response' }>, raw: Buffer | string): void {
  const payload = ctx.payloads.record(answer.error !== undefined ? { error: answer.error } : answer.result, raw);
  record.responseObject = payload.object;
  record.responseBody = payload.body;
  record.facts.outcome = outcomeOfAnswer(answer);
  if (answer.error !== undefined) record.facts.error = { code: answer.error.code, message: answer.error.message.slice(0, 1024) };
}

/**
 * Ends a client's message: its outcome (kept when already set), ResponseComplete produced once, a tool call's
 * delegated token refused from now on, its pending entry removed, metrics counted.
 */
export function settle(ctx: GateContext, record: McpMessageRecord, outcome: McpOutcome, jti?: string): void {
  if (record.settled === true) return;
  record.facts.outcome ??= outcome;
  if (jti !== undefined) ctx.registry.end(jti);
  if (record.facts.requestId !== undefined) ctx.pending.delete(pendingKey(record.facts.server, record.facts.sessionId, record.facts.requestId));
  ctx.metrics.messages.inc({ server: record.facts.server, method: record.facts.method ?? record.verb, outcome: record.facts.outcome });
  if (record.facts.method === 'tools/call') {
    ctx.metrics.toolCallSeconds.observe({ server: record.facts.server, outcome: record.facts.outcome }, (ctx.now() - record.receivedAt) / 1000);
  }
  ctx.auditor.complete(record);
}
