import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '@auditgate/shared';
import { errorResponse, RpcErrors } from '../jsonrpc/json-rpc.js';
import { authenticateCaller, ownerOf } from './authenticate-caller.js';
import type { GateContext, GateServer } from './gate-context.js';
import { header, readBody, relayedHeaders, sendJson } from './gate-io.js';
import { newClientRecord } from './new-record.js';
import { relaySse } from './relay-sse.js';
import { onServerEvent } from './server-messages.js';
import { settle } from './settle.js';

/**
 * GET (`stream`: the server-to-client SSE stream of a session, resumable with `Last-Event-ID`) and DELETE
 * (`session/delete`: the client ends its session) on `/mcp/<server>`: authenticated, bound to the session's caller,
 * written ahead, forwarded with a message token; every message on the stream is audited, and the stream's record
 * completes with how many messages and bytes it carried.
 */
export async function handleStreamOrDelete(ctx: GateContext, server: GateServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = server.config.name;
  const method = req.method === 'DELETE' ? 'DELETE' : 'GET';
  const record = newClientRecord(ctx, name, req, method === 'GET' ? 'stream' : 'session/delete', method === 'GET' ? 'stream' : 'session');
  req.resume();
  const caller = await authenticateCaller(ctx, name, req, res, record);
  if (caller === undefined) { settle(ctx, record, 'denied'); return; }
  const sessionId = record.facts.sessionId;
  if (sessionId !== undefined && ctx.sessions.claim(name, sessionId, ownerOf(caller)) === 'foreign') {
    record.errorCode = ErrorCodes.FORBIDDEN;
    record.responseCode = 404;
    sendJson(res, 404, errorResponse(null, RpcErrors.DENIED, 'session not found'));
    settle(ctx, record, 'denied');
    return;
  }
  const token = (await ctx.issuer.mint({
    server: name, person: caller.person, ...(caller.agent === undefined ? {} : { agent: caller.agent }), ...(sessionId === undefined ? {} : { sessionId }),
  }, server.config.audience, ctx.config.callTimeoutMs)).token;
  try {
    await ctx.auditor.writeAhead(record);
  } catch {
    record.errorCode = ErrorCodes.KAFKA_UNAVAILABLE;
    record.responseCode = 503;
    sendJson(res, 503, errorResponse(null, RpcErrors.UPSTREAM_FAILED, 'the audit log is unavailable'));
    settle(ctx, record, 'transport-error');
    return;
  }
  const controller = new AbortController();
  res.once('close', () => { if (!res.writableFinished) controller.abort(new Error('client-closed')); });
  const lastEventId = header(req, 'last-event-id');
  let upstream: IncomingMessage;
  try {
    upstream = await server.upstream.send({
      method, signal: controller.signal,
      headers: {
        accept: header(req, 'accept') ?? 'text/event-stream', authorization: `Bearer ${token}`,
        ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
        ...(header(req, 'mcp-protocol-version') === undefined ? {} : { 'mcp-protocol-version': header(req, 'mcp-protocol-version') }),
        ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
      },
    });
  } catch (error) {
    record.errorCode = ErrorCodes.UPSTREAM_UNAVAILABLE;
    record.facts.transport = { error: (error as Error).message };
    record.responseCode = 502;
    sendJson(res, 502, errorResponse(null, RpcErrors.UPSTREAM_FAILED, 'the MCP server could not be reached'));
    settle(ctx, record, 'transport-error');
    return;
  }
  const status = upstream.statusCode ?? 502;
  record.facts.transport = { status };
  record.responseCode = status;
  if (method === 'DELETE' && status < 400 && sessionId !== undefined) ctx.sessions.end(name, sessionId);
  if (status >= 400 || !String(upstream.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    const body = await readBody(upstream, 64 * 1024).catch(() => 'too-large' as const);
    const bytes = body === 'too-large' ? Buffer.alloc(0) : body;
    res.writeHead(status, { ...relayedHeaders(upstream), 'content-length': String(bytes.length) });
    res.end(bytes);
    // 405: the server offers no stream on GET, which the protocol allows.
    settle(ctx, record, status < 400 || (method === 'GET' && status === 405) ? 'ok' : 'transport-error');
    return;
  }
  const opened = ctx.now();
  ctx.metrics.openStreams.inc({ server: name });
  relaySse(upstream, res, ctx.config.maxResponseBytes, {
    onEvent: (ev) => { onServerEvent(ctx, ev, record, undefined); },
    onEnd: (how) => {
      ctx.metrics.openStreams.dec({ server: name });
      record.stream = { events: how.events, bytes: how.bytes, durationMs: ctx.now() - opened };
      if (!how.clean && how.reason !== 'the client closed the stream') record.facts.transport = { status, error: how.reason ?? 'the stream broke' };
      settle(ctx, record, how.clean || how.reason === 'the client closed the stream' ? 'ok' : 'transport-error');
    },
  });
}
