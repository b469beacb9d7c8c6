import type { IncomingMessage } from 'node:http';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import type { Admission } from './admit-exchange.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { readRequestBody } from './read-request-body.js';

/** Like the API server, a create's objectRef takes the object's name (and namespace) from the body. */
function nameFromBody(record: ExchangeRecord, decoded: unknown): void {
  const ref = record.objectRef;
  if (ref === undefined || record.verb !== 'create' || (ref.name ?? '') !== '' || ref.subresource !== undefined) return;
  const metadata = (decoded as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  if (typeof metadata?.name === 'string' && metadata.name !== '') ref.name = metadata.name;
  if (ref.namespace === undefined && typeof metadata?.namespace === 'string' && metadata.namespace !== '') ref.namespace = metadata.namespace;
}

/**
 * Reads a write's body whole (bounded) and records it: size and digest always, the object itself (decoded from JSON or
 * Kubernetes protobuf, then masked) when the audit level asks for it. Returns the original bytes to forward unchanged.
 */
export async function inspectRequestBody(deps: ExchangeDeps, req: IncomingMessage, record: ExchangeRecord, admission: Admission): Promise<Buffer> {
  const contentType = req.headers['content-type'];
  const body = await readRequestBody(req, deps.maxRequestBodyBytes, deps.digestKey);
  let maskedPaths: string[] = [];
  const wantsObject = record.level === 'Request' || record.level === 'RequestResponse';
  if (wantsObject && body.data.length > 0 && body.data.length <= deps.maxRecordedBodyBytes) {
    try {
      const decoded = contentType?.includes('protobuf') === true ? deps.decodeProtobuf(body.data) : JSON.parse(body.data.toString('utf8')) as unknown;
      if (decoded === undefined) throw new Error('undecodable');
      nameFromBody(record, decoded);
      const masked = deps.masker.maskObject(decoded, admission.info.resource || undefined);
      record.requestObject = masked.object;
      maskedPaths = masked.maskedPaths;
    } catch {
      // Not decodable (a YAML apply patch, an unknown protobuf): size and digest are recorded, the object is not.
    }
  }
  record.requestBody = {
    bytes: body.data.length, sha256: body.sha256, digest: 'hmac-sha256', truncated: body.data.length > deps.maxRecordedBodyBytes, maskedPaths,
    ...(contentType === undefined ? {} : { contentType }),
  };
  return body.data;
}
