import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, ErrorCodes, isAppError, toAppError } from '@auditgate/shared';
import { buildAuditEvent, type ExchangeRecord } from '../audit/exchange-record.js';
import { kubeStatus, sendStatus, type KubeStatus } from './kube-status.js';
import type { ExchangeDeps } from './exchange-deps.js';

/**
 * The one write-ahead, start and settle path of every exchange, plain or upgraded: RequestReceived is durable before
 * anything is forwarded, ResponseStarted marks a stream's start, and ResponseComplete (or the refusal) settles it once.
 */

/** Makes the RequestReceived event durable; throws a 503 AppError (fail-closed) when the audit log cannot take it, and the
 * sink's own 500 `AUDITGATE_E_EVENT_INVALID` when the event cannot be serialized (not an outage). */
export async function writeAhead(deps: ExchangeDeps, record: ExchangeRecord): Promise<void> {
  if (deps.sink === undefined) return;
  const started = deps.now();
  try {
    await deps.sink.writeAhead(buildAuditEvent(deps.facts, record, 'RequestReceived', deps.now()));
  } catch (error) {
    if (isAppError(error) && error.code === ErrorCodes.EVENT_INVALID) {
      deps.metrics.auditFailures.inc({ code: error.code });
      throw error;
    }
    deps.metrics.auditFailures.inc({ code: ErrorCodes.KAFKA_UNAVAILABLE });
    throw new AppError('the audit log is unavailable, so the gateway does not forward requests (fail-closed)', {
      code: ErrorCodes.KAFKA_UNAVAILABLE, status: 503, retriable: true, cause: error,
    });
  }
  deps.metrics.writeAhead.observe((deps.now() - started) / 1000);
}

/** Produces the ResponseComplete event of a finished exchange; failures to record are logged and counted, never thrown. */
export function recordCompletion(deps: ExchangeDeps, record: ExchangeRecord): void {
  if (record.settled === true) return;
  record.settled = true;
  const elapsed = (deps.now() - record.receivedAt) / 1000;
  deps.metrics.duration.observe({ verb: record.verb }, elapsed);
  deps.metrics.requests.inc({ verb: record.verb, code: String(record.responseCode ?? 0), decision: record.policy?.decision ?? 'none' });
  if (deps.sink === undefined) return;
  deps.sink.record(buildAuditEvent(deps.facts, record, 'ResponseComplete', deps.now())).catch((error: unknown) => {
    const e = toAppError(error, ErrorCodes.KAFKA_UNAVAILABLE, true);
    deps.metrics.auditFailures.inc({ code: e.code });
    deps.logger.error({ auditID: record.auditID, code: e.code, err: e.message }, 'ResponseComplete audit event could not be recorded');
  });
}

/** Produces a ResponseStarted event (watch, logs -f, exec) without waiting for it. */
export function recordStarted(deps: ExchangeDeps, record: ExchangeRecord): void {
  if (deps.sink === undefined) return;
  deps.sink.record(buildAuditEvent(deps.facts, record, 'ResponseStarted', deps.now())).catch((error: unknown) => {
    const e = toAppError(error, ErrorCodes.KAFKA_UNAVAILABLE, true);
    deps.metrics.auditFailures.inc({ code: e.code });
    deps.logger.error({ auditID: record.auditID, code: e.code, err: e.message }, 'ResponseStarted audit event could not be recorded');
  });
}

/** A refusal settled on the record: the Status to send and the headers that go with it. */
interface Refusal { readonly status: KubeStatus; readonly headers: Record<string, string> }

/** Fills the record with a refusal (status, message, code) and returns what to answer; counts auth failures. */
function settleRefusal(deps: ExchangeDeps, record: ExchangeRecord, error: unknown): Refusal {
  const e = isAppError(error) ? error : toAppError(error, ErrorCodes.INTERNAL);
  const code = e.status >= 400 && e.status < 600 ? e.status : 500;
  if (e.code === ErrorCodes.UNAUTHENTICATED) {
    deps.metrics.authFailures.inc({ reason: String(e.details['reason'] ?? 'unknown') });
    record.decision ??= { allowed: false, reason: `unauthenticated: ${String(e.details['reason'] ?? 'unknown')}` };
  }
  if (code >= 500) deps.logger.error({ auditID: record.auditID, code: e.code, err: e.message }, 'request failed in the gateway');
  record.responseCode = code;
  record.responseMessage = e.message;
  record.errorCode = e.code;
  const headers: Record<string, string> = { 'audit-id': record.auditID };
  if (code === 429) headers['retry-after'] = '1';
  if (code === 401) headers['www-authenticate'] = 'Bearer realm="auditgate"';
  return { status: kubeStatus(code, e.message, e.code), headers };
}

/** Answers a request the gateway refused or could not serve with a Kubernetes Status, and audits it. */
export function rejectExchange(deps: ExchangeDeps, res: ServerResponse, record: ExchangeRecord, error: unknown): void {
  // Already answered on the socket (Node's parser gave up on this request's body): nothing more to send.
  if (record.settled === true) { res.destroy(); return; }
  const refusal = settleRefusal(deps, record, error);
  sendStatus(res, refusal.status, refusal.headers);
  recordCompletion(deps, record);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 405: 'Method Not Allowed', 406: 'Not Acceptable', 408: 'Request Timeout', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable',
};

/**
 * Writes a raw HTTP/1.1 answer on a socket (no ServerResponse exists there) and closes it. The answer to a HEAD has
 * its Content-Length but no body: body bytes there would be read as the start of the next response.
 */
export function writeRawResponse(socket: Duplex, code: number, headers: Record<string, string | number>, body: Buffer, head = false): void {
  if (!socket.writable) { socket.destroy(); return; }
  let lines = `HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? 'Error'}\r\n`;
  for (const [name, value] of Object.entries(headers)) lines += `${name}: ${String(value)}\r\n`;
  lines += `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  socket.end(head ? Buffer.from(lines, 'latin1') : Buffer.concat([Buffer.from(lines, 'latin1'), body]));
}

/** Like {@link rejectExchange}, on a raw socket (upgrades, requests Node's parser refused); `head` for a HEAD request. */
export function refuseOnSocket(deps: ExchangeDeps, socket: Duplex, record: ExchangeRecord, error: unknown, head = false): void {
  if (record.settled === true) { socket.destroy(); return; }
  const refusal = settleRefusal(deps, record, error);
  writeRawResponse(socket, refusal.status.code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...refusal.headers },
    Buffer.from(JSON.stringify(refusal.status)), head);
  recordCompletion(deps, record);
}
