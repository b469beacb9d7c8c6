import { Transform } from 'node:stream';
import type { MaskRequestOptions } from './masking-types.js';
import { createJsonObjectSplitter } from './json-object-splitter.js';
import { maskKubernetesObject } from './mask-kubernetes-object.js';

const DEFAULT_MAX_OBJECT_BYTES = 16 * 1024 * 1024;
const NEWLINE = Buffer.from('\n');

/** What {@link createWatchMaskingTransform} reports for each event line it emits. */
export interface WatchEventInfo {
  /** Masked paths inside the event (e.g. `/object/data/password`). */
  readonly maskedPaths: string[];
  /** Bytes of the input object (or dropped input) this line stands for. */
  readonly bytes: number;
  /** Set when the line is an ERROR event made by the gateway in place of unusable input. */
  readonly error?: 'garbage' | 'unparseable' | 'oversized' | 'truncated' | 'masking_failed';
}

/** Options of {@link createWatchMaskingTransform}. */
export interface WatchMaskingOptions extends MaskRequestOptions {
  /** Largest object buffered for masking (default 16 MiB); bigger ones are replaced by an ERROR event. */
  readonly maxObjectBytes?: number | undefined;
  /** Called once per emitted line; must not throw (a throw is swallowed so the stream survives). */
  readonly onEvent?: ((info: WatchEventInfo) => void) | undefined;
}

/**
 * A Transform from a raw JSON watch stream (objects in any chunking) to masked watch events, one JSON object per
 * line. It never errors: input it cannot mask (non-JSON bytes, an object over `maxObjectBytes`, an object cut off
 * at the end) is never passed through, since it may hold plaintext; each such run becomes one
 * `{"type":"ERROR","object":<Status>}` line, the API server's own way of reporting a failed watch.
 */
export function createWatchMaskingTransform(options: WatchMaskingOptions): Transform {
  const maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const report = (info: WatchEventInfo): void => {
    try {
      options.onEvent?.(info);
    } catch {
      // A failing observer must not break the caller's watch.
    }
  };
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      splitter.push(chunk);
      callback();
    },
    flush(callback) {
      splitter.end();
      callback();
    },
  });
  const emitError = (error: NonNullable<WatchEventInfo['error']>, bytes: number, code: number, message: string): void => {
    transform.push(errorEventLine(code, message));
    report({ maskedPaths: [], bytes, error });
  };
  const splitter = createJsonObjectSplitter(maxObjectBytes, {
    onObject(bytes) {
      // Always parsed, even when nothing could need masking: only well-formed JSON lines may leave the gateway.
      let decoded: unknown;
      try {
        decoded = JSON.parse(bytes.toString('utf8'));
      } catch {
        emitError('unparseable', bytes.length, 500, `auditgate: dropped ${bytes.length} bytes of invalid JSON from the watch`);
        return;
      }
      try {
        const { object, maskedPaths, changed } = maskKubernetesObject(decoded, options);
        transform.push(changed ? Buffer.from(`${JSON.stringify(object)}\n`, 'utf8') : Buffer.concat([bytes, NEWLINE]));
        report({ maskedPaths, bytes: bytes.length });
      } catch {
        emitError('masking_failed', bytes.length, 500, 'auditgate: a watch event could not be masked and was dropped');
      }
    },
    onGarbage(count) {
      emitError('garbage', count, 500, `auditgate: dropped ${count} bytes of non-JSON data from the watch`);
    },
    onOversized(count) {
      emitError('oversized', count, 413,
        `auditgate: dropped a watch object of ${count} bytes, over the masking bound of ${maxObjectBytes} bytes`);
    },
    onTruncated(count) {
      emitError('truncated', count, 500, `auditgate: dropped ${count} bytes of a watch object cut off by the end of the stream`);
    },
  });
  return transform;
}

function errorEventLine(code: number, message: string): Buffer {
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: code === 413 ? 'RequestEntityTooLarge' : 'InternalError',
    code,
  };
  return Buffer.from(`${JSON.stringify({ type: 'ERROR', object: status })}\n`, 'utf8');
}
