import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '@auditgate/shared';
import type { McpCaller } from '../auth/mcp-caller-verifier.js';
import type { McpMessageRecord } from '../audit/mcp-message-record.js';
import { classifyMessage, errorResponse, idText, RpcErrors, type JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import { authenticateCaller, ownerOf } from './authenticate-caller.js';
import { admitToolCall } from './admit-tool-call.js';
import { pendingKey, type GateContext, type GateServer } from './gate-context.js';
import { header, readBody, sendJson } from './gate-io.js';
import { newClientRecord } from './new-record.js';
import { relayPostResponse } from './relay-post-response.js';
import { settle } from './settle.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, max = 256): string | undefined => (typeof v === 'string' ? v.slice(0, max) : undefined);

/** Answers a client's message with a JSON-RPC error from the gateway itself, recorded on `record`. */
function refuse(ctx: GateContext, res: ServerResponse, record: McpMessageRecord, status: number, id: string | number | null, code: number, message: string, data?: Obj, jti?: string): void {
  const body = errorResponse(id, code, message, data);
  record.responseCode = status;
  record.responseObject = { error: { code, message, ...(data === undefined ? {} : { data }) } };
  record.facts.error = { code, message: message.slice(0, 1024) };
  sendJson(res, status, body);
  settle(ctx, record, record.facts.outcome ?? 'jsonrpc-error', jti);
}

/** Fills the record from a classified message (what it is, its method and id, its payload masked). */
function describe(ctx: GateContext, record: McpMessageRecord, message: JsonRpcMessage, raw: Buffer): void {
  record.facts.messageKind = message.kind;
  if (message.kind !== 'response') record.facts.method = message.method;
  if (message.kind !== 'notification' && message.id !== null) record.facts.requestId = idText(message.id);
  const payload = ctx.payloads.record(message.kind === 'response' ? (message.error === undefined ? message.result : { error: message.error }) : message.params ?? null, raw);
  record.requestObject = payload.object;
  record.requestBody = payload.body;
  if (message.kind === 'request' && message.method === 'initialize' && isObj(message.params)) {
    const info = message.params['clientInfo'];
    const name = isObj(info) ? text(info['name']) : undefined;
    const version = isObj(info) ? text(info['version']) : undefined;
    if (name !== undefined || version !== undefined) record.facts.client = { ...(name === undefined ? {} : { name }), ...(version === undefined ? {} : { version }) };
    const protocol = text(message.params['protocolVersion'], 64);
    if (protocol !== undefined) record.facts.protocolVersion = protocol;
  }
  if (message.kind === 'notification' && message.method === 'notifications/cancelled' && isObj(message.params)) {
    const target = message.params['requestId'];
    if (typeof target === 'string' || typeof target === 'number') {
      const reason = text(message.params['reason'], 1024);
      record.facts.cancels = { requestId: idText(target), ...(reason === undefined ? {} : { reason }) };
    }
  }
}

/**
 * A client's cancellation ends the cancelled request at the gateway: its record settles as `cancelled`, a tool
 * call's delegated token is refused from now on, and its stream is closed (the client no longer waits on it). The
 * notification itself is still forwarded, so the MCP server stops its work.
 */
function applyCancellation(ctx: GateContext, record: McpMessageRecord): void {
  const target = record.facts.cancels;
  if (target === undefined) return;
  const pending = ctx.pending.get(pendingKey(record.facts.server, record.facts.sessionId, target.requestId));
  if (pending === undefined) return;
  pending.cancelled = true;
  settle(ctx, pending.record, 'cancelled', pending.jti);
  pending.controller?.abort(new Error('cancelled'));
}

/**
 * POST `/mcp/<server>`: one JSON-RPC message from the client. Read (bounded), classified, its sender authenticated,
 * its session checked against the caller who opened it, a `tools/call` decided by policy and budget (a refusal is a
 * JSON-RPC error, never forwarded), written ahead to Kafka, then forwarded with a gateway-minted token (the call's
 * delegated token for a `tools/call`) and its answer relayed and recorded.
 */
export async function handlePost(ctx: GateContext, server: GateServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = server.config.name;
  const record = newClientRecord(ctx, name, req, 'unknown', 'request');
  const body = await readBody(req, ctx.config.maxMessageBytes);
  let parsed: unknown;
  let message: ReturnType<typeof classifyMessage> | undefined;
  if (body !== 'too-large') {
    try { parsed = JSON.parse(body.toString('utf8')); message = Array.isArray(parsed) ? undefined : classifyMessage(parsed); } catch { parsed = undefined; }
  }
  if (message !== undefined && message.kind !== 'invalid') {
    record.facts.messageKind = message.kind;
    (record as { verb: string }).verb = message.kind === 'response' ? 'response' : message.method;
  }
  const caller = await authenticateCaller(ctx, name, req, res, record);
  if (caller === undefined) { settle(ctx, record, 'denied'); return; }
  const id = message !== undefined && message.kind !== 'notification' ? message.id : null;
  if (body === 'too-large') { record.errorCode = ErrorCodes.PAYLOAD_TOO_LARGE; refuse(ctx, res, record, 413, null, RpcErrors.INVALID_REQUEST, `the message exceeds ${ctx.config.maxMessageBytes} bytes`); return; }
  if (message === undefined) {
    record.requestBody = ctx.payloads.record(null, body).body;
    if (Array.isArray(parsed)) { refuse(ctx, res, record, 400, null, RpcErrors.INVALID_REQUEST, 'JSON-RPC batches are not supported by this gateway: send one message per POST'); return; }
    refuse(ctx, res, record, 400, null, RpcErrors.PARSE_ERROR, 'the message is not JSON'); return;
  }
  if (message.kind === 'invalid') {
    record.requestBody = ctx.payloads.record(null, body).body;
    refuse(ctx, res, record, 400, message.id, RpcErrors.INVALID_REQUEST, message.reason); return;
  }
  describe(ctx, record, message, body);
  const sessionId = record.facts.sessionId;
  if (sessionId !== undefined && ctx.sessions.claim(name, sessionId, ownerOf(caller)) === 'foreign') {
    record.errorCode = ErrorCodes.FORBIDDEN;
    record.facts.outcome = 'denied';
    refuse(ctx, res, record, 404, id, RpcErrors.DENIED, 'session not found'); return;
  }
  if (ctx.closing()) { record.errorCode = ErrorCodes.SHUTTING_DOWN; record.facts.outcome = 'transport-error'; refuse(ctx, res, record, 503, id, RpcErrors.UPSTREAM_FAILED, 'the gateway is shutting down'); return; }
  applyCancellation(ctx, record);
  let token: string;
  let jti: string | undefined;
  if (message.kind === 'request' && message.method === 'tools/call') {
    const admission = await admitToolCall(ctx, server, caller, record, message.params, idText(message.id));
    if (!admission.allowed) {
      record.errorCode = ErrorCodes.FORBIDDEN;
      record.facts.outcome = admission.code === RpcErrors.DENIED ? 'denied' : 'jsonrpc-error';
      refuse(ctx, res, record, 200, message.id, admission.code, admission.message, admission.data); return;
    }
    token = admission.token.token;
    jti = admission.token.jti;
  } else {
    token = (await ctx.issuer.mint(messageGrant(record, caller), server.config.audience, ctx.config.callTimeoutMs)).token;
  }
  try {
    await ctx.auditor.writeAhead(record);
  } catch (error) {
    record.errorCode = ErrorCodes.KAFKA_UNAVAILABLE;
    record.facts.outcome = 'transport-error';
    ctx.logger.error({ auditID: record.auditID, err: (error as Error).message }, 'MCP write-ahead failed: the message is not forwarded');
    refuse(ctx, res, record, 503, id, RpcErrors.UPSTREAM_FAILED, 'the audit log is unavailable: the message was not forwarded', undefined, jti);
    return;
  }
  await forward(ctx, server, caller, record, message, body, token, jti, req, res);
}

/** The grant of a message token: the person and the session, bound to no tool call (the Kubernetes path refuses it). */
function messageGrant(record: McpMessageRecord, caller: McpCaller): Parameters<GateContext['issuer']['mint']>[0] {
  return {
    server: record.facts.server, person: caller.person,
    ...(caller.agent === undefined ? {} : { agent: caller.agent }),
    ...(record.facts.sessionId === undefined ? {} : { sessionId: record.facts.sessionId }),
  };
}

async function forward(ctx: GateContext, server: GateServer, caller: McpCaller, record: McpMessageRecord, message: Exclude<JsonRpcMessage, never>, body: Buffer, token: string, jti: string | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const controller = new AbortController();
  const isRequest = message.kind === 'request';
  const timer = isRequest ? setTimeout(() => controller.abort(new Error('timeout')), ctx.config.callTimeoutMs) : undefined;
  timer?.unref();
  res.once('close', () => { if (!res.writableFinished) controller.abort(new Error('client-closed')); });
  if (isRequest) ctx.pending.set(pendingKey(record.facts.server, record.facts.sessionId, idText(message.id)), { record, controller, ...(jti === undefined ? {} : { jti }), cancelled: false });
  const accept = header(req, 'accept') ?? 'application/json, text/event-stream';
  const userAgent = header(req, 'user-agent');
  try {
    const upstream = await server.upstream.send({
      method: 'POST', body, signal: controller.signal,
      headers: {
        'content-type': 'application/json', accept, authorization: `Bearer ${token}`,
        ...(record.facts.sessionId === undefined ? {} : { 'mcp-session-id': record.facts.sessionId }),
        ...(header(req, 'mcp-protocol-version') === undefined ? {} : { 'mcp-protocol-version': header(req, 'mcp-protocol-version') }),
        ...(userAgent === undefined ? {} : { 'user-agent': userAgent }),
      },
    });
    await relayPostResponse(ctx, { record, message, upstream, res, caller, controller, ...(jti === undefined ? {} : { jti }) });
  } catch (error) {
    const reason = controller.signal.aborted ? String((controller.signal.reason as Error | undefined)?.message ?? 'aborted') : (error as Error).message;
    record.facts.outcome = 'transport-error';
    record.facts.transport = { error: reason === 'timeout' ? `no answer within ${ctx.config.callTimeoutMs} ms` : reason === 'client-closed' ? 'the client went away' : `the MCP server is unreachable: ${reason}` };
    record.errorCode = reason === 'client-closed' ? ErrorCodes.CLIENT_ABORTED : ErrorCodes.UPSTREAM_UNAVAILABLE;
    const id = message.kind === 'notification' ? null : message.id;
    if (reason === 'cancelled') { sendJson(res, 200, errorResponse(id, RpcErrors.CANCELLED, 'the request was cancelled by the client')); return; }
    if (reason === 'timeout') refuse(ctx, res, record, 504, id, RpcErrors.CALL_TIMEOUT, `the MCP server did not answer within ${ctx.config.callTimeoutMs} ms`, undefined, jti);
    else refuse(ctx, res, record, 502, id, RpcErrors.UPSTREAM_FAILED, 'the MCP server could not be reached', undefined, jti);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
