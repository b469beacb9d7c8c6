/** Protobuf wire types Kubernetes uses; groups (3, 4) never occur in its messages and are treated as malformed. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

const TWO_POW_32 = 4294967296;

/**
 * A bounds-checked, allocation-free cursor over protobuf bytes. Malformed input (a truncated varint, a length past the
 * end, an unknown wire type) never throws: it sets `ok` to false, and every later read returns a neutral value.
 */
export class WireReader {
  /** Next byte to read. */
  pos: number;
  /** Exclusive limit of the message being read; narrowed by {@link WireReader.enter}. */
  end: number;
  /** False once malformed input was met; stays false. */
  ok = true;
  // Halves of the last varint read, so signed values need no second pass.
  private lo = 0;
  private hi = 0;

  constructor(readonly buf: Buffer, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
  }

  /** Reads the next field key (`fieldNumber << 3 | wireType`), or returns -1 at the limit or on malformed input. */
  readKey(): number {
    if (!this.ok || this.pos >= this.end) return -1;
    const key = this.readVarint();
    if (!this.ok) return -1;
    if (key < 8 || key > 0xffffffff) return this.fail();
    return key;
  }

  /** Reads an unsigned varint of up to 64 bits as a number (exact below 2^53). */
  readVarint(): number {
    const buf = this.buf;
    const end = this.end;
    let i = this.pos;
    let lo = 0;
    let hi = 0;
    for (let n = 0; n < 10; n++) {
      if (i >= end) return this.fail();
      const b = buf[i++]!;
      if (n < 4) lo |= (b & 0x7f) << (7 * n);
      else if (n === 4) { lo |= (b & 0x0f) << 28; hi = (b & 0x7f) >>> 4; }
      else hi |= (b & 0x7f) << (7 * n - 32);
      if (b < 0x80) {
        this.pos = i;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return (hi >>> 0) * TWO_POW_32 + (lo >>> 0);
      }
    }
    return this.fail();
  }

  /** Reads a varint as a signed 64-bit integer (two's complement), as a number. */
  readInt64(): number {
    const v = this.readVarint();
    if (!this.ok || this.hi < 0x80000000) return v;
    return -((~this.hi >>> 0) * TWO_POW_32 + (~this.lo >>> 0) + 1);
  }

  /** Reads a length prefix; returns -1 (and fails) when it runs past the current limit. */
  readLength(): number {
    const len = this.readVarint();
    if (!this.ok) return -1;
    if (len > this.end - this.pos) return this.fail();
    return len;
  }

  /** Reads a length-delimited field as UTF-8 text. */
  readString(): string {
    const len = this.readLength();
    if (len < 0) return '';
    const start = this.pos;
    this.pos += len;
    return this.buf.toString('utf8', start, this.pos);
  }

  /** Reads a length-delimited field as base64, the JSON form of Kubernetes `[]byte`. */
  readBase64(): string {
    const len = this.readLength();
    if (len < 0) return '';
    const start = this.pos;
    this.pos += len;
    return this.buf.toString('base64', start, this.pos);
  }

  /** Reads a length prefix and narrows the limit to that field; returns the outer limit for {@link WireReader.leave}, or -1. */
  enter(): number {
    const len = this.readLength();
    if (len < 0) return -1;
    const outer = this.end;
    this.end = this.pos + len;
    return outer;
  }

  /** Moves past the field opened by {@link WireReader.enter} and restores the outer limit. */
  leave(outer: number): void {
    if (outer < 0) return;
    if (this.ok) this.pos = this.end;
    this.end = outer;
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT: this.readVarint(); return;
      case WireType.I64: this.advance(8); return;
      case WireType.LEN: { const len = this.readLength(); if (len >= 0) this.pos += len; return; }
      case WireType.I32: this.advance(4); return;
      default: this.fail();
    }
  }

  private advance(n: number): void {
    if (this.end - this.pos < n) this.fail();
    else this.pos += n;
  }

  private fail(): -1 {
    this.ok = false;
    this.pos = this.end;
    return -1;
  }
}
