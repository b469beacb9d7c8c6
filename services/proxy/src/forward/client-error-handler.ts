import type { Duplex } from 'node:stream';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { refuseOnSocket } from './exchange-lifecycle.js';

/**
 * Requests Node's HTTP parser rejects before any handler runs (oversized headers, malformed request lines): answered
 * with a Status and recorded like every other refusal, instead of Node's bare 400/431.
 */
export function createClientErrorHandler(deps: ExchangeDeps): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) { socket.destroy(); return; }
    const remote = (socket as Duplex & { remoteAddress?: string }).remoteAddress;
    const record: ExchangeRecord = {
      auditID: deps.newId(), receivedAt: deps.now(), requestURI: '', verb: 'unknown',
      sourceIP: remote ?? 'unknown', level: 'Metadata',
    };
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    refuseOnSocket(deps, socket, record, new AppError(
      tooLarge ? 'request headers are too large' : `malformed HTTP request (${error.code ?? 'parse error'})`,
      { code: ErrorCodes.BAD_REQUEST, status: tooLarge ? 431 : 400 },
    ));
  };
}
