import type { DecodedProtobufObject } from '../protobuf/index.js';
import { writeBodyFormat, type WriteBodyFormat } from './body-format.js';
import { checkJsonValue } from './check-json-value.js';
import { parseYamlBody } from './parse-yaml-body.js';

/** A write body decoded to the object the API server reads from it. */
export interface DecodedWriteBody {
  readonly kind: 'decoded';
  /** The body as JSON values (for protobuf, the JSON shape the API server shows; `null` for an empty YAML stream). */
  readonly object: unknown;
  /** Every field of the body is in `object`: always for JSON and YAML; for protobuf, as the decoder reports. */
  readonly complete: boolean;
  /** The decoder the Content-Type selects (JSON content of a YAML type is still `yaml`). */
  readonly format: WriteBodyFormat;
}

/** Why a body was not decoded; fixed texts that never quote the body. */
export type UndecodableReason =
  /** The API server refuses the Content-Type (415): text/yaml, application/apply-patch+json, CBOR, ... */
  | 'unsupported-content-type'
  /** Not valid JSON or YAML, not a Kubernetes protobuf envelope, or YAML the API server cannot convert. */
  | 'malformed'
  /** YAML with more than one document (the API server would read the first and ignore the rest). */
  | 'multi-document'
  /** YAML whose aliases expand past the bounds (a "billion laughs" body). */
  | 'excessive-aliasing'
  /** Nested deeper than `maxDepth`. */
  | 'too-deep'
  /** YAML (not JSON) longer than `maxYamlBytes`: the YAML parser is too slow to run on it inline. */
  | 'too-large'
  /** Protobuf of a kind the decoder has no schema for: only its apiVersion, kind and metadata could be read. */
  | 'unknown-protobuf-kind';

/** A write body that could not be decoded: under default-deny, refuse the write. */
export interface UndecodableWriteBody {
  readonly kind: 'undecodable';
  readonly reason: UndecodableReason;
  /** The format the Content-Type asked for; `other` when the API server accepts none. */
  readonly format: WriteBodyFormat | 'other';
  /** For `unknown-protobuf-kind`: apiVersion, kind and metadata, for the record of the refusal (mask it first). */
  readonly partial?: Record<string, unknown>;
}

/** A write without a body (a DELETE without options): nothing to record, nothing to refuse. */
export interface EmptyWriteBody {
  readonly kind: 'empty';
}

/** What {@link decodeWriteBody} made of a body. */
export type WriteBodyResult = DecodedWriteBody | UndecodableWriteBody | EmptyWriteBody;

/** The protobuf decoder {@link decodeWriteBody} uses: `decodeKubernetesProtobuf` from protobuf/. */
export type ProtobufDecoder = (body: Buffer) => DecodedProtobufObject | undefined;

/** Bounds of {@link decodeWriteBody}. */
export interface WriteBodyLimits {
  /** Largest YAML body (that is not JSON) parsed, in bytes; default 64 KiB, which parses in about 0.1–0.5 s. */
  readonly maxYamlBytes?: number;
  /** Deepest nesting of arrays and objects accepted; default 1000 (the API server's JSON decoder allows 10 000). */
  readonly maxDepth?: number;
}

/** Default {@link WriteBodyLimits.maxYamlBytes}. */
export const DEFAULT_MAX_YAML_BYTES = 64 * 1024;
/** Default {@link WriteBodyLimits.maxDepth}. */
export const DEFAULT_MAX_DEPTH = 1000;

/**
 * Decodes a write body (POST/PUT/PATCH/DELETE) the way kube-apiserver picks its decoder from `contentType`: JSON for
 * application/json and the JSON patch types (and no Content-Type), YAML for application/yaml and server-side apply
 * (JSON content read as JSON first, as YAML would read it), Kubernetes protobuf through `decodeProtobuf`. Pure and
 * total: never throws, never quotes the body in a reason.
 */
export function decodeWriteBody(
  contentType: string | undefined, body: Buffer, decodeProtobuf: ProtobufDecoder, limits: WriteBodyLimits = {},
): WriteBodyResult {
  if (body.length === 0) return { kind: 'empty' };
  const format = writeBodyFormat(contentType);
  if (format === undefined) return undecodable('unsupported-content-type', 'other');
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (format === 'protobuf') return decodeProtobufBody(body, decodeProtobuf);
  // Go reads the bytes as UTF-8 (invalid sequences become U+FFFD, as here); a byte-order mark is a syntax error to both.
  const text = body.toString('utf8');
  let object: unknown;
  let parsed = false;
  try {
    object = JSON.parse(text) as unknown;
    parsed = true;
  } catch {
    // Parser messages quote the input: only fixed reasons leave this function.
  }
  if (!parsed && format === 'json') return undecodable('malformed', format);
  if (!parsed) {
    if (body.length > (limits.maxYamlBytes ?? DEFAULT_MAX_YAML_BYTES)) return undecodable('too-large', format);
    const yaml = parseYamlBody(text, { maxDepth });
    if (!yaml.ok) return undecodable(yaml.reason, format);
    return { kind: 'decoded', object: yaml.value, complete: true, format };
  }
  const problem = checkJsonValue(object, maxDepth);
  if (problem !== undefined) return undecodable(problem === 'too-deep' ? 'too-deep' : 'malformed', format);
  return { kind: 'decoded', object, complete: true, format };
}

function decodeProtobufBody(body: Buffer, decodeProtobuf: ProtobufDecoder): WriteBodyResult {
  let decoded: DecodedProtobufObject | undefined;
  try {
    decoded = decodeProtobuf(body);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined) return undecodable('malformed', 'protobuf');
  if (!decoded.known) return { ...undecodable('unknown-protobuf-kind', 'protobuf'), partial: decoded.object };
  return { kind: 'decoded', object: decoded.object, complete: decoded.complete, format: 'protobuf' };
}

function undecodable(reason: UndecodableReason, format: WriteBodyFormat | 'other'): UndecodableWriteBody {
  return { kind: 'undecodable', reason, format };
}
