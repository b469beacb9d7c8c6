import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { openRecord } from './admit-exchange.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { refuseOnSocket } from './exchange-lifecycle.js';

/**
 * CONNECT (a tunnel request) is never served: the gateway is not a forward proxy. Without a handler Node would just
 * drop the socket; this answers with a Status 405 and records the attempt like any refusal.
 */
export function createConnectHandler(deps: ExchangeDeps): (req: IncomingMessage, socket: Duplex) => void {
  return (req, socket) => {
    socket.on('error', () => undefined);
    const { record } = openRecord(deps, req);
    refuseOnSocket(deps, socket, record, new AppError('CONNECT is not served: the gateway is not a forward proxy', {
      code: ErrorCodes.BAD_REQUEST, status: 405,
    }));
  };
}
