import type { IncomingMessage, ServerResponse, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { buildAuditEvent, type ExchangeRecord } from '../audit/exchange-record.js';
import { admitExchange, openRecord, type Admission } from './admit-exchange.js';
import { BodyTap } from './body-tap.js';
import { recordCompletion, recordStarted, rejectExchange } from './complete-exchange.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { inspectRequestBody } from './inspect-request-body.js';
import { buildUpstreamHeaders, wantsProtobuf } from './upstream-headers.js';
import type { UpstreamClient } from './upstream-client.js';

/** An upstream response over HTTP/1 or HTTP/2: status, headers and the body stream. */
interface UpstreamResponse { readonly statusCode: number | undefined; readonly headers: IncomingHttpHeaders; readonly body: Readable }

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);
const MAX_MASKED_RESPONSE_BYTES = 64 * 1024 * 1024;

function isStreaming(admission: Admission, url: string): boolean {
  if (admission.info.verb === 'watch') return true;
  return admission.info.subresource === 'log' && /[?&]follow=(true|1)(&|$)/.test(url);
}

function responseHeaders(headers: IncomingHttpHeaders, auditID: string, dropLength: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP_RESPONSE.has(name)) continue;
    if (dropLength && name === 'content-length') continue;
    out[name] = value;
  }
  out['audit-id'] = auditID;
  return out;
}

/** Records the response object (masked) when the level asks for it and the body was captured whole. */
function recordResponseObject(deps: ExchangeDeps, record: ExchangeRecord, tap: BodyTap, contentType: string | undefined, resource: string | undefined): string[] {
  if (deps.sink === undefined || record.level !== 'RequestResponse' || contentType === undefined || !contentType.includes('json')) return [];
  const body = tap.body();
  if (body === undefined || body.length === 0) return [];
  try {
    const masked = deps.masker.maskObject(JSON.parse(body.toString('utf8')), resource);
    record.responseObject = masked.object;
    return masked.maskedPaths;
  } catch {
    return [];
  }
}

/**
 * The data path: admit (authenticate, policy, limits), inspect and record the request, make its RequestReceived event
 * durable, then forward with the gateway's own credentials and stream the response back while recording it.
 */
