import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { stringify as toYaml } from 'yaml';
import { AppError, ErrorCodes, isAppError } from '@auditgate/shared';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import type { Admission } from './admit-exchange.js';
import { BodyTap } from './body-tap.js';
import type { Negotiation } from './content-negotiation.js';
import { recordCompletion, recordStarted, rejectExchange } from './exchange-lifecycle.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { jsonCheckStream } from './json-check-stream.js';
import { maskHint } from './mask-hint.js';
import { relayPipeline } from './relay-pipeline.js';
import { relayTextErrorAsStatus } from './relay-text-error.js';

/**
 * An upstream response over HTTP/1 or HTTP/2: status, headers and the body stream; `discard` drops the connection it
 * came on (an answer the gateway refused is not one to keep a connection for).
 */
export interface UpstreamResponse {
  readonly statusCode: number | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
  readonly discard?: () => void;
}

/** One exchange being answered. */
export interface RelayTarget {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly record: ExchangeRecord;
  readonly admission: Admission;
  readonly negotiation: Negotiation;
  /** A watch or followed log: relayed as it flows, with ResponseStarted at the start. */
  readonly streaming: boolean;
  /** Close the client connection after this answer (the request carried upgrade headers it did not get). */
  readonly closeAfter: boolean;
}

const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer', 'http2-settings']);
/** Largest body buffered to mask; larger ones are refused rather than relayed unmasked. */
const MAX_BUFFERED_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Largest body converted to YAML (the YAML writer is slow and runs inline). */
const MAX_YAML_RESPONSE_BYTES = 8 * 1024 * 1024;

/** A Status in place of the API server's refusal, keeping its code, reason and names but not its text. */
function withheldStatus(value: unknown, code: number, ruleId: string): Record<string, unknown> {
  const original = (typeof value === 'object' && value !== null ? value : {}) as { reason?: unknown; details?: { name?: unknown; group?: unknown; kind?: unknown } };
  const reason = typeof original.reason === 'string' ? original.reason : 'Failure';
  const details = original.details ?? {};
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason,
    message: `the API server refused the request (${reason}, ${code}); its message is withheld under mask rule "${ruleId}" because it can quote the masked object`,
    details: {
      ...(typeof details.name === 'string' ? { name: details.name } : {}), ...(typeof details.group === 'string' ? { group: details.group } : {}),
      ...(typeof details.kind === 'string' ? { kind: details.kind } : {}),
    },
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

function responseHeaders(headers: IncomingHttpHeaders, target: RelayTarget, rewritten: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP_RESPONSE.has(name)) continue;
    if (rewritten && (name === 'content-length' || name === 'content-type')) continue;
    out[name] = value;
  }
  out['audit-id'] = target.record.auditID;
  if (target.closeAfter) out['connection'] = 'close';
  return out;
}

/** The body the API server sent cannot be inspected, so it is not relayed: the caller gets a Status instead. */
export function uninspectable(why: string): AppError {
  return new AppError(`the API server's answer cannot be inspected by the gateway (${why}), so it is not relayed`, {
    code: ErrorCodes.UPSTREAM_UNINSPECTABLE, status: 502,
  });
}

/**
 * Relays one upstream response to the caller while recording it. Inspected responses (API objects) must be JSON
 * without a content coding; they are masked toward the caller under a `mask` decision and converted to YAML when the
 * caller asked for it, else streamed with a bounded capture for the record. Watches are masked event by event.
 * Opaque responses (logs, proxied content) stream as they are. Every path ends in ResponseComplete, exactly once.
 */
export function relayResponse(deps: ExchangeDeps, target: RelayTarget, upstream: UpstreamResponse): void {
  try {
    relay(deps, target, upstream);
  } catch (error) {
    // A bug, not a path: counted, and the exchange still ends in an answer (or a cut) and one record.
    deps.metrics.unhandledErrors.inc({ where: 'relay' });
    deps.logger.error({ auditID: target.record.auditID, err: (error as Error).message }, 'relaying the response failed');
    upstream.body.destroy();
    if (!target.res.headersSent) rejectExchange(deps, target.res, target.record, new AppError('the gateway failed to relay the answer', { code: ErrorCodes.INTERNAL, status: 502 }));
    else target.res.destroy();
  }
}

