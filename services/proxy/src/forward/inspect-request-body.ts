import type { IncomingMessage } from 'node:http';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import { decodeWriteBody, summarizeWrite, type UndecodableWriteBody, type WriteBodyResult } from '../write-body/index.js';
import type { RequestInfo } from '../classify/index.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { guardMaskedWrite } from './guard-masked-write.js';
import { maskHint } from './mask-hint.js';
import { readRequestBody } from './read-request-body.js';

/** Media types a create decodes (patch types get 415 from the API server, which then names nothing). */
const CREATE_MEDIA_TYPES: ReadonlySet<string> = new Set(['', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);

/** Like the API server, a create's objectRef takes the object's name (and namespace) from the body it decoded. */
function nameFromBody(record: ExchangeRecord, decoded: unknown, contentType: string | undefined): void {
  const ref = record.objectRef;
  if (ref === undefined || record.verb !== 'create' || (ref.name ?? '') !== '' || ref.subresource !== undefined) return;
  if (!CREATE_MEDIA_TYPES.has((contentType ?? '').split(';')[0]!.trim().toLowerCase())) return;
  const metadata = (decoded as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  if (typeof metadata?.name === 'string' && metadata.name !== '') ref.name = metadata.name;
  if (ref.namespace === undefined && typeof metadata?.namespace === 'string' && metadata.namespace !== '') ref.namespace = metadata.namespace;
}

/** Resources whose `proxy` subresource relays the body to a pod, a service or a kubelet. */
const PROXIED_RESOURCES: ReadonlySet<string> = new Set(['pods', 'services', 'nodes']);

/**
 * True for `pods/proxy`, `services/proxy`, `nodes/proxy` (and the old `/api/v1/proxy/...` form): the API server passes
 * the body through to the target untouched, so it is whatever that HTTP service reads (text, a form, anything), not a
 * Kubernetes object, and neither decoded nor refused for its media type.
 */
export function isProxySubresource(info: RequestInfo): boolean {
  return info.apiGroup === '' && PROXIED_RESOURCES.has(info.resource) && (info.subresource === 'proxy' || info.verb === 'proxy');
}

/** Undecodable bodies refused whatever the policy: the API server would refuse or misread them too. */
const ALWAYS_REFUSED: Readonly<Record<string, { status: number; message: string }>> = {
  'unsupported-content-type': { status: 415, message: 'the request body\'s Content-Type is not one the API server reads (JSON, YAML or Kubernetes protobuf)' },
  malformed: { status: 400, message: 'the request body is not valid for its Content-Type' },
  'multi-document': { status: 400, message: 'the YAML request body holds more than one document' },
  'excessive-aliasing': { status: 400, message: 'the YAML request body expands its aliases beyond the gateway\'s bound' },
  'too-deep': { status: 400, message: 'the request body is nested too deeply' },
};

/**
 * A body the gateway cannot turn into a record: refused when it is malformed or ambiguous, and under a default-deny
 * policy also when it is only too large to parse inline (YAML) or a protobuf kind without a schema; otherwise the
 * write goes ahead with what could be read (apiVersion, kind, metadata) and a note saying why the rest is missing.
 */
function refuseOrNote(deps: ExchangeDeps, record: ExchangeRecord, result: UndecodableWriteBody): Record<string, unknown> | undefined {
  const always = ALWAYS_REFUSED[result.reason];
  if (always !== undefined) throw new AppError(always.message, { code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE, status: always.status, details: { reason: result.reason } });
  if (deps.policy().policy.defaultAction === 'deny') {
    throw new AppError(result.reason === 'too-large'
      ? 'the YAML request body is too large for the gateway to record; send it as JSON'
      : 'the request body is a protobuf kind the gateway cannot record; send it as JSON', {
      code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE, status: 415, details: { reason: result.reason },
    });
  }
  record.notes = { ...record.notes, 'auditgate.dev/request-object': `partial: ${result.reason}` };
  return result.partial;
}

/** How {@link inspectRequestBody} treats one body. */
export interface InspectOptions {
  /** The write is under a `mask` decision (false: allowed; undefined: refused already, nothing to guard). */
  readonly masked?: boolean;
  /** Largest YAML body parsed (a refused write's body gets a small budget). */
  readonly maxYamlBytes?: number;
}

/**
 * Reads a write's body whole (bounded) and records it: size and keyed digest always; the object itself, decoded as
 * the API server decodes it (JSON, YAML, Kubernetes protobuf) and masked, when the audit level asks for it; a bounded
 * summary of what it changes (identity, RBAC, webhooks, pod spec privilege) when it is over the record cap. A body
 * for a proxy subresource ({@link isProxySubresource}) is opaque: only its size and keyed digest are recorded. Returns
 * the original bytes, which the gateway forwards with its own framing.
 */
export async function inspectRequestBody(deps: ExchangeDeps, req: IncomingMessage, record: ExchangeRecord, info: RequestInfo,
  options: InspectOptions = {}): Promise<Buffer> {
  const contentType = req.headers['content-type'];
  const body = await readRequestBody(req, deps.maxRequestBodyBytes, deps.digestKey);
  if (isProxySubresource(info)) {
    // Not a Kubernetes object: decoding it would refuse every text or form body (415) and record nothing it holds.
    if (body.data.length > 0) record.notes = { ...record.notes, 'auditgate.dev/request-object': 'opaque: the body of a proxy subresource is relayed, not decoded' };
    record.requestBody = {
      bytes: body.data.length, sha256: body.sha256, digest: 'hmac-sha256', truncated: false, maskedPaths: [],
      ...(contentType === undefined ? {} : { contentType }),
    };
    return body.data;
  }
  const result: WriteBodyResult = body.data.length === 0 ? { kind: 'empty' } : decodeWriteBody(contentType, body.data, deps.decodeProtobuf,
    options.maxYamlBytes === undefined ? {} : { maxYamlBytes: options.maxYamlBytes });
  let object: unknown;
  if (result.kind === 'decoded') object = result.object;
  else if (result.kind === 'undecodable') object = refuseOrNote(deps, record, result);
  if (object !== undefined) nameFromBody(record, object, contentType);
  if (options.masked !== undefined) guardMaskedWrite(body.data, object, options.masked);
  let maskedPaths: string[] = [];
  const wantsObject = record.level === 'Request' || record.level === 'RequestResponse';
  const cut = body.data.length > deps.maxRecordedBodyBytes;
  if (wantsObject && object !== undefined) {
    const resource = maskHint(info);
    const recorded = cut ? summarizeWrite(object).object : object;
    const masked = deps.masker.maskObject(recorded, resource);
    record.requestObject = masked.object;
    maskedPaths = masked.maskedPaths;
    if (cut) record.notes = { ...record.notes, 'auditgate.dev/request-object': 'summary: the body is over the record cap' };
  }
  record.requestBody = {
    bytes: body.data.length, sha256: body.sha256, digest: 'hmac-sha256', truncated: wantsObject && cut, maskedPaths,
    ...(contentType === undefined ? {} : { contentType }),
  };
  return body.data;
}
