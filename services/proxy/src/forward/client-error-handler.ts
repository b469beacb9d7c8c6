import type { Duplex } from 'node:stream';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { recordCompletion, refuseOnSocket } from './exchange-lifecycle.js';

/** True when the bytes Node could not parse start a HEAD request (its answer must carry no body). */
function isHead(error: Error & { rawPacket?: unknown }): boolean {
  const raw = error.rawPacket;
  return Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
}

/**
 * Requests Node's HTTP parser rejects (oversized headers, malformed request lines, a broken chunked body): answered
 * with a Status and recorded like every other refusal, instead of Node's bare 400/431. When the connection was in the
 * middle of an exchange (its body was being read), that exchange is the one refused and recorded, once.
 */
export function createClientErrorHandler(deps: ExchangeDeps): (error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex) => void {
  return (error, socket) => {
    const open = deps.openExchanges.get(socket);
    const remote = (socket as Duplex & { remoteAddress?: string }).remoteAddress;
    const record: ExchangeRecord = open !== undefined && open.record.settled !== true ? open.record : {
      auditID: deps.newId(), receivedAt: deps.now(), requestURI: '', verb: 'unknown',
      sourceIP: remote ?? 'unknown', level: 'Metadata',
    };
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      if (open !== undefined && open.record.settled !== true) {
        record.errorCode = ErrorCodes.CLIENT_ABORTED;
        recordCompletion(deps, record);
      }
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_HEADERS_TIMEOUT';
    refuseOnSocket(deps, socket, record, new AppError(
      tooLarge ? 'request headers are too large' : timedOut ? 'the request was not received in time'
        : `malformed HTTP request (${error.code ?? 'parse error'})`,
      { code: ErrorCodes.BAD_REQUEST, status: tooLarge ? 431 : timedOut ? 408 : 400 },
    ), open !== undefined ? open.method === 'HEAD' : isHead(error));
  };
}
