import { AppError, ErrorCodes } from '@auditgate/shared';
import type { ExchangeDeps } from './exchange-deps.js';
import { rejectExchange } from './exchange-lifecycle.js';
import type { RelayTarget, UpstreamResponse } from './relay-response.js';

/** Largest plain-text error read from the API server to turn into a Status message. */
const MAX_ERROR_TEXT_BYTES = 64 * 1024;

/** Answers a non-JSON error of the API server as a Status with its code and (bounded, single-line) text. */
export function relayTextErrorAsStatus(deps: ExchangeDeps, target: RelayTarget, upstream: UpstreamResponse, status: number, mask: boolean): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (text: string): void => {
    if (settled) return;
    settled = true;
    const message = mask ? `the API server answered ${status}; its text is withheld under a mask rule`
      : text.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 512) || `the API server answered ${status}`;
    if (target.closeAfter) target.res.setHeader('connection', 'close');
    rejectExchange(deps, target.res, target.record, new AppError(message, { code: ErrorCodes.UPSTREAM_UNINSPECTABLE, status }));
  };
  upstream.body.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_ERROR_TEXT_BYTES) chunks.push(chunk);
    else { upstream.body.destroy(); settle(Buffer.concat(chunks).toString('utf8')); }
  });
  upstream.body.on('end', () => settle(Buffer.concat(chunks).toString('utf8')));
  upstream.body.on('error', () => settle(''));
}