function relay(deps: ExchangeDeps, target: RelayTarget, upstream: UpstreamResponse): void {
  const { req, res, record, admission, negotiation, streaming } = target;
  const status = upstream.statusCode ?? 502;
  const contentType = first(upstream.headers['content-type']);
  const encoding = first(upstream.headers['content-encoding'])?.trim().toLowerCase();
  const resource = maskHint(admission.info);
  const hasBody = req.method !== 'HEAD' && status !== 204 && status !== 304;
  const inspected = negotiation.kind === 'inspected';
  const mask = admission.decision.action === 'mask';
  const limit = admission.decision.limits.maxResponseBytes;
  record.responseCode = status;
  if (res.destroyed || res.writableEnded) {
    // The caller left while the API server was answering: nothing to relay, the exchange is recorded as aborted.
    upstream.body.destroy();
    record.errorCode = ErrorCodes.CLIENT_ABORTED;
    recordCompletion(deps, record);
    return;
  }
  const refuse = (error: AppError): void => {
    upstream.body.destroy();
    upstream.discard?.();
    if (target.closeAfter) res.setHeader('connection', 'close');
    rejectExchange(deps, res, record, error);
  };
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') { refuse(uninspectable(`content coding ${encoding.slice(0, 32)}`)); return; }
  if ((inspected || mask) && hasBody && !isJson(contentType)) {
    // The API server's own plain-text errors (an unknown path's 404) become a Status the caller can read; anything
    // else that is not JSON is not relayed.
    if (status >= 400) relayTextErrorAsStatus(deps, target, upstream, status, mask);
    else refuse(uninspectable(`media type ${(contentType ?? 'none').slice(0, 64)}`));
    return;
  }
  const declared = Number(first(upstream.headers['content-length']) ?? -1);
  if (limit > 0 && declared > limit) {
    refuse(new AppError(`the response (${declared} bytes) exceeds the policy limit of ${limit} bytes`, { code: ErrorCodes.PAYLOAD_TOO_LARGE, status: 403 }));
    return;
  }

  const captures = deps.sink !== undefined && record.level === 'RequestResponse' && !streaming && inspected;
  const tap = new BodyTap(captures ? deps.maxRecordedBodyBytes : 0, deps.digestKey);
  const openedAt = deps.now();
  let events = 0;
  let callerMaskedPaths: string[] = [];
  let parsed: { value: unknown } | undefined;
  let finished = false;
  // Why the API server's answer was cut off (it turned out not to be JSON, or not to fit its request).
  let failure: AppError | undefined;
  const finish = (errorCode?: string): void => {
    if (finished) return;
    finished = true;
    if (streaming) deps.metrics.streams.dec({ kind: admission.info.verb });
    const recordedPaths = recordResponseObject(deps, record, tap, parsed, resource);
    record.responseBody = tap.info(recordedPaths ?? callerMaskedPaths, contentType);
    if (streaming) record.stream = { events, bytes: tap.bytes, durationMs: deps.now() - openedAt };
    if (errorCode !== undefined) record.errorCode = errorCode;
    if (failure !== undefined && errorCode === failure.code) record.responseMessage = failure.message;
    recordCompletion(deps, record);
  };
  if (streaming) {
    deps.metrics.streams.inc({ kind: admission.info.verb });
    recordStarted(deps, record);
  }
  upstream.body.on('data', (chunk: Buffer) => {
    tap.push(chunk);
    if (streaming) for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) events += 1;
    if (limit > 0 && tap.bytes > limit) {
      upstream.body.destroy();
      res.destroy();
      finish(ErrorCodes.PAYLOAD_TOO_LARGE);
    }
  });
  let upstreamBroke = false;
  upstream.body.on('error', (error) => { upstreamBroke = true; failure ??= refusedAnswer(error); });
  upstream.body.on('aborted', () => { upstreamBroke = true; });
  res.on('close', () => {
    if (!res.writableFinished) upstream.body.destroy();
    finish(res.writableFinished ? undefined : failure?.code ?? (upstreamBroke ? ErrorCodes.UPSTREAM_UNAVAILABLE : ErrorCodes.CLIENT_ABORTED));
  });

  const rewrite = inspected && !streaming && hasBody && (mask || (negotiation.kind === 'inspected' && negotiation.answer === 'yaml'));
  if (rewrite) {
    const answer = negotiation.kind === 'inspected' ? negotiation.answer : 'json';
    const cap = answer === 'yaml' ? MAX_YAML_RESPONSE_BYTES : MAX_BUFFERED_RESPONSE_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    const giveBack = (): void => { deps.bufferBudget.release(held); held = 0; chunks.length = 0; };
    const stop = (error: AppError): void => { if (finished) return; finished = true; giveBack(); refuse(error); };
    res.on('close', giveBack);
    upstream.body.on('data', (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > cap) {
        stop(answer === 'yaml'
          ? new AppError(`the answer is too large for the gateway to convert to YAML (over ${cap} bytes); ask for application/json`, { code: ErrorCodes.NOT_ACCEPTABLE, status: 406 })
          : new AppError('the response is too large to inspect', { code: ErrorCodes.PAYLOAD_TOO_LARGE, status: 403 }));
        return;
      }
      if (!deps.bufferBudget.reserve(chunk.length)) {
        stop(new AppError('the gateway is holding too many large answers to mask or convert right now; retry', { code: ErrorCodes.BUSY, status: 503, retriable: true }));
        return;
      }
      held += chunk.length;
      chunks.push(chunk);
    });
    upstream.body.on('error', (error) => { if (!res.headersSent) stop(refusedAnswer(error) ?? uninspectable('the upstream body broke off')); });
    upstream.body.on('end', () => {
      if (finished) return;
      let out: Buffer;
      try {
        parsed = { value: JSON.parse(Buffer.concat(chunks, size).toString('utf8')) };
        // The API server's error text can quote the object (a failed patch echoes the whole Secret): under a mask the
        // caller and the record get the reason and code, not the text.
        if (mask && status >= 400) parsed = { value: withheldStatus(parsed.value, status, admission.decision.ruleId) };
        const forCaller = mask ? deps.masker.maskObject(parsed.value, resource, true) : { object: parsed.value, maskedPaths: [] };
        callerMaskedPaths = forCaller.maskedPaths;
        out = Buffer.from(answer === 'yaml' ? toYaml(forCaller.object, { aliasDuplicateObjects: false }) : JSON.stringify(forCaller.object));
      } catch {
        parsed = undefined;
        stop(uninspectable('the body is not valid JSON'));
        return;
      }
      giveBack();
      res.writeHead(status, {
        ...responseHeaders(upstream.headers, target, true),
        'content-type': answer === 'yaml' ? 'application/yaml' : (contentType ?? 'application/json'), 'content-length': out.length,
      });
      res.end(out);
    });
    return;
  }
  const transform: Transform | undefined = mask && streaming && hasBody ? deps.masker.watchTransform(resource, (paths) => {
    for (const path of paths) if (callerMaskedPaths.length < 256 && !callerMaskedPaths.includes(path)) callerMaskedPaths.push(path);
  }) : undefined;
  // Every other API object is checked as it streams: not buffered, but never relayed whole unless it is JSON.
  const check = transform === undefined && inspected && hasBody
    ? jsonCheckStream(upstream.body, streaming, (error) => { failure ??= error; upstream.discard?.(); }) : undefined;
  const headers = responseHeaders(upstream.headers, target, transform !== undefined);
  // A masked watch is still the API server's JSON stream: same media type, new length.
  if (transform !== undefined && contentType !== undefined) headers['content-type'] = contentType;
  // Sent with the first byte of the body (a stream's at once), so an answer refused before then is still a Status.
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
  if (streaming) res.flushHeaders();
  // Either side failing ends both; the client's 'close' then settles the exchange with the right code.
  const done = (error?: Error): void => {
    if (error === undefined) return;
    const refused = failure ?? refusedAnswer(error);
    if (refused !== undefined) { failure = refused; upstream.discard?.(); }
    if (refused !== undefined && !res.headersSent && !finished) {
      finished = true;
      if (streaming) deps.metrics.streams.dec({ kind: admission.info.verb });
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      refuse(refused);
      return;
    }
    res.destroy();
  };
  const stages = [...(transform === undefined ? [] : [transform]), ...(check === undefined ? [] : [check])];
  const last = stages.at(-1);
  if (last === undefined) { relayPipeline([upstream.body, res], done); return; }
  // The caller's response stays out of the pipeline, so that an answer refused before its first byte can still be a Status.
  relayPipeline([upstream.body, ...stages], done);
  last.pipe(res);
}

/** The gateway's own reason for cutting an answer off (not JSON, not fitting its request), if the error is one. */
function refusedAnswer(error: unknown): AppError | undefined {
  return isAppError(error) && error.code === ErrorCodes.UPSTREAM_UNINSPECTABLE ? error : undefined;
}

/**
 * Records the response object (masked for the audit) when the level asks for it and the body was captured whole;
 * returns the masked paths, or undefined when no object was recorded.
 */
function recordResponseObject(deps: ExchangeDeps, record: ExchangeRecord, tap: BodyTap, parsed: { value: unknown } | undefined,
  resource: string | undefined): string[] | undefined {
  if (deps.sink === undefined || record.level !== 'RequestResponse') return undefined;
  let value: unknown;
  if (parsed !== undefined) value = parsed.value;
  else {
    const body = tap.body();
    if (body === undefined || body.length === 0) return undefined;
    try { value = JSON.parse(body.toString('utf8')); } catch { return undefined; }
  }
  const masked = deps.masker.maskObject(value, resource);
  record.responseObject = masked.object;
  return masked.maskedPaths;
}

/** The API server switched protocols on a request that asked for none. */
export function uninspectableUpgrade(): AppError {
  return uninspectable('an unrequested protocol switch');
}
