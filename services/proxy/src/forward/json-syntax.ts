/** States of {@link JsonSyntax}. */
const VALUE = 0; // a value must start here
const ARRAY_FIRST = 1; // after '[': a value or ']'
const KEY_FIRST = 2; // after '{': a key or '}'
const KEY = 3; // after ',' in an object
const COLON = 4;
const AFTER = 5; // after a value inside a container: ',' or the closer
const STRING = 6;
const ESCAPE = 7;
const HEX = 8;
const MINUS = 9;
const ZERO = 10;
const INT = 11;
const DOT = 12;
const FRACTION = 13;
const EXP = 14;
const EXP_SIGN = 15;
const EXP_DIGITS = 16;
const LITERAL = 17;
const DONE = 18; // the one top-level value is over: whitespace only
const TOP = 19; // between the values of a sequence

const OBJECT = 1;
const ARRAY = 0;
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');
/** Deepest nesting accepted (the stack costs a byte a level; the API server's own decoder stops at 10,000). */
const MAX_DEPTH = 1 << 20;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/**
 * A streaming JSON syntax checker (RFC 8259, as `JSON.parse` of the UTF-8 text accepts it): bytes go in chunk by
 * chunk, nothing is buffered or built, and it says at which byte the text stopped being JSON. `sequence` accepts any
 * number of values separated by whitespace (a watch stream); otherwise exactly one. About a byte of state per level.
 */
export class JsonSyntax {
  private state: number;
  private stack = new Uint8Array(64);
  private depth = 0;
  private isKey = false;
  private hex = 0;
  private literal: Buffer = TRUE;
  private literalAt = 0;
  private offset = 0;
  private failedAt = -1;

  constructor(private readonly sequence = false) {
    this.state = sequence ? TOP : VALUE;
  }

  /** The offset of the first byte that is not JSON, or -1 while the text is still valid. */
  get errorOffset(): number { return this.failedAt; }

  /** Checks the next chunk; returns false (and keeps returning false) once the text is not JSON. */
  push(chunk: Uint8Array): boolean {
    if (this.failedAt !== -1) return false;
    const n = chunk.length;
    let state = this.state;
    let i = 0;
    while (i < n) {
      const c = chunk[i]!;
      switch (state) {
        case STRING: {
          // The hot loop: most of an API object is string content.
          let j = i;
          while (j < n) {
            const d = chunk[j]!;
            if (d === 0x22 || d === 0x5c || d < 0x20) break;
            j += 1;
          }
          i = j;
          if (j === n) continue;
          const d = chunk[j]!;
          if (d === 0x22) { state = this.isKey ? COLON : this.endValue(); i += 1; continue; }
          if (d === 0x5c) { state = ESCAPE; i += 1; continue; }
          return this.fail(i);
        }
        case ESCAPE:
          if (c === 0x75) { state = HEX; this.hex = 0; } else if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) state = STRING;
          else return this.fail(i);
          i += 1;
          continue;
        case HEX:
          if (!isHex(c)) return this.fail(i);
          this.hex += 1;
          if (this.hex === 4) state = STRING;
          i += 1;
          continue;
        case VALUE: case ARRAY_FIRST: case TOP:
          if (isSpace(c)) { i += 1; continue; }
          if (state === ARRAY_FIRST && c === 0x5d) { this.depth -= 1; state = this.endValue(); i += 1; continue; }
          state = this.startValue(c);
          if (state === -1) return this.fail(i);
          i += 1;
          continue;
        case KEY_FIRST: case KEY:
          if (isSpace(c)) { i += 1; continue; }
          if (c === 0x22) { state = STRING; this.isKey = true; } else if (state === KEY_FIRST && c === 0x7d) { this.depth -= 1; state = this.endValue(); } else return this.fail(i);
          i += 1;
          continue;
        case COLON:
          if (isSpace(c)) { i += 1; continue; }
          if (c !== 0x3a) return this.fail(i);
          state = VALUE;
          i += 1;
          continue;
        case AFTER: {
          if (isSpace(c)) { i += 1; continue; }
          const container = this.stack[this.depth - 1];
          if (c === 0x2c) state = container === OBJECT ? KEY : VALUE;
          else if ((c === 0x7d && container === OBJECT) || (c === 0x5d && container === ARRAY)) { this.depth -= 1; state = this.endValue(); } else return this.fail(i);
          i += 1;
          continue;
        }
        case MINUS:
          if (c === 0x30) state = ZERO; else if (c >= 0x31 && c <= 0x39) state = INT; else return this.fail(i);
          i += 1;
          continue;
        case ZERO: case INT: case FRACTION: case EXP_DIGITS:
          if (c >= 0x30 && c <= 0x39 && state !== ZERO) { i += 1; continue; }
          if (c === 0x2e && (state === ZERO || state === INT)) { state = DOT; i += 1; continue; }
          if ((c | 0x20) === 0x65 && state !== EXP_DIGITS) { state = EXP; i += 1; continue; }
          state = this.endValue(); // the number ended: this byte belongs to what follows it
          continue;
        case DOT:
          if (c < 0x30 || c > 0x39) return this.fail(i);
          state = FRACTION;
          i += 1;
          continue;
        case EXP:
          if (c === 0x2b || c === 0x2d) state = EXP_SIGN; else if (c >= 0x30 && c <= 0x39) state = EXP_DIGITS; else return this.fail(i);
          i += 1;
          continue;
        case EXP_SIGN:
          if (c < 0x30 || c > 0x39) return this.fail(i);
          state = EXP_DIGITS;
          i += 1;
          continue;
        case LITERAL:
          if (c !== this.literal[this.literalAt]) return this.fail(i);
          this.literalAt += 1;
          if (this.literalAt === this.literal.length) state = this.endValue();
          i += 1;
          continue;
        default: // DONE
          if (!isSpace(c)) return this.fail(i);
          i += 1;
      }
    }
    this.state = state;
    this.offset += n;
    return true;
  }

  /** True when the text seen so far is complete JSON (one value, or a sequence ending between values). */
  end(): boolean {
    if (this.failedAt !== -1) return false;
    const state = this.state;
    const number = state === ZERO || state === INT || state === FRACTION || state === EXP_DIGITS;
    if (number && this.depth === 0) return true;
    if (state === DONE || state === TOP) return true;
    this.failedAt = this.offset;
    return false;
  }

  private startValue(c: number): number {
    switch (c) {
      case 0x7b: return this.open(OBJECT) ? KEY_FIRST : -1;
      case 0x5b: return this.open(ARRAY) ? ARRAY_FIRST : -1;
      case 0x22: this.isKey = false; return STRING;
      case 0x2d: return MINUS;
      case 0x30: return ZERO;
      case 0x74: this.literal = TRUE; this.literalAt = 1; return LITERAL;
      case 0x66: this.literal = FALSE; this.literalAt = 1; return LITERAL;
      case 0x6e: this.literal = NULL; this.literalAt = 1; return LITERAL;
      default: return c >= 0x31 && c <= 0x39 ? INT : -1;
    }
  }

  private open(kind: number): boolean {
    if (this.depth === this.stack.length) {
      if (this.depth >= MAX_DEPTH) return false;
      const grown = new Uint8Array(this.stack.length * 2);
      grown.set(this.stack);
      this.stack = grown;
    }
    this.stack[this.depth] = kind;
    this.depth += 1;
    return true;
  }

  /** The state after a value (a closed container, string, number or literal) ended. */
  private endValue(): number {
    if (this.depth > 0) return AFTER;
    return this.sequence ? TOP : DONE;
  }

  private fail(at: number): false {
    this.failedAt = this.offset + at;
    return false;
  }
}
