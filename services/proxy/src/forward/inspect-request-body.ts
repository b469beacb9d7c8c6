import type { IncomingMessage } from 'node:http';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import type { Admission } from './admit-exchange.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { readRequestBody } from './read-request-body.js';

/**
 * Reads a write's body whole (bounded), refuses bodies it cannot inspect (protobuf), and records it: size and
 * digest always, the object itself (masked) when the audit level asks for it. Returns the original bytes to forward.
 */
export async function inspectRequestBody(deps: ExchangeDeps, req: IncomingMessage, record: ExchangeRecord, admission: Admission): Promise<Buffer> {
  const contentType = req.headers['content-type'];
  if (contentType !== undefined && contentType.includes('protobuf')) {
    throw new AppError('Auditgate inspects every request body and accepts JSON or YAML, not protobuf; configure the client for application/json', {
      code: ErrorCodes.BAD_REQUEST, status: 415,
    });
  }
  const body = await readRequestBody(req, deps.maxRequestBodyBytes);
  let maskedPaths: string[] = [];
  const wantsObject = record.level === 'Request' || record.level === 'RequestResponse';
  if (wantsObject && body.data.length > 0 && body.data.length <= deps.maxRecordedBodyBytes) {
    try {
      const masked = deps.masker.maskObject(JSON.parse(body.data.toString('utf8')), admission.info.resource || undefined);
      record.requestObject = masked.object;
      maskedPaths = masked.maskedPaths;
    } catch {
      // Not JSON (a YAML apply patch): size and digest are recorded, the object is not.
    }
  }
  record.requestBody = {
    bytes: body.data.length, sha256: body.sha256, truncated: body.data.length > deps.maxRecordedBodyBytes, maskedPaths,
    ...(contentType === undefined ? {} : { contentType }),
  };
  return body.data;
}
