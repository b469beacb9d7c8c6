import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, ErrorCodes, isAppError, toAppError } from '@auditgate/shared';
import { buildAuditEvent, type ExchangeRecord } from '../audit/exchange-record.js';
import { kubeStatus } from '../http/kube-status.js';
import { admitExchange, openRecord, type Admission } from './admit-exchange.js';
import { recordCompletion, recordStarted } from './complete-exchange.js';
import type { ExchangeDeps } from './exchange-deps.js';
import type { UpstreamClient } from './upstream-client.js';
import { buildUpstreamHeaders } from './upstream-headers.js';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large', 503: 'Service Unavailable' };

/** Writes a Status as a raw HTTP response on a socket (no ServerResponse exists there), closes it, and audits it. */
export function refuseOnSocket(deps: ExchangeDeps, socket: Duplex, record: ExchangeRecord, error: unknown): void {
  const e = isAppError(error) ? error : toAppError(error, ErrorCodes.INTERNAL);
  const status = e.status >= 400 && e.status < 600 ? e.status : 500;
  if (e.code === ErrorCodes.UNAUTHENTICATED) record.decision ??= { allowed: false, reason: `unauthenticated: ${String(e.details['reason'] ?? 'unknown')}` };
  record.responseCode = status;
  record.responseMessage = e.message;
  record.errorCode = e.code;
  const body = JSON.stringify(kubeStatus(status, e.message, e.code));
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n`
      + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAudit-Id: ${record.auditID}\r\nConnection: close\r\n\r\n${body}`);
  }
  recordCompletion(deps, record);
}

/**
 * Exec, attach and port-forward (SPDY or WebSocket upgrades), and WebSocket watches: admitted and write-ahead audited
 * like any request, then the two sockets are joined; ResponseStarted at the switch, ResponseComplete at close with
 * the bytes each way.
 */
