import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '@auditgate/shared';
import type { McpCaller } from '../auth/mcp-caller-verifier.js';
import type { McpMessageRecord } from '../audit/mcp-message-record.js';
import { classifyMessage, errorResponse, idText, RpcErrors, type JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import { ownerOf } from './authenticate-caller.js';
import { pendingKey, type GateContext } from './gate-context.js';
import { readBody, relayedHeaders, sendEmpty, sendJson } from './gate-io.js';
import { relaySse } from './relay-sse.js';
import { onServerEvent } from './server-messages.js';
import { recordAnswer, settle } from './settle.js';

/** One forwarded POST whose answer is being relayed. */
export interface PostExchange {
  readonly record: McpMessageRecord;
  readonly message: JsonRpcMessage;
  readonly upstream: IncomingMessage;
  readonly res: ServerResponse;
  readonly caller: McpCaller;
  readonly controller: AbortController;
  readonly jti?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** After `initialize`, the session the MCP server assigned is bound to the caller who opened it. */
function bindSession(ctx: GateContext, x: PostExchange): void {
  const sid = x.upstream.headers['mcp-session-id'];
  if (typeof sid !== 'string' || sid === '' || x.message.kind !== 'request' || x.message.method !== 'initialize') return;
  x.record.facts.sessionId = sid.slice(0, 512);
  ctx.sessions.claim(x.record.facts.server, sid, ownerOf(x.caller));
  const session = ctx.sessions.get(x.record.facts.server, sid);
  if (session !== undefined) {
    if (x.record.facts.client !== undefined) session.client = x.record.facts.client;
    if (x.record.facts.protocolVersion !== undefined) session.protocolVersion = x.record.facts.protocolVersion;
  }
}

function cancelledOrFailed(ctx: GateContext, x: PostExchange, reason: string): void {
  const requestId = x.record.facts.requestId;
  const pending = requestId === undefined ? undefined : ctx.pending.get(pendingKey(x.record.facts.server, x.record.facts.sessionId, requestId));
  if (pending?.cancelled === true) { settle(ctx, x.record, 'cancelled', x.jti); return; }
  x.record.facts.transport = { ...x.record.facts.transport, error: reason };
  x.record.errorCode ??= reason === 'the client went away' ? ErrorCodes.CLIENT_ABORTED : ErrorCodes.UPSTREAM_UNAVAILABLE;
  settle(ctx, x.record, 'transport-error', x.jti);
}

/**
 * Relays the MCP server's answer to a POST and records it: `202` for notifications and responses; an HTTP error as it
 * came (a 401/403 — the server refusing the gateway's own token — as a 502 with a JSON-RPC error); a JSON answer read
 * whole (bounded) and relayed byte for byte; an SSE stream relayed as it flows, its messages audited, the answer to
 * this request settling its record. Resolves when the client's response is complete.
 */
export async function relayPostResponse(ctx: GateContext, x: PostExchange): Promise<void> {
  const { record, message, upstream, res } = x;
  const status = upstream.statusCode ?? 502;
  const id = message.kind === 'notification' ? null : message.id;
  record.facts.transport = { status };
  bindSession(ctx, x);
  if (status === 401 || status === 403) {
    upstream.resume();
    record.errorCode = ErrorCodes.UPSTREAM_UNAVAILABLE;
    record.facts.outcome = 'transport-error';
    record.facts.transport = { status, error: 'the MCP server refused the gateway\'s delegated token' };
    record.responseCode = 502;
    sendJson(res, 502, errorResponse(id, RpcErrors.UPSTREAM_FAILED, 'the MCP server refused the gateway\'s credentials'));
    settle(ctx, record, 'transport-error', x.jti);
    return;
  }
  const contentType = String(upstream.headers['content-type'] ?? '');
  if (status < 400 && contentType.startsWith('text/event-stream')) {
    record.responseCode = status;
    ctx.metrics.openStreams.inc({ server: record.facts.server });
    const requestId = record.facts.requestId;
    await new Promise<void>((resolve) => {
      relaySse(upstream, res, ctx.config.maxResponseBytes, {
        onEvent: (ev) => { onServerEvent(ctx, ev, record, requestId === undefined ? undefined : { record, requestId, ...(x.jti === undefined ? {} : { jti: x.jti }) }); },
        onEnd: (how) => {
          ctx.metrics.openStreams.dec({ server: record.facts.server });
          if (record.settled !== true) {
            const aborted = (x.controller.signal.reason as Error | undefined)?.message;
            cancelledOrFailed(ctx, x, aborted === 'timeout' ? `no answer within ${ctx.config.callTimeoutMs} ms`
              : aborted === 'client-closed' || how.reason === 'the client closed the stream' ? 'the client went away'
                : how.clean ? 'the stream ended without an answer' : how.reason ?? 'the stream broke');
          }
          resolve();
        },
      }, () => {
        // A call that outlived its lifetime gets its error answer on the stream, so the client is not left waiting.
        if (record.settled === true || (x.controller.signal.reason as Error | undefined)?.message !== 'timeout' || id === null) return undefined;
        record.facts.error = { code: RpcErrors.CALL_TIMEOUT, message: `the MCP server did not answer within ${ctx.config.callTimeoutMs} ms` };
        return `event: message\ndata: ${errorResponse(id, RpcErrors.CALL_TIMEOUT, record.facts.error.message).toString('utf8')}\n\n`;
      });
    });
    return;
  }
  const answer = await readBody(upstream, ctx.config.maxResponseBytes).catch(() => 'too-large' as const);
  if (answer === 'too-large') {
    record.facts.transport = { status, error: `the answer exceeds PROXY_MCP_MAX_RESPONSE_BYTES (${ctx.config.maxResponseBytes})` };
    record.errorCode = ErrorCodes.UPSTREAM_UNINSPECTABLE;
    record.responseCode = 502;
    sendJson(res, 502, errorResponse(id, RpcErrors.UPSTREAM_FAILED, 'the MCP server\'s answer is too large to record'));
    settle(ctx, record, 'transport-error', x.jti);
    return;
  }
  record.responseCode = status;
  if (answer.length === 0) {
    sendEmpty(res, status, relayedHeaders(upstream));
    settle(ctx, record, status < 400 ? 'ok' : 'transport-error', x.jti);
    return;
  }
  res.writeHead(status, { ...relayedHeaders(upstream), 'content-length': String(answer.length) });
  res.end(answer);
  if (status >= 400) {
    record.responseBody = ctx.payloads.record(null, answer).body;
    record.facts.transport = { status, error: `the MCP server answered HTTP ${status}` };
    settle(ctx, record, 'transport-error', x.jti);
    return;
  }
  let parsed: unknown;
  try { parsed = JSON.parse(answer.toString('utf8')); } catch { parsed = undefined; }
  const reply = parsed === undefined ? undefined : classifyMessage(parsed);
  if (reply?.kind === 'response' && (id === null || idText(reply.id) === idText(id))) {
    recordAnswer(ctx, record, reply, answer);
    if (message.kind === 'request' && message.method === 'initialize' && isObj(reply.result) && typeof reply.result['protocolVersion'] === 'string') {
      record.facts.protocolVersion = reply.result['protocolVersion'].slice(0, 64);
    }
    settle(ctx, record, record.facts.outcome ?? 'ok', x.jti);
    return;
  }
  record.responseBody = ctx.payloads.record(null, answer).body;
  record.facts.transport = { status, error: 'the answer is not the JSON-RPC response to this request' };
  settle(ctx, record, 'transport-error', x.jti);
}
