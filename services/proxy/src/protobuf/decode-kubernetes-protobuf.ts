import { decodeMessage, type DecodeState } from './decode-message.js';
import { metadataOnlySchema, schemaFor } from './kube-schemas.js';
import { WireType, WireReader } from './wire-reader.js';

/** A Kubernetes protobuf body decoded to the JSON shape the API server would show. */
export interface DecodedProtobufObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** The object as JSON (apiVersion, kind, metadata, and the fields known for its kind). */
  readonly object: Record<string, unknown>;
  /** True only when every field of the object was understood and kept (see `complete` in kube-schemas.ts). */
  readonly complete: boolean;
  /** The kind has a schema: its fields that matter were decoded; otherwise `object` holds the metadata only. */
  readonly known: boolean;
}

/** Limits for {@link decodeKubernetesProtobuf}. */
export interface DecodeLimits {
  /** Map entries plus list items kept, in total (default 10 000); beyond it they are dropped and `complete` is false. */
  readonly maxItems?: number;
}

const TYPE_META = (1 << 3) | WireType.LEN;
const RAW = (2 << 3) | WireType.LEN;
const CONTENT_ENCODING = (3 << 3) | WireType.LEN;
const CONTENT_TYPE = (4 << 3) | WireType.LEN;

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body (magic + runtime.Unknown) into a JSON view. Returns undefined
 * when `body` is not such an envelope; never throws: malformed or over-large input yields a partial view, complete=false.
 */
export function decodeKubernetesProtobuf(body: Buffer, limits: DecodeLimits = {}): DecodedProtobufObject | undefined {
  // Every Kubernetes protobuf body starts with the magic `k8s\0`.
  if (body.length < 4 || body[0] !== 0x6b || body[1] !== 0x38 || body[2] !== 0x73 || body[3] !== 0x00) return undefined;
  const r = new WireReader(body, 4);
  let apiVersion = '';
  let kind = '';
  let rawStart = -1;
  let rawEnd = -1;
  let contentEncoding = '';
  let contentType = '';
  let unknownFields = false;
  for (let key = r.readKey(); key >= 0; key = r.readKey()) {
    if (key === TYPE_META) {
      const outer = r.enter();
      for (let k = r.readKey(); k >= 0; k = r.readKey()) {
        if (k === ((1 << 3) | WireType.LEN)) apiVersion = r.readString();
        else if (k === ((2 << 3) | WireType.LEN)) kind = r.readString();
        else { unknownFields = true; r.skip(k & 7); }
      }
      r.leave(outer);
    } else if (key === RAW) {
      const len = r.readLength();
      if (len >= 0) { rawStart = r.pos; rawEnd = r.pos + len; r.pos = rawEnd; }
    } else if (key === CONTENT_ENCODING) {
      contentEncoding = r.readString();
    } else if (key === CONTENT_TYPE) {
      contentType = r.readString();
    } else {
      unknownFields = true;
      r.skip(key & 7);
    }
  }
  if (kind === '' && apiVersion === '') return undefined;
  const object: Record<string, unknown> = { apiVersion, kind };
  const known = schemaFor(apiVersion, kind);
  if (rawStart < 0) return { apiVersion, kind, object, complete: false, known: known !== undefined };
  const state: DecodeState = { budget: limits.maxItems ?? 10_000, skipped: false, truncated: false };
  const raw = new WireReader(body, rawStart, rawEnd);
  // Lists carry ListMeta, not ObjectMeta, at field 1: nothing to decode for them.
  if (known !== undefined || !kind.endsWith('List')) decodeMessage(raw, known?.schema ?? metadataOnlySchema, object, state);
  // The API server unmarshals the raw bytes as the typed message whatever contentEncoding/contentType claim, and so
  // does this view; an envelope that sets them is unusual enough to be reported incomplete.
  const plainEnvelope = contentEncoding === '' && (contentType === '' || contentType.includes('protobuf'));
  const complete = known?.complete === true && plainEnvelope && r.ok && raw.ok && !unknownFields && !state.skipped && !state.truncated;
  return { apiVersion, kind, object, complete, known: known !== undefined };
}