export function createUpgradeHandler(deps: ExchangeDeps, client: UpstreamClient): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  async function handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { record, info } = openRecord(deps, req);
    let admission: Admission;
    try {
      admission = await admitExchange(deps, req, record, info);
      if (admission.decision.action === 'mask' && admission.info.verb === 'watch') {
        throw new AppError('masked watches are served over plain HTTP only, not WebSocket', { code: ErrorCodes.FORBIDDEN, status: 403 });
      }
      if (deps.sink !== undefined) {
        await deps.sink.writeAhead(buildAuditEvent(deps.facts, record, 'RequestReceived', deps.now())).catch((error: unknown) => {
          deps.metrics.auditFailures.inc({ code: ErrorCodes.KAFKA_UNAVAILABLE });
          throw new AppError('the audit log is unavailable, so the gateway does not forward requests (fail-closed)', {
            code: ErrorCodes.KAFKA_UNAVAILABLE, status: 503, retriable: true, cause: error,
          });
        });
      }
    } catch (error) {
      refuseOnSocket(deps, socket, record, error);
      return;
    }
    const authorization = await deps.upstream.authorization();
    const headers = buildUpstreamHeaders(req.headers, {
      authorization, clientAddress: req.socket.remoteAddress ?? '',
      allowClientImpersonation: admission.decision.allowClientImpersonation,
      impersonate: deps.impersonate ? { user: admission.identity.username, groups: admission.identity.groups, extra: {} } : undefined,
      upgrade: true, forceJson: false,
    });
    const upstreamReq = client.request({ host: client.host, port: client.port, method: req.method, path: req.url, headers, agent: false as never, ...tlsOf(client) });
    const openedAt = deps.now();
    let bytesIn = 0;
    let bytesOut = 0;
    let done = false;
    const finish = (errorCode?: string): void => {
      if (done) return;
      done = true;
      deps.metrics.streams.dec({ kind: admission.info.subresource || admission.info.verb });
      record.stream = { events: 0, bytes: bytesIn + bytesOut, durationMs: deps.now() - openedAt };
      record.notes = { ...record.notes, 'auditgate.dev/bytes-from-client': String(bytesIn), 'auditgate.dev/bytes-to-client': String(bytesOut) };
      if (errorCode !== undefined) record.errorCode = errorCode;
      recordCompletion(deps, record);
    };
    deps.metrics.streams.inc({ kind: admission.info.subresource || admission.info.verb });
    upstreamReq.on('upgrade', (upstreamRes, upstreamSocket, upstreamHead) => {
      record.responseCode = upstreamRes.statusCode ?? 101;
      recordStarted(deps, record);
      let head101 = `HTTP/1.1 ${upstreamRes.statusCode ?? 101} ${upstreamRes.statusMessage ?? 'Switching Protocols'}\r\n`;
      for (let i = 0; i < upstreamRes.rawHeaders.length; i += 2) head101 += `${upstreamRes.rawHeaders[i]}: ${upstreamRes.rawHeaders[i + 1]}\r\n`;
      socket.write(`${head101}Audit-Id: ${record.auditID}\r\n\r\n`);
      if (upstreamHead.length > 0) { bytesOut += upstreamHead.length; socket.write(upstreamHead); }
      if (head.length > 0) { bytesIn += head.length; upstreamSocket.write(head); }
      socket.on('data', (chunk: Buffer) => { bytesIn += chunk.length; });
      upstreamSocket.on('data', (chunk: Buffer) => { bytesOut += chunk.length; });
      socket.pipe(upstreamSocket);
      upstreamSocket.pipe(socket);
      const close = (): void => { socket.destroy(); upstreamSocket.destroy(); finish(); };
      socket.on('close', close);
      upstreamSocket.on('close', close);
      socket.on('error', close);
      upstreamSocket.on('error', close);
    });
    upstreamReq.on('response', (upstreamRes) => {
      // The API server refused the upgrade: relay its answer as it is.
      record.responseCode = upstreamRes.statusCode ?? 502;
      let raw = `HTTP/1.1 ${upstreamRes.statusCode ?? 502} ${upstreamRes.statusMessage ?? ''}\r\n`;
      for (let i = 0; i < upstreamRes.rawHeaders.length; i += 2) {
        const name = upstreamRes.rawHeaders[i]!.toLowerCase();
        if (name === 'connection' || name === 'transfer-encoding') continue;
        raw += `${upstreamRes.rawHeaders[i]}: ${upstreamRes.rawHeaders[i + 1]}\r\n`;
      }
      const chunks: Buffer[] = [];
      upstreamRes.on('data', (c: Buffer) => chunks.push(c));
      upstreamRes.on('end', () => {
        const body = Buffer.concat(chunks);
        bytesOut += body.length;
        socket.end(Buffer.concat([Buffer.from(`${raw.replace(/content-length: \d+\r\n/i, '')}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
        finish();
      });
    });
    upstreamReq.on('error', (error) => {
      if (done) return;
      deps.metrics.streams.dec({ kind: admission.info.subresource || admission.info.verb });
      done = true;
      refuseOnSocket(deps, socket, record, new AppError(`the Kubernetes API server is unreachable: ${error.message}`, {
        code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, cause: error,
      }));
    });
    socket.on('error', () => upstreamReq.destroy());
    upstreamReq.end();
  }

  return (req, socket, head) => {
    handle(req, socket, head).catch((error: unknown) => {
      deps.logger.error({ err: (error as Error).message }, 'unexpected failure in the upgrade handler');
      socket.destroy();
    });
  };
}

/** Upgraded connections cannot come from the keep-alive pool; they carry the pool's TLS settings instead. */
function tlsOf(client: UpstreamClient): Record<string, unknown> {
  const options = (client.agent as { options?: Record<string, unknown> }).options ?? {};
  const out: Record<string, unknown> = {};
  for (const key of ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername']) if (options[key] !== undefined) out[key] = options[key];
  return out;
}
