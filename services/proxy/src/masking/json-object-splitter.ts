/** Callbacks of {@link createJsonObjectSplitter}. */
export interface JsonObjectSplitterHandlers {
  /** A complete top-level `{…}` value (brackets balanced outside strings; not yet validated as JSON). */
  onObject(bytes: Buffer): void;
  /** A run of non-JSON bytes outside any object, ended by a newline, a `{` or the end of input. */
  onGarbage(byteCount: number): void;
  /** An object that grew beyond `maxObjectBytes`; its bytes were dropped, not buffered. */
  onOversized(byteCount: number): void;
  /** Input ended inside an object. */
  onTruncated(byteCount: number): void;
}

/** Incremental splitter of a byte stream into top-level JSON objects. */
export interface JsonObjectSplitter {
  push(chunk: Buffer): void;
  end(): void;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/**
 * Splits concatenated or newline-delimited JSON objects arriving in arbitrary chunks, buffering at most
 * `maxObjectBytes` per object (bigger objects are scanned to their end and reported, never held).
 */
export function createJsonObjectSplitter(maxObjectBytes: number, handlers: JsonObjectSplitterHandlers): JsonObjectSplitter {
  let inObject = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: Buffer[] = [];
  let size = 0;
  let oversized = false;
  let garbage = 0;

  const endGarbage = (): void => {
    if (garbage > 0) handlers.onGarbage(garbage);
    garbage = 0;
  };
  const keep = (piece: Buffer): void => {
    size += piece.length;
    if (oversized) return;
    if (size > maxObjectBytes) {
      oversized = true;
      parts = [];
    } else if (piece.length > 0) parts.push(piece);
  };

  return {
    push(chunk) {
      let start = inObject ? 0 : -1;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i] as number;
        if (inObject) {
          if (inString) {
            if (escaped) {
              escaped = false;
              continue;
            }
            // Most bytes sit inside strings: jump to the next quote natively, then judge it by the backslashes
            // right before it (an odd run escapes it).
            const q = chunk.indexOf(QUOTE, i);
            const stop = q === -1 ? chunk.length : q;
            let backslashes = 0;
            for (let j = stop - 1; j >= i && chunk[j] === BACKSLASH; j--) backslashes++;
            if (q === -1) {
              escaped = backslashes % 2 === 1;
              break;
            }
            i = q;
            if (backslashes % 2 === 0) inString = false;
          } else if (c === QUOTE) inString = true;
          else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
          else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) {
            keep(chunk.subarray(start, i + 1));
            inObject = false;
            if (oversized) handlers.onOversized(size);
            else handlers.onObject(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
            parts = [];
          }
          continue;
        }
        if (c === OPEN_BRACE) {
          endGarbage();
          inObject = true;
          depth = 1;
          inString = false;
          escaped = false;
          size = 0;
          oversized = false;
          start = i;
        } else if (c === NEWLINE) endGarbage();
        else if (garbage > 0 || (c !== 0x20 && c !== 0x09 && c !== 0x0d)) garbage++;
      }
      if (inObject) keep(chunk.subarray(start));
    },
    end() {
      if (inObject) {
        handlers.onTruncated(size);
        inObject = false;
        parts = [];
      }
      endGarbage();
    },
  };
}