export function createExchangeHandler(deps: ExchangeDeps, client: UpstreamClient): (req: IncomingMessage, res: ServerResponse) => void {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { record, info } = openRecord(deps, req);
    let admission: Admission;
    let body: Buffer | undefined;
    try {
      admission = await admitExchange(deps, req, record, info);
      if (BODY_METHODS.has(req.method ?? '')) {
        body = await inspectRequestBody(deps, req, record, admission);
      }
    } catch (error) {
      req.resume();
      rejectExchange(deps, res, record, error);
      return;
    }
    deps.metrics.admission.observe((deps.now() - record.receivedAt) / 1000);
    if (deps.sink !== undefined) {
      const started = deps.now();
      try {
        await deps.sink.writeAhead(buildAuditEvent(deps.facts, record, 'RequestReceived', deps.now()));
        deps.metrics.writeAhead.observe((deps.now() - started) / 1000);
      } catch (error) {
        deps.metrics.auditFailures.inc({ code: ErrorCodes.KAFKA_UNAVAILABLE });
        rejectExchange(deps, res, record, new AppError('the audit log is unavailable, so the gateway does not forward requests (fail-closed)', {
          code: ErrorCodes.KAFKA_UNAVAILABLE, status: 503, retriable: true, cause: error,
        }));
        return;
      }
    }
    forward(req, res, record, admission, body);
  }

  function forward(req: IncomingMessage, res: ServerResponse, record: ExchangeRecord, admission: Admission, body: Buffer | undefined): void {
    void deps.upstream.authorization().then((authorization) => {
      const headers = buildUpstreamHeaders(req.headers, {
        authorization, clientAddress: req.socket.remoteAddress ?? '',
        allowClientImpersonation: admission.decision.allowClientImpersonation,
        impersonate: deps.impersonate ? { user: admission.identity.username, groups: admission.identity.groups, extra: {} } : undefined,
        upgrade: false, forceJson: wantsProtobuf(req.headers['accept']),
      });
      if (body !== undefined) headers['content-length'] = body.length;
      const unreachable = (error: Error): void => rejectExchange(deps, res, record, new AppError(`the Kubernetes API server is unreachable: ${error.message}`, {
        code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, cause: error,
      }));
      const forwardedAt = deps.now();
      const answeredAfter = (): void => deps.metrics.upstreamHeaders.observe((deps.now() - forwardedAt) / 1000);
      const sendHttp1 = (): void => {
        const upstreamReq = client.request({
          host: client.host, port: client.port, method: req.method, path: req.url, headers, agent: client.agent,
        });
        let answered = false;
        upstreamReq.on('response', (upstreamRes) => {
          answered = true;
          answeredAfter();
          relay(req, res, record, admission, { statusCode: upstreamRes.statusCode, headers: upstreamRes.headers, body: upstreamRes });
        });
        upstreamReq.on('error', (error) => { if (!answered) unreachable(error); });
        res.on('close', () => { if (!res.writableFinished) upstreamReq.destroy(); });
        if (body !== undefined) upstreamReq.end(body); else req.pipe(upstreamReq);
      };
      const http2 = client.http2;
      if (http2 === undefined || body !== undefined || req.method !== 'GET' || !http2.usable() || !isStreaming(admission, req.url ?? '')) {
        sendHttp1();
        return;
      }
      // Long-running reads share a few multiplexed connections instead of holding one TLS socket each.
      req.resume();
      const stream = http2.request('GET', req.url ?? '/', headers, (upstream) => { answeredAfter(); relay(req, res, record, admission, upstream); },
        // An upstream that turned out not to speak HTTP/2 gets this request over HTTP/1 instead.
        (error) => { if (http2.usable()) unreachable(error); else sendHttp1(); });
      res.on('close', () => { if (!res.writableFinished) stream.close(); });
    }, (error: unknown) => rejectExchange(deps, res, record, error));
  }

  function relay(req: IncomingMessage, res: ServerResponse, record: ExchangeRecord, admission: Admission, upstream: UpstreamResponse): void {
    const status = upstream.statusCode ?? 502;
    const upstreamRes = upstream.body;
    const contentType = upstream.headers['content-type'];
    const streaming = isStreaming(admission, req.url ?? '');
    const resource = admission.info.resource || undefined;
    const maskForCaller = admission.decision.action === 'mask' && contentType?.includes('json') === true;
    const limit = admission.decision.limits.maxResponseBytes;
    const declared = Number(upstream.headers['content-length'] ?? -1);
    record.responseCode = status;
    if (limit > 0 && declared > limit) {
      upstreamRes.destroy();
      rejectExchange(deps, res, record, new AppError(`the response (${declared} bytes) exceeds the policy limit of ${limit} bytes`, {
        code: ErrorCodes.PAYLOAD_TOO_LARGE, status: 403,
      }));
      return;
    }
    const tap = new BodyTap(deps.sink !== undefined && record.level === 'RequestResponse' && !streaming ? deps.maxRecordedBodyBytes : 0);
    const openedAt = deps.now();
    let events = 0;
    if (streaming) {
      deps.metrics.streams.inc({ kind: admission.info.verb });
      recordStarted(deps, record);
    }
    let finished = false;
    const finish = (errorCode?: string): void => {
      if (finished) return;
      finished = true;
      if (streaming) deps.metrics.streams.dec({ kind: admission.info.verb });
      const maskedPaths = recordResponseObject(deps, record, tap, contentType, resource);
      record.responseBody = tap.info(maskedPaths, contentType);
      if (streaming) record.stream = { events, bytes: tap.bytes, durationMs: deps.now() - openedAt };
      if (errorCode !== undefined) record.errorCode = errorCode;
      recordCompletion(deps, record);
    };
    upstreamRes.on('data', (chunk: Buffer) => {
      tap.push(chunk);
      if (streaming) for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) events += 1;
      if (limit > 0 && tap.bytes > limit) {
        upstreamRes.destroy();
        res.destroy();
        finish(ErrorCodes.PAYLOAD_TOO_LARGE);
      }
    });
    upstreamRes.on('error', () => { res.destroy(); finish(ErrorCodes.UPSTREAM_UNAVAILABLE); });
    res.on('close', () => finish(res.writableFinished ? undefined : ErrorCodes.CLIENT_ABORTED));

    if (maskForCaller && !streaming) {
      const chunks: Buffer[] = [];
      let size = 0;
      upstreamRes.on('data', (chunk: Buffer) => { size += chunk.length; if (size <= MAX_MASKED_RESPONSE_BYTES) chunks.push(chunk); });
      upstreamRes.on('end', () => {
        if (size > MAX_MASKED_RESPONSE_BYTES) {
          finished = true;
          rejectExchange(deps, res, record, new AppError('the response is too large to mask', { code: ErrorCodes.PAYLOAD_TOO_LARGE, status: 403 }));
          return;
        }
        let out: Buffer;
        try {
          out = Buffer.from(JSON.stringify(deps.masker.maskObject(JSON.parse(Buffer.concat(chunks, size).toString('utf8')), resource, true).object));
        } catch {
          finished = true;
          rejectExchange(deps, res, record, new AppError('the response could not be masked', { code: ErrorCodes.INTERNAL, status: 502 }));
          return;
        }
        res.writeHead(status, { ...responseHeaders(upstream.headers, record.auditID, true), 'content-length': out.length });
        res.end(out);
      });
      return;
    }
    res.writeHead(status, responseHeaders(upstream.headers, record.auditID, maskForCaller));
    if (streaming) res.flushHeaders();
    if (maskForCaller) upstreamRes.pipe(deps.masker.watchTransform(resource)).pipe(res);
    else upstreamRes.pipe(res);
  }

  return (req, res) => {
    deps.metrics.inFlight.inc();
    res.on('close', () => deps.metrics.inFlight.dec());
    handle(req, res).catch((error: unknown) => {
      deps.logger.error({ err: (error as Error).message }, 'unexpected failure in the exchange handler');
      if (!res.headersSent) res.destroy();
    });
  };
}
