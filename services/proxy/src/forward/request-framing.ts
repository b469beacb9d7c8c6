import type { IncomingMessage } from 'node:http';
import { AppError, ErrorCodes } from '@auditgate/shared';

/** Methods whose body the API server reads (DELETE carries DeleteOptions); any other method must come without one. */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** How a request's body is framed, once the gateway has accepted the framing. */
export interface RequestFraming {
  /** True when a body follows the headers (chunked, or a Content-Length above 0). */
  readonly hasBody: boolean;
}

function refuse(message: string): AppError {
  return new AppError(message, { code: ErrorCodes.BAD_REQUEST, status: 400, details: { reason: 'framing' } });
}

/** Every value of header `name` as the client sent it, repeated lines included (node:http folds some of them). */
function rawValues(req: IncomingMessage, name: string): string[] {
  const values: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) values.push(raw[i + 1]!);
  return values;
}

/**
 * Checks a request's framing before anything is forwarded. The gateway re-frames every body it sends upstream, so
 * only unambiguous framing is accepted: at most one Content-Length (digits only), at most one Transfer-Encoding and
 * only `chunked`, never both, a body only on methods the API server reads one for, and no Content-Encoding (the
 * gateway must read what it records). Throws a 400 (415 for an encoded body) AppError otherwise.
 */
export function checkRequestFraming(req: IncomingMessage): RequestFraming {
  // Node's own check answers without a Status or a record, so the gateway checks Host itself (as the API server would).
  const hosts = rawValues(req, 'host');
  if (req.httpVersion === '1.1' && hosts.length !== 1) throw refuse(hosts.length === 0 ? 'an HTTP/1.1 request needs a Host header' : 'the request repeats Host');
  const lengths = rawValues(req, 'content-length');
  const codings = rawValues(req, 'transfer-encoding');
  if (lengths.length > 1) throw refuse('the request repeats Content-Length');
  if (codings.length > 1) throw refuse('the request repeats Transfer-Encoding');
  if (lengths.length === 1 && codings.length === 1) throw refuse('the request has both Content-Length and Transfer-Encoding');
  const length = lengths[0]?.trim();
  if (length !== undefined && !/^[0-9]{1,15}$/.test(length)) throw refuse('the request\'s Content-Length is not a decimal number');
  const coding = codings[0]?.trim().toLowerCase();
  if (coding !== undefined && coding !== 'chunked') throw refuse(`the transfer coding "${codings[0]!.slice(0, 64)}" is not accepted (only chunked)`);
  const hasBody = coding === 'chunked' || (length !== undefined && Number(length) > 0);
  const method = req.method ?? 'GET';
  if (hasBody && !BODY_METHODS.has(method)) throw refuse(`a ${method} request carries no body`);
  const encodings = rawValues(req, 'content-encoding').flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
  if (encodings.some((e) => e !== 'identity')) {
    throw new AppError('request bodies with a Content-Encoding are not accepted; send the body unencoded', {
      code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE, status: 415,
    });
  }
  return { hasBody };
}
