import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { buildUpstreamHeaders } from '../upstream/upstream-headers.js';
import { admitExchange, openRecord, type Admission } from './admit-exchange.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { recordCompletion, recordStarted, refuseOnSocket, writeAhead, writeRawResponse } from './exchange-lifecycle.js';
import { checkRequestFraming } from './request-framing.js';

/** Largest refusal body (a Status) read from the API server when it declines an upgrade. */
const MAX_REFUSAL_BYTES = 1024 * 1024;

async function admitUpgrade(deps: ExchangeDeps, req: IncomingMessage, record: ExchangeRecord, info: ReturnType<typeof openRecord>['info']): Promise<Admission> {
  const admission = await admitExchange(deps, req, record, info);
  if (checkRequestFraming(req).hasBody) {
    throw new AppError('an upgrade request carries no body', { code: ErrorCodes.BAD_REQUEST, status: 400, details: { reason: 'framing' } });
  }
  if (admission.decision.action === 'mask') {
    throw new AppError(`policy rule "${admission.decision.ruleId}" masks this request, but an upgraded stream cannot be masked`, {
      code: ErrorCodes.FORBIDDEN, status: 403, details: { ruleId: admission.decision.ruleId },
    });
  }
  await writeAhead(deps, record);
  return admission;
}

/**
 * Exec, attach, port-forward and proxied WebSockets (only requests `acceptsUpgrade` let through): admitted and
 * write-ahead audited through the same path as any request, then the two sockets are joined; ResponseStarted at the
 * switch, ResponseComplete at close with the bytes each way. A refused upgrade's answer is relayed only as the
 * Status it must be; anything else becomes the gateway's own Status.
 */
export function createUpgradeHandler(deps: ExchangeDeps, client: UpstreamClient): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  async function handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { record, info } = openRecord(deps, req);
    let admission: Admission;
    let authorization: string | undefined;
    try {
      admission = await admitUpgrade(deps, req, record, info);
      authorization = await deps.upstream.authorization().catch((error: unknown) => {
        throw new AppError(`the Kubernetes API server is unreachable: ${(error as Error).message}`, { code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, cause: error });
      });
    } catch (error) {
      refuseOnSocket(deps, socket, record, error);
      return;
    }
    const headers = buildUpstreamHeaders(req.headers, {
      authorization, clientAddress: req.socket.remoteAddress ?? '',
      allowClientImpersonation: admission.decision.allowClientImpersonation,
      impersonate: deps.impersonate ? { user: admission.identity.username, groups: admission.identity.groups, extra: {} } : undefined,
      upgrade: true, auditID: record.auditID,
    });
    let upstreamReq: ReturnType<UpstreamClient['request']>;
    try {
      upstreamReq = client.request({ host: client.host, port: client.port, method: req.method, path: req.url, headers, agent: false as never, ...tlsOf(client) });
    } catch (error) {
      refuseOnSocket(deps, socket, record, new AppError(`the request cannot be forwarded: ${(error as Error).message}`, { code: ErrorCodes.BAD_REQUEST, status: 400, cause: error }));
      return;
    }
    const kind = admission.info.subresource || admission.info.verb;
    const openedAt = deps.now();
    let bytesIn = 0;
    let bytesOut = 0;
    let settled = false;
    const finish = (errorCode?: string): void => {
      if (settled) return;
      settled = true;
      deps.metrics.streams.dec({ kind });
      record.stream = { events: 0, bytes: bytesIn + bytesOut, durationMs: deps.now() - openedAt };
      record.notes = { ...record.notes, 'auditgate.dev/bytes-from-client': String(bytesIn), 'auditgate.dev/bytes-to-client': String(bytesOut) };
      if (errorCode !== undefined) record.errorCode = errorCode;
      recordCompletion(deps, record);
    };
    const refuse = (error: AppError): void => {
      if (settled) return;
      settled = true;
      deps.metrics.streams.dec({ kind });
      refuseOnSocket(deps, socket, record, error);
    };
    deps.metrics.streams.inc({ kind });
    let switched = false;
    upstreamReq.on('upgrade', (upstreamRes, upstreamSocket, upstreamHead) => {
      switched = true;
      record.responseCode = upstreamRes.statusCode ?? 101;
      recordStarted(deps, record);
      let head101 = `HTTP/1.1 ${upstreamRes.statusCode ?? 101} Switching Protocols\r\n`;
      for (let i = 0; i + 1 < upstreamRes.rawHeaders.length; i += 2) {
        if (upstreamRes.rawHeaders[i]!.toLowerCase() === 'audit-id') continue;
        head101 += `${upstreamRes.rawHeaders[i]}: ${upstreamRes.rawHeaders[i + 1]}\r\n`;
      }
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
      // The API server declined the upgrade: its answer must be a JSON Status, relayed as the gateway re-encodes it.
      record.responseCode = upstreamRes.statusCode ?? 502;
      const chunks: Buffer[] = [];
      let size = 0;
      upstreamRes.on('data', (chunk: Buffer) => { size += chunk.length; if (size <= MAX_REFUSAL_BYTES) chunks.push(chunk); });
      upstreamRes.on('error', () => refuse(new AppError('the API server\'s answer broke off', { code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 502 })));
      upstreamRes.on('end', () => {
        const type = String(upstreamRes.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        let status: unknown;
        try { status = type === 'application/json' && size <= MAX_REFUSAL_BYTES ? JSON.parse(Buffer.concat(chunks, size).toString('utf8')) : undefined; } catch { status = undefined; }
        if (typeof status !== 'object' || status === null || (status as { kind?: unknown }).kind !== 'Status') {
          refuse(new AppError('the API server declined the upgrade with an answer the gateway cannot inspect, so it is not relayed', {
            code: ErrorCodes.UPSTREAM_UNINSPECTABLE, status: 502,
          }));
          return;
        }
        const body = Buffer.from(JSON.stringify(status));
        bytesOut += body.length;
        const message = (status as { message?: unknown }).message;
        if (typeof message === 'string') record.responseMessage = message.slice(0, 1024);
        writeRawResponse(socket, upstreamRes.statusCode ?? 502, { 'Content-Type': 'application/json', 'Audit-Id': record.auditID }, body);
        finish();
      });
    });
    upstreamReq.on('error', (error) => refuse(new AppError(`the Kubernetes API server is unreachable: ${error.message}`, {
      code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, cause: error,
    })));
    socket.on('error', () => upstreamReq.destroy());
    socket.on('close', () => { if (!settled && !switched) { upstreamReq.destroy(); finish(ErrorCodes.CLIENT_ABORTED); } });
    upstreamReq.end();
  }

  return (req, socket, head) => {
    socket.on('error', () => undefined);
    handle(req, socket, head).catch((error: unknown) => {
      deps.metrics.unhandledErrors.inc({ where: 'upgrade' });
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
