import type { IncomingMessage } from 'node:http';
import { createHmac, type KeyObject } from 'node:crypto';
import { AppError, ErrorCodes, isAppError } from '@auditgate/shared';

/** A request body read whole, with its digest. */
export interface RequestBody { readonly data: Buffer; /** HMAC-SHA256 (hex) keyed with `digestKey`. */ readonly sha256: string }

/**
 * Reads the whole request body, refusing more than `maxBytes` (by Content-Length up front, and by counting).
 * Writes to the API server are bounded (3 MiB there too), so buffering them is safe and lets the gateway inspect them.
 */
export async function readRequestBody(req: IncomingMessage, maxBytes: number, digestKey: Buffer | KeyObject): Promise<RequestBody> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    throw new AppError(`request body of ${declared} bytes exceeds the gateway's limit of ${maxBytes}`, {
      code: ErrorCodes.PAYLOAD_TOO_LARGE, status: 413,
    });
  }
  const chunks: Buffer[] = [];
  const hash = createHmac('sha256', digestKey);
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxBytes) {
        throw new AppError(`request body exceeds the gateway's limit of ${maxBytes} bytes`, { code: ErrorCodes.PAYLOAD_TOO_LARGE, status: 413 });
      }
      hash.update(buffer);
      chunks.push(buffer);
    }
  } catch (error) {
    if (isAppError(error)) throw error;
    // The connection broke off or its framing was malformed mid-body: the client's fault, not the gateway's.
    throw new AppError('the request body was cut off or malformed', { code: ErrorCodes.BAD_REQUEST, status: 400, cause: error, details: { reason: 'framing' } });
  }
  return { data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), sha256: hash.digest('hex') };
}
