import type { McpMessageRecord } from '../audit/mcp-message-record.js';
import { classifyMessage, idText } from '../jsonrpc/json-rpc.js';
import type { SseEvent } from '../jsonrpc/sse-parser.js';
import type { GateContext } from './gate-context.js';
import { newServerRecord } from './new-record.js';
import { recordAnswer, settle } from './settle.js';

/**
 * Handles one event of an MCP server's SSE stream: the answer to `waiting` (the request this stream answers) settles
 * it; any other message (a server request, a notification such as progress or logging, an unrelated answer) is
 * audited as the server's own message, attributed to the session's caller. Returns true when `waiting` was answered.
 */
export function onServerEvent(ctx: GateContext, ev: SseEvent, context: McpMessageRecord, waiting: { record: McpMessageRecord; requestId: string; jti?: string } | undefined): boolean {
  if (ev.data === '' && !ev.truncated) return false; // a priming event (an id for resumption, no message)
  let parsed: unknown;
  try { parsed = ev.truncated ? undefined : JSON.parse(ev.data); } catch { parsed = undefined; }
  const message = parsed === undefined ? undefined : classifyMessage(parsed);
  if (message !== undefined && message.kind === 'response' && waiting !== undefined && idText(message.id) === waiting.requestId) {
    recordAnswer(ctx, waiting.record, message, ev.data);
    settle(ctx, waiting.record, waiting.record.facts.outcome ?? 'ok', waiting.jti);
    return true;
  }
  const kind = message === undefined || message.kind === 'invalid' ? 'notification' : message.kind;
  const verb = message !== undefined && message.kind !== 'invalid' && message.kind !== 'response' ? message.method : 'response';
  const record = newServerRecord(ctx, context, verb, kind);
  if (message !== undefined && message.kind !== 'invalid' && message.kind !== 'response') record.facts.method = message.method;
  if (message !== undefined && message.kind !== 'invalid' && message.kind !== 'notification') record.facts.requestId = idText(message.id);
  if (message === undefined || message.kind === 'invalid') {
    record.facts.outcome = 'transport-error';
    record.facts.transport = { error: ev.truncated ? 'a stream message exceeded PROXY_MCP_MAX_RESPONSE_BYTES' : 'a stream event is not a JSON-RPC message' };
    record.requestBody = ctx.payloads.record(null, ev.data).body;
  } else {
    const payload = ctx.payloads.record(message.kind === 'response' ? (message.error ?? message.result) : message.params ?? null, ev.data);
    record.requestObject = payload.object;
    record.requestBody = payload.body;
    record.facts.outcome = message.kind === 'response' && message.error !== undefined ? 'jsonrpc-error' : 'ok';
  }
  ctx.metrics.messages.inc({ server: record.facts.server, method: record.verb, outcome: record.facts.outcome });
  ctx.auditor.complete(record);
  return false;
}
